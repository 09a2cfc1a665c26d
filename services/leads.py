"""Creating, finding and counting leads: shared by the leads table, the lead's page, the API and
imports. Editing and deleting them: lead_edits.py."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam

from availability.addresses import FieldValue, read_field
from availability.fields import ADDRESS_FIELDS, FIELDS, NAME_FIELDS
from availability.statuses import LeadStatus
from extensions import db
from models import AddressResult, Lead, LeadTally, Line, Workspace, dialects, search_fold, search_text, utcnow

UNSTORABLE = "holds a character that can't be stored (a NUL or an unpaired surrogate)"


class NoAddress(ValueError):
    """A lead with no valid phone number or email address: nothing could ever be checked. The
    message says why, for people."""


NO_ADDRESS = "A lead needs at least one phone number or email address."


class InvalidLead(ValueError):
    """Fields that can't be stored as sent; `problems` maps each field to why, for people
    ("longer than 100 characters"). Each caller names the fields its own way."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{field} {problem}" for field, problem in problems.items()))
        self.problems = problems


def field_problem(field: str, value: str) -> str | None:
    """Why `value` (stripped, as it would be stored) can't go in `field`, or None."""
    if len(value) > (limit := FIELDS[field].max_length):
        return f"is longer than {limit} characters"
    # PostgreSQL refuses NUL in text and no database driver encodes a lone surrogate; JSON can
    # carry both ("\u0000", "\ud800").
    if "\x00" in value or (not value.isascii() and not _encodable(value)):
        return UNSTORABLE
    return None


def _encodable(value: str) -> bool:
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def address_rule(read: list[FieldValue]) -> None:
    """The one rule for a lead's addresses, wherever it comes from (the form, the API, an edit, a
    PATCH; the import holds each row to the same): it keeps invalid addresses only beside a valid
    one. Raises NoAddress saying which addresses are wrong."""
    if any(value.normalised for value in read):
        return
    typed = [value for value in read if value.raw]
    if not typed:
        raise NoAddress(NO_ADDRESS)
    reasons = "; ".join(f"{FIELDS[v.field].label} “{v.raw[:60]}” is {v.problem}" for v in typed)
    raise NoAddress(f"A lead needs at least one valid phone number or email address: {reasons}.")


def read_lead(data: dict, region: str) -> tuple[dict[str, str], list[FieldValue]]:
    """Every field of `data` (keys of the fields table; missing ones empty) as it would be stored,
    and its addresses read. Raises InvalidLead for fields too long or unstorable, NoAddress by
    address_rule."""
    values = {field: (data.get(field) or "").strip() for field in FIELDS}
    problems = {field: problem for field, value in values.items() if (problem := field_problem(field, value))}
    if problems:
        raise InvalidLead(problems)
    read = [read_field(field, kind, values[field], region) for field, kind in ADDRESS_FIELDS]
    address_rule(read)
    return values, read


def new_lead(workspace: Workspace, data: dict) -> tuple[Lead, list[FieldValue]]:
    """A lead with every address kept as typed (invalid ones are marked, not dropped, beside a
    valid one), added to the session, not committed. Raises as read_lead."""
    row, read = lead_row(workspace, data)
    lead = Lead(**row)
    db.session.add(lead)
    return lead, read


def lead_row(workspace: Workspace, data: dict) -> tuple[dict, list[FieldValue]]:
    """A new lead's column values (as new_lead stores them) and its addresses read. Raises as read_lead."""
    values, read = read_lead(data, workspace.default_region)
    row = {"workspace_id": workspace.id, **{field: values[field] for field in NAME_FIELDS}}
    for value in read:
        row[value.field], row[f"{value.field}_norm"] = value.raw, value.normalised
    row["search_text"] = search_text([values[field] for field in NAME_FIELDS], [(v.raw, v.normalised) for v in read])
    return row, read


def insert_leads(rows: list[dict]) -> list[int]:
    """Many new leads (lead_row's) in one go, not committed; their ids in order. At 1,000 leads the
    ORM's unit of work costs more than the database."""
    now = utcnow()
    base = {"status": LeadStatus.NOT_CHECKED.value, "created_at": now, "updated_at": now}
    return dialects.insert_returning_ids(db.session.connection(), Lead.__table__, [{**base, **row} for row in rows])


def create_lead(workspace: Workspace, data: dict) -> tuple[Lead, list[FieldValue]]:
    """new_lead, committed, so the new lead has an id for its check."""
    lead, read = new_lead(workspace, data)
    db.session.commit()
    return lead, read


SORTS = {
    "newest": (Lead.id.desc(),),
    "name": (Lead.last_name, Lead.first_name, Lead.id),
    "status": (Lead.status, Lead.id.desc()),
    "checked": (Lead.checked_at.desc(), Lead.id.desc()),
}


def matching(workspace_id: int, status: str | None = None, q: str | None = None):
    """The SQL condition for a workspace's leads with `status`, whose names, company, or any
    address contains `q`, in any case, a phone number however written (both read by search_fold).
    Shared by the table, the export and "check all matching"."""
    conditions = [Lead.workspace_id == workspace_id]
    if status in LeadStatus.__members__.values():
        conditions.append(Lead.status == status)
    text = (q or "").strip()
    if text:
        # PostgreSQL answers this LIKE from its trigram index (migration 0009); SQLite scans
        # the newest-first index, which carries the search column (0010).
        conditions.append(Lead.search_text.like(f"%{search_fold(text.replace('%', '').replace('_', ''))}%"))
    return db.and_(*conditions)


def in_order(condition, sort: str):
    """The leads meeting `condition`, in the table's `sort` order (the table and the export)."""
    return db.select(Lead).where(condition).order_by(*SORTS[sort])


def _tally(workspace_id: int, *columns):
    return (
        db.select(*columns, LeadTally.status, db.func.sum(LeadTally.n))
        .where(LeadTally.workspace_id == workspace_id, LeadTally.batch_id == 0)
        .group_by(LeadTally.status)
    )


def status_counts(workspace_id: int) -> dict[str, int]:
    """How many leads the workspace has in each status, from the tally (one query, a few rows)."""
    return {status: int(n) for status, n in db.session.execute(_tally(workspace_id))}


def _search_and_tally(workspace_id: int, condition) -> tuple[list[int], dict[str, int]]:
    """The ids of up to FEW_MATCHES + 1 leads meeting `condition`, and status_counts, in one
    statement: a search page reads the chips' counts without a round trip of their own."""
    found = (
        db.select(
            Lead.id.label("id"),
            db.cast(db.null(), LeadTally.status.type).label("status"),
            db.cast(db.null(), db.BigInteger).label("n"),
        )
        .where(condition)
        .limit(FEW_MATCHES + 1)
        .subquery()  # a LIMIT inside a UNION needs a subquery on SQLite
    )
    ids, counts = [], {}
    for lead_id, status, n in db.session.execute(db.union_all(db.select(found), _tally(workspace_id, db.null()))):
        if lead_id is None:
            counts[status] = int(n)
        else:
            ids.append(lead_id)
    return ids, counts


def count_leads(workspace_id: int, status: str | None = None) -> int:
    """How many leads the workspace has (with `status`), from the tally: a few rows, however big
    the workspace."""
    tally = db.select(db.func.coalesce(db.func.sum(LeadTally.n), 0)).where(
        LeadTally.workspace_id == workspace_id, LeadTally.batch_id == 0
    )
    if status in LeadStatus.__members__.values():
        tally = tally.where(LeadTally.status == status)
    return db.session.scalar(tally)


# A search matching more leads than this is not counted: the table says "1,000+". Counting a broad
# search reads every lead of the workspace (on SQLite a scan of 100,000 index entries, ~20 ms, more
# than the rest of the page); the table needs only its page.
FEW_MATCHES = 1000


@dataclass
class TablePage:
    """One page of the leads table. `total` is None when a search matched more than FEW_MATCHES.
    `counts`: the workspace's leads by status (the tally, whatever the search)."""

    items: list[Lead]
    page: int
    per_page: int
    total: int | None
    has_next: bool
    counts: dict[str, int]

    @property
    def total_label(self) -> str:
        return f"{FEW_MATCHES:,}+" if self.total is None else f"{self.total:,}"

    @property
    def pages(self) -> int | None:
        return None if self.total is None else max(1, -(-self.total // self.per_page))


def table_page(workspace_id: int, status: str | None, q: str | None, sort: str, page: int, per_page: int) -> TablePage:
    """Page `page` of the leads table in `sort` order, and how many leads there are. A search's
    matches are not in the tally. Most searches match a few leads: their ids, found in one pass,
    give the count and the page (on SQLite a search is a scan, which would otherwise run twice, for the rows and for the
    count, neither stopping early). Past FEW_MATCHES the page is read by searching again, stopping
    at its last row, and the matches are not counted."""
    condition = matching(workspace_id, status, q)
    # The tally gives the chips' counts (whatever the search) and, without a search, the total.
    if not (q or "").strip():
        counts = status_counts(workspace_id)
        total = counts.get(status, 0) if status in LeadStatus.__members__.values() else sum(counts.values())
    else:
        found, counts = _search_and_tally(workspace_id, condition)
        if len(found) <= FEW_MATCHES:
            condition, total = Lead.id.in_(found), len(found)
        else:
            total = None
    # Ids are 32-bit: no page past 2**31 leads has any, and its offset could overflow the database's
    # integer (a 500 for ?page=9223372036854775807).
    page = min(max(page, 1), 2**31 // per_page + 1)
    # One row past the page says whether there is a next one, counted or not.
    rows = db.session.scalars(in_order(condition, sort).offset((page - 1) * per_page).limit(per_page + 1)).all()
    return TablePage(rows[:per_page], page, per_page, total, len(rows) > per_page, counts)


# Built once: every open leads page's poll runs it (see checks/progress.py).
_BY_IDS = db.select(Lead).where(
    Lead.workspace_id == bindparam("workspace_id"), Lead.id.in_(bindparam("ids", expanding=True))
)


def leads_by_id(workspace_id: int, ids: list[int]) -> list[Lead]:
    """The workspace's leads among `ids` (others' ids are ignored), in no set order."""
    return list(db.session.scalars(_BY_IDS, {"workspace_id": workspace_id, "ids": ids})) if ids else []


def leads_after(
    workspace_id: int, *, status: str | None, updated_since: datetime | None, before_id: int | None, limit: int
) -> tuple[list[Lead], bool]:
    """The API's list: up to `limit` of the workspace's leads, newest first, with ids below
    `before_id` (the previous page's last), and whether more follow."""
    query = db.select(Lead).where(Lead.workspace_id == workspace_id)
    if status:
        query = query.where(Lead.status == status)
    if updated_since:
        query = query.where(Lead.updated_at >= updated_since)
    if before_id:
        query = query.where(Lead.id < before_id)
    rows = db.session.scalars(query.order_by(Lead.id.desc()).limit(limit + 1)).all()
    return rows[:limit], len(rows) > limit


def last_answers(lead: Lead) -> dict:
    """The last answer about each of the lead's addresses (the workspace's, whichever lead it was
    asked for), with the name of the line that gave it (None: the line was deleted since)."""
    addresses = [value.normalised for value in lead.address_fields() if value.normalised]
    rows = db.session.execute(
        db.select(AddressResult.address, AddressResult.result, AddressResult.checked_at, Line.name.label("line"))
        .outerjoin(Line, Line.id == AddressResult.line_id)
        .where(AddressResult.workspace_id == lead.workspace_id, AddressResult.address.in_(addresses))
    ).all()
    return {row.address: row for row in rows}
