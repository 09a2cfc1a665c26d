"""What the browser suite checks on every page it shows: axe-core's verdict, no sideways scroll, the
top bar, and a full-page screenshot kept as a test artifact."""

import os
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

from support import ROOT

DESKTOP, PHONE = {"width": 1440, "height": 900}, {"width": 390, "height": 844}
NAV = ["Leads", "Import", "Quick Send", "Lines", "Operations", "Settings"]
AXE_SCRIPT = Axe().axe_script  # axe-core, bundled with the package: nothing is fetched at run time
# Only violations are reported; "region" (every text inside a landmark) is off: a best practice of
# moderate impact at most, so it never decides the verdict, and the slowest rule on a long table.
AXE_RUN = "axe.run(document, {resultTypes: ['violations'], rules: {region: {enabled: false}}}).then(r => r.violations)"


def screenshot_dir() -> Path:
    """$SCREENSHOT_DIR, else test-artifacts/screenshots/<database> (CI runs the suite on SQLite and
    PostgreSQL side by side: each pass keeps its own pictures)."""
    dialect = os.environ.get("DATABASE_URL", "sqlite").split(":")[0].split("+")[0]
    folder = Path(os.environ.get("SCREENSHOT_DIR") or ROOT / "test-artifacts" / "screenshots" / dialect)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def axe_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page, each with the nodes at fault."""
    found = []
    if not page.evaluate("typeof window.axe === 'object'"):  # once a document, not again for its dark theme
        page.evaluate(AXE_SCRIPT)
    for violation in page.evaluate(AXE_RUN):
        if violation["impact"] not in ("serious", "critical"):
            continue
        nodes = violation["nodes"]
        lines = [
            f"      {', '.join(map(str, n['target']))}: {n['html'][:200]}\n        {n.get('failureSummary', '')[:400]}"
            for n in nodes[:10]
        ]
        if len(nodes) > 10:
            lines.append(f"      … and {len(nodes) - 10} more")
        found.append(
            f"{violation['id']} ({violation['impact']}, {len(nodes)} nodes): {violation['help']}\n" + "\n".join(lines)
        )
    return found


def sideways(page) -> str | None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return f"scrolls sideways: {width} px wide at {viewport} px" if width > viewport else None


def nav_problem(page, nav: str | None, signed_in: bool) -> str | None:
    """The top bar: the app's links (the current section marked) when signed in, none otherwise."""
    links = page.locator("header nav[aria-label=Main] a")
    if not signed_in:
        return None if links.count() == 0 else "the top bar shows the app's links to a visitor not signed in"
    labels = [label.strip() for label in links.all_inner_texts()]
    current = [
        label.strip() for label in page.locator("header nav[aria-label=Main] a[aria-current=page]").all_inner_texts()
    ]
    if labels != NAV:
        return f"top bar links {labels}, expected {NAV}"
    if current != ([nav] if nav else []):
        return f"aria-current on {current}, expected on {nav or 'none'}"
    return None


def check_shown_page(page, name: str, nav: str | None = None, signed_in: bool = True, dark: bool = False) -> list[str]:
    """Check the page as shown, save its screenshot (name-width.png) and, with `dark`, do both again
    in the dark theme; what is wrong, each line saying where."""
    width = page.viewport_size["width"]
    where = f"{name} at {width} px ({page.url})"
    found = [f"{where}: {p}" for p in [*axe_problems(page), sideways(page), nav_problem(page, nav, signed_in)] if p]
    page.screenshot(path=screenshot_dir() / f"{name}-{width}.png", full_page=True)
    if dark:
        page.emulate_media(color_scheme="dark")
        found += [f"{where} (dark theme): {p}" for p in axe_problems(page)]
        page.screenshot(path=screenshot_dir() / f"{name}-{width}-dark.png", full_page=True)
        page.emulate_media(color_scheme="light")
    return found
