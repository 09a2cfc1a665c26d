"""Uploads kept in the database: memory stays flat whatever the file's size.

    python benchmarks/upload_storage_benchmark.py [--postgres URL] [--sizes 10,100]

For each size (MB), in a fresh process: store a file of that size as an upload is stored (read
from a stream a chunk at a time, committed), copy it back to local scratch as the import does
(storage.spooled), and read it as the problem-rows download does; prints the seconds of each and
the process's peak RSS. Not written into BENCHMARKS.md (its figures are quoted there by hand).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def child(megabytes: int) -> dict:
    from flask_migrate import upgrade

    from app import create_app
    from extensions import db
    from services.imports import storage

    app = create_app()
    block = os.urandom(1024 * 1024)
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        with tempfile.TemporaryFile() as source, open(os.devnull, "wb") as preview:
            for _ in range(megabytes):  # as Werkzeug spools a request's file
                source.write(block)
            source.seek(0)
            storage.save("bench", source, preview)
        db.session.commit()
        stored = time.perf_counter()
        with storage.spooled("bench") as path:
            assert path.stat().st_size == megabytes * len(block)
        spooled = time.perf_counter()
        assert sum(len(chunk) for chunk in storage.chunks("bench", storage.FILE)) == megabytes * len(block)
        read = time.perf_counter()
    return {
        "store_s": stored - started,
        "spool_s": spooled - stored,
        "read_s": read - spooled,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postgres")
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument("--child", type=int)
    args = parser.parse_args()
    if args.child:
        return print(json.dumps(child(args.child)))
    from seeding import fresh_postgres

    for size in (int(s) for s in args.sizes.split(",")):
        env = {**os.environ, "INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-storage-")}
        env.pop("DATABASE_URL", None)
        drop = None
        if args.postgres:
            env["DATABASE_URL"], drop = fresh_postgres(args.postgres)
        try:
            out = subprocess.run(
                [sys.executable, __file__, "--child", str(size)], env=env, check=True, capture_output=True, text=True
            )
        finally:
            if drop:
                drop()
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{size} MB: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()))


if __name__ == "__main__":
    main()
