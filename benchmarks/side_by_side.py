"""Any benchmark here at two commits, run in turn (before, after, before, after…) on one machine,
so a change's ratio is measured side by side rather than against a figure from another day.

    python benchmarks/side_by_side.py --before REV [--after REV] [--rounds 2] -- web_benchmark.py --leads 20000

Each commit is checked out in a temporary worktree; the benchmark runs there with this venv's Python
(its BENCHMARKS.md, in the worktree, is thrown away). Every table row with p50/p95 columns is read
back; the result is each row's median p95 over the rounds, before and after, and their ratio.
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def checkout(rev: str, into: Path) -> Path:
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(into), rev], check=True)
    return into


def rows(output: str) -> dict[str, float]:
    """The p95 of each row of the benchmark's markdown table, named by the cells before p50."""
    header, found = None, {}
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if "p95 ms" in cells:
            header = cells
        elif header and len(cells) == len(header) and not set(line) <= set("|-: "):
            # Measured rates ("team (12/s)") differ between runs: a row is named without them.
            name = re.sub(r" \(\d+/s\)", "", " · ".join(cells[: header.index("p50 ms")]))
            found[name] = float(cells[header.index("p95 ms")])
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", required=True)
    parser.add_argument("--after", default="HEAD")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("benchmark", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = [arg for arg in args.benchmark if arg != "--"]

    results: dict[str, dict[str, list[float]]] = {"before": defaultdict(list), "after": defaultdict(list)}
    with tempfile.TemporaryDirectory(prefix="side-by-side-") as scratch:
        trees = {side: checkout(getattr(args, side), Path(scratch) / side) for side in ("before", "after")}
        try:
            for round_ in range(args.rounds):
                for side, tree in trees.items():
                    print(f"round {round_ + 1}: {side} ({getattr(args, side)})", file=sys.stderr, flush=True)
                    done = subprocess.run(
                        [sys.executable, f"benchmarks/{command[0]}", *command[1:]],
                        cwd=tree,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    for name, p95 in rows(done.stdout).items():
                        results[side][name].append(p95)
        finally:
            for tree in trees.values():
                subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)

    print(f"| Row | p95 ms before ({args.before}) | p95 ms after ({args.after}) | after ÷ before |")
    print("|---|---|---|---|")
    for name, before in results["before"].items():
        after = results["after"].get(name)
        if after:
            b, a = statistics.median(before), statistics.median(after)
            print(f"| {name} | {b:.1f} | {a:.1f} | {a / b:.2f}× |")


if __name__ == "__main__":
    main()
