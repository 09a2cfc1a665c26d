"""Leads from the seeded mix written straight into a workspace, thousands per statement, for the
benchmarks that need a big workspace fast (the import path has its own benchmark)."""

import os
import secrets
import sys
from pathlib import Path

import leads_csv
from cryptography.fernet import Fernet

# The test suite's throwaway-database helper, shared rather than copied.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import free_port, fresh_postgres  # noqa: E402,F401

# Every process a benchmark starts shares these keys, as the hosts of one database must (the app
# refuses to start on PostgreSQL without them).
os.environ.setdefault("SECRET_KEY", secrets.token_hex(32))
os.environ.setdefault("LINE_SECRET_KEYS", Fernet.generate_key().decode())

FIELDS = ["phone", "email", "alt_phone1", "alt_phone2", "alt_email1"]


def insert_leads(workspace_id: int, count: int, values_for=lambda n: {}) -> None:
    """`count` leads, normalised as the app does; `values_for(n)` adds columns to the n-th."""
    from availability.addresses import read_field
    from availability.fields import ADDRESS_FIELDS
    from extensions import db
    from models import Lead, search_text

    kinds = dict(ADDRESS_FIELDS)
    chunk = []
    for n, row in enumerate(leads_csv.rows(count)):
        values = {"workspace_id": workspace_id, "first_name": row[0], "last_name": row[1], "company": row[2]}
        for field, raw in zip(FIELDS, row[3:]):
            read = read_field(field, kinds[field], raw, "US")
            values[field], values[f"{field}_norm"] = read.raw, read.normalised
        values["search_text"] = search_text(row[:3], [(values[field], values[f"{field}_norm"]) for field in FIELDS])
        values.update(values_for(n))
        chunk.append(values)
        if len(chunk) == 5000:
            db.session.execute(db.insert(Lead), chunk)
            chunk = []
    if chunk:
        db.session.execute(db.insert(Lead), chunk)
    db.session.commit()
