"""Import speed and memory, measured side by side in one run.

    python benchmarks/import_benchmark.py [--rows 100000] [--postgres postgresql://...]

Generates the seeded lead list (leads_csv.py), then, each in a fresh process so peak RSS is its own:
- import: the real import path — the import job's function on a real SQLite database, from the
  stored file to committed leads (and the No Active Line batch update at the end); the file stored
  by the upload service as a user's upload is (uploads.receive), before the clock starts;
- with --postgres URL, the same import into a new database on that PostgreSQL server;
- baseline (phones): read the same CSV and normalise its phone numbers with phonenumbers, nothing else;
- baseline (phones + emails): the same plus the email normaliser, i.e. all the addresses the import reads.
Writes the table into benchmarks/BENCHMARKS.md.
"""

import argparse
import csv
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

PHONE_COLUMNS, EMAIL_COLUMNS = (3, 5, 6), (4, 7)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_child_rss_mb() -> float:
    """The largest of the import's parsing processes (0 when it used none)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def baseline(path: str, emails: bool) -> dict:
    from availability.addresses import InvalidAddress, normalise_email, normalise_phone

    started, count = time.perf_counter(), 0
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            for i in PHONE_COLUMNS + (EMAIL_COLUMNS if emails else ()):
                if row[i]:
                    try:
                        normalise_phone(row[i], "US") if i in PHONE_COLUMNS else normalise_email(row[i])
                    except InvalidAddress:
                        pass
                    count += 1
    return {"seconds": time.perf_counter() - started, "addresses": count}


def import_path(path: str, database_url: str | None = None) -> dict:
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-")
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    from flask_migrate import upgrade
    from werkzeug.datastructures import FileStorage

    from app import create_app
    from cli import create_user
    from extensions import db
    from models import Upload, UploadState
    from services.imports import uploads
    from services.imports.importer import run_import

    app = create_app()
    with app.app_context():
        upgrade()
        user = create_user("bench@example.com", "bench-password")
        with open(path, "rb") as f:
            upload, _ = uploads.receive(user.workspace_id, FileStorage(f, filename="leads.csv"))
        upload.state = UploadState.QUEUED  # what confirming the mapping does, without the queue
        db.session.commit()
        started = time.perf_counter()
        run_import(upload.id)
        seconds = time.perf_counter() - started
        done = db.session.get(Upload, upload.id)
        report = {
            k: getattr(done, k)
            for k in ("state", "rows_done", "imported", "duplicates", "invalid", "empty", "invalid_fields")
        }
    return {"seconds": seconds, "processes": app.config["IMPORT_PROCESSES"], **report}


def child(kind: str, path: str, database_url: str = "") -> None:
    result = {
        "import": lambda: import_path(path, database_url or None),
        "phones": lambda: baseline(path, emails=False),
        "addresses": lambda: baseline(path, emails=True),
    }[kind]()
    result["peak_rss_mb"] = peak_rss_mb()
    result["peak_child_rss_mb"] = peak_child_rss_mb()
    print(json.dumps(result))


def measure(kind: str, path: str, database_url: str = "") -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, path, database_url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--postgres", help="a PostgreSQL server URL to import into as well (in a new database)")
    parser.add_argument("--child", nargs=3)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)

    import leads_csv

    path = os.path.join(tempfile.mkdtemp(prefix="bench-"), "leads.csv")
    leads_csv.write(args.rows, path)
    phones = measure("phones", path)
    addresses = measure("addresses", path)
    imported = measure("import", path)
    rows = args.rows
    table = [("Import (job function, SQLite)", imported)]
    if args.postgres:
        from seeding import fresh_postgres

        database_url, drop = fresh_postgres(args.postgres)
        try:
            table.append(("Import (job function, PostgreSQL)", measure("import", path, database_url)))
        finally:
            drop()
    table += [
        ("Baseline: phonenumbers on the phones", phones),
        ("Baseline: phones + emails normalised", addresses),
    ]
    lines = [
        "## Import: 100,000-lead CSV" if rows == 100_000 else f"## Import: {rows:,}-lead CSV",
        "",
        f"`python benchmarks/import_benchmark.py --rows {rows}{' --postgres …' if args.postgres else ''}` · "
        f"{platform.python_version()} · "
        f"{os.cpu_count()} cores · {time.strftime('%Y-%m-%d')} · seeded file "
        f"({os.path.getsize(path) / 1e6:.1f} MB, generated by `benchmarks/leads_csv.py`)",
        "",
        "| Run | Wall time (s) | Leads/s | Peak RSS (MB) | Largest parsing process RSS (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, result in table:
        lines.append(
            f"| {name} | {result['seconds']:.2f} | {rows / result['seconds']:,.0f} | "
            f"{result['peak_rss_mb']:.0f} | {result['peak_child_rss_mb']:.0f} |"
        )
    lines += [
        "",
        f"- Import ÷ phonenumbers baseline: **{imported['seconds'] / phones['seconds']:.2f}×**; "
        f"import ÷ all-addresses baseline: **{imported['seconds'] / addresses['seconds']:.2f}×** "
        f"(target ≤ 1.5×); peak RSS target ≤ 300 MB. The import parses rows in "
        f"{imported['processes']} processes (IMPORT_PROCESSES, default: one per core) while the "
        "main process writes; the baselines use one.",
        f"- Import outcome: {imported['imported']:,} imported, {imported['duplicates']:,} duplicates, "
        f"{imported['invalid']:,} invalid rows, {imported['invalid_fields']:,} imported with an invalid "
        f"field, {imported['empty']:,} empty ({imported['rows_done']:,} rows read).",
        "",
    ]
    section = "\n".join(lines)
    print(section)
    _write_section(section)


def _write_section(section: str) -> None:
    target = HERE / "BENCHMARKS.md"
    text = target.read_text() if target.exists() else "# Benchmarks\n\nFigures from the latest run of each script.\n\n"
    title = section.splitlines()[0]  # a section replaces the one of the same heading
    parts = text.split("\n## ")
    kept = [p for p in parts[1:] if ("## " + p).splitlines()[0] != title]
    target.write_text(parts[0].rstrip() + "\n\n" + "".join("## " + p.rstrip() + "\n\n" for p in kept) + section)


if __name__ == "__main__":
    main()
