"""What the import-linter contracts in pyproject.toml can't say: no request state in services, and
no import circle beyond the app <-> CLI <-> worker one (imports inside functions count)."""

import ast
import json
import os
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
# What a service or model may take from flask: the app it runs in, never a request's state.
FLASK_ALLOWED = {"Flask", "current_app"}
MAX_CIRCLE = 4


def test_services_and_models_take_no_request_state_from_flask():
    taken = []
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("models/*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "flask":
                taken += [(path.name, alias.name) for alias in node.names if alias.name not in FLASK_ALLOWED]
            elif isinstance(node, ast.Import):
                taken += [(path.name, alias.name) for alias in node.names if alias.name.split(".")[0] == "flask"]
    assert taken == []


# Run apart: this process has imported app, cli... as modules, which grimp would find instead.
_EDGES = """
import json, sys
import grimp
graph = grimp.build_graph(*sys.argv[1:], cache_dir=None)
print(json.dumps({m: sorted(graph.find_modules_directly_imported_by(m) & graph.modules) for m in graph.modules}))
"""


def _circles(edges: dict[str, list[str]]) -> list[set[str]]:
    """The strongly connected components of the import graph (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    found.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_import_circle_is_larger_than_the_app_cli_worker_one(tmp_path):
    # grimp reads packages only: each root module gets a package of its own, its __init__ the file.
    # (gunicorn.conf.py is gunicorn's settings file, which nothing imports.)
    modules = [module for module in ROOT.glob("*.py") if module.stem.isidentifier()]
    for module in modules:
        (tmp_path / module.stem).mkdir()
        os.symlink(module, tmp_path / module.stem / "__init__.py")
    packages = [module.stem for module in modules]
    for init in ROOT.glob("*/__init__.py"):
        if init.parent.name not in ("tests", "migrations", "benchmarks", "demo_line"):
            os.symlink(init.parent, tmp_path / init.parent.name)
            packages.append(init.parent.name)
    out = subprocess.run(
        [sys.executable, "-c", _EDGES, *packages],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
    ).stdout
    largest = max(_circles(json.loads(out)), key=len)
    assert len(largest) <= MAX_CIRCLE, sorted(largest)
