"""One registry of providers: the Lines form, the CLI and the README's table of default paces all
say what availability/lines/registry.py says."""

import pathlib
import re

from availability.lines import PROVIDERS, pace_text

README = (pathlib.Path(__file__).resolve().parents[2] / "README.md").read_text()


def test_the_readme_table_lists_each_provider_with_its_default_pace():
    rows = re.findall(r"^  \| (.+?) \| (.+?) \|$", README, re.M)
    assert rows == [("Provider", "Default pace")] + [(p.label, p.pace_text) for p in PROVIDERS.values()]


def test_the_form_and_the_cli_offer_every_provider():
    from blueprints.lines import LineForm
    from cli import add_line_command

    assert [choice.value for choice in LineForm.provider.kwargs["choices"]] == list(PROVIDERS)
    provider = next(param for param in add_line_command.params if param.name == "provider")
    assert list(provider.type.choices) == list(PROVIDERS)


def test_paces_read_as_people_say_them():
    assert pace_text(6) == "6 checks/min"
    assert pace_text(0.5, 100) == "30 checks/hour, at most 100/day"
    assert PROVIDERS["sendblue"].pace_text == "30 checks/hour, at most 100/day"
