"""Migrations are frozen: each says what it does in its own text and imports no app code, so a
later change to a model, a normaliser or the search text can't change what an old migration does
(or break it on a database that has yet to run it)."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
# The project's own top-level modules and packages (some are namespace packages, without an
# __init__.py), whatever is added later; the migrations and tests aside.
APP_CODE = ({path.stem for path in ROOT.glob("*.py")} | {path.parent.name for path in ROOT.glob("*/*.py")}) - {
    "migrations",
    "tests",
}


def _imported(path: pathlib.Path) -> list[str]:
    """Every module the file imports, at its top or inside a function; "." for a relative import."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append("." if node.level else node.module)
    return names


def test_the_app_code_list_names_the_layers():
    assert {"availability", "models", "services", "blueprints", "jobs", "extensions", "config"} <= APP_CODE


def test_no_migration_imports_app_code():
    versions = sorted(ROOT.glob("migrations/versions/*.py"))
    assert versions
    imports = [
        (path.name, name)
        for path in versions
        for name in _imported(path)
        if name == "." or name.split(".")[0] in APP_CODE
    ]
    assert imports == []
