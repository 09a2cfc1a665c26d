"""One small design system: colours live as custom properties in the token blocks at the top of the
one stylesheet, with a dark theme beside the light one; rules below use the tokens."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "static"
CSS = (STATIC / "app.css").read_text()
COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\brgba?\(")
TOKEN_BLOCK = re.compile(r":root\s*\{[^}]*\}")


def _tokens(block):
    return dict(re.findall(r"(--[\w-]+)\s*:\s*([^;]+);", block))


def test_one_stylesheet():
    assert sorted(path.name for path in STATIC.glob("*.css")) == ["app.css"]


def test_rules_use_tokens_not_colours():
    rules = TOKEN_BLOCK.sub("", CSS)
    assert not COLOUR.findall(rules), "a colour outside the token blocks: make it a --token"


def test_dark_theme_sets_every_colour_token():
    light, dark = (_tokens(block) for block in TOKEN_BLOCK.findall(CSS)[:2])
    colours = {name for name, value in light.items() if COLOUR.search(value)}
    assert "prefers-color-scheme: dark" in CSS
    assert colours and colours <= set(dark), sorted(colours - set(dark))


def _luminance(hex_colour):
    if len(hex_colour) == 4:  # #abc is #aabbcc
        hex_colour = "#" + "".join(digit * 2 for digit in hex_colour[1:])
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_text_tokens_meet_aa_on_every_background_in_both_themes():
    for block in TOKEN_BLOCK.findall(CSS)[:2]:
        tokens = _tokens(block)
        for text in ("--text", "--text-2", "--muted", "--accent", "--danger", "--warning", "--success", "--tag"):
            for background in ("--bg", "--surface", "--surface-2"):
                ratio = _contrast(tokens[text].strip(), tokens[background].strip())
                assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}"
        assert _contrast(tokens["--accent-text"].strip(), tokens["--accent"].strip()) >= 4.5
