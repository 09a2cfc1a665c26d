"""The lead counts the leads page and the progress poll read (LeadTally, kept by triggers) always
equal counting the leads themselves, whatever writes them: bulk inserts, single rows through the
ORM, bulk updates of status and batch, deletes. Runs on the suite's database (SQLite, or
PostgreSQL in CI's second pass), whose triggers differ."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.statuses import LeadStatus
from extensions import db
from models import CheckBatch, Lead, LeadTally, Workspace

STATUSES = [status.value for status in LeadStatus]

insert = st.tuples(st.just("insert"), st.lists(st.tuples(st.sampled_from(STATUSES), st.integers(-1, 2)), max_size=12))
add_one = st.tuples(st.just("add_one"), st.sampled_from(STATUSES), st.integers(-1, 2))
update = st.tuples(
    st.just("update"),
    st.integers(1, 3),
    st.integers(0, 2),
    st.sampled_from(STATUSES) | st.none(),
    st.integers(-1, 2) | st.none(),
)
change_one = st.tuples(st.just("change_one"), st.integers(0, 30), st.sampled_from(STATUSES))
delete = st.tuples(st.just("delete"), st.integers(2, 4), st.integers(0, 3))
operations = st.lists(st.one_of(insert, add_one, update, change_one, delete), min_size=1, max_size=12)


def counted(workspace_id: int) -> dict:
    """The truth, counted from the leads: {(batch_id or 0, status): n}."""
    rows = db.session.execute(
        db.select(Lead.batch_id, Lead.status, db.func.count())
        .where(Lead.workspace_id == workspace_id)
        .group_by(Lead.batch_id, Lead.status)
    ).all()
    truth = {}
    for batch_id, status, n in rows:
        truth[(0, status)] = truth.get((0, status), 0) + n
        if batch_id is not None:
            truth[(batch_id, status)] = n
    return truth


def tallied(workspace_id: int) -> dict:
    return {
        (batch_id, status): n
        for batch_id, status, n in db.session.execute(
            db.select(LeadTally.batch_id, LeadTally.status, LeadTally.n).where(
                LeadTally.workspace_id == workspace_id, LeadTally.n != 0
            )
        )
    }


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_the_tally_always_equals_counting_the_leads(app, steps):
    with app.app_context():
        workspace = Workspace(name="tally")
        db.session.add(workspace)
        db.session.flush()
        batches = [CheckBatch(workspace_id=workspace.id, kind="bulk") for _ in range(3)]
        db.session.add_all(batches)
        db.session.commit()

        def batch(n):  # -1: no batch
            return None if n < 0 else batches[n].id

        for step in steps:
            kind = step[0]
            if kind == "insert" and step[1]:
                db.session.execute(
                    db.insert(Lead),
                    [{"workspace_id": workspace.id, "status": status, "batch_id": batch(b)} for status, b in step[1]],
                )
            elif kind == "add_one":
                db.session.add(Lead(workspace_id=workspace.id, status=step[1], batch_id=batch(step[2])))
            elif kind == "update":
                _, modulus, remainder, status, b = step
                values = {"status": status} if status else {}
                if b is not None:  # -1: out of any batch
                    values["batch_id"] = batch(b)
                if values:
                    db.session.execute(
                        db.update(Lead)
                        .where(Lead.workspace_id == workspace.id, Lead.id % modulus == remainder)
                        .values(**values)
                    )
            elif kind == "change_one":
                leads = db.session.scalars(
                    db.select(Lead).where(Lead.workspace_id == workspace.id).order_by(Lead.id)
                ).all()
                if leads:
                    leads[step[1] % len(leads)].status = step[2]
            elif kind == "delete":
                db.session.execute(
                    db.delete(Lead).where(Lead.workspace_id == workspace.id, Lead.id % step[1] == step[2])
                )
            db.session.commit()
            assert tallied(workspace.id) == counted(workspace.id), step


def test_counts_follow_a_batch_from_start_to_answers(app, user):
    """Through the app's own paths: a batch's progress and the page's counts move with each answer."""
    from models import User
    from services import leads as lead_store
    from services.checks import batches as batch_checks
    from services.checks import lead as lead_checks
    from services.checks import progress as batch_progress

    with app.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        db.session.execute(
            db.insert(Lead), [{"workspace_id": workspace_id, "phone": f"20255501{n:02d}"} for n in range(10)]
        )
        db.session.commit()
        batch = CheckBatch(workspace_id=workspace_id, kind="bulk", total=10)
        db.session.add(batch)
        db.session.flush()
        db.session.execute(
            db.update(Lead).where(Lead.workspace_id == workspace_id).values(**batch_checks.checking_values(batch))
        )
        db.session.commit()
        assert lead_store.count_leads(workspace_id, "checking") == 10
        assert batch_progress.batch_progress(batch, lines=[])["done"] == 0

        first = db.session.scalars(db.select(Lead).where(Lead.workspace_id == workspace_id).order_by(Lead.id)).first()
        lead_checks.give_up(first.id, lead_checks.batch_run(batch.id), "The line could not tell")
        progress = batch_progress.batch_progress(batch, lines=[])
        assert (progress["done"], progress["total"], progress.get("error")) == (1, 10, 1)
        assert lead_store.count_leads(workspace_id) == 10
        assert lead_store.count_leads(workspace_id, "error") == 1
        assert lead_store.count_leads(workspace_id, "checking") == 9

        assert batch_checks.cancel_batch(batch) == 9
        assert lead_store.count_leads(workspace_id, "checking") == 0
        assert lead_store.count_leads(workspace_id, "not_checked") == 9


def _uploaded(workspace_id: int, phones: list[str]):
    import io

    from werkzeug.datastructures import FileStorage

    from models import UploadState
    from services.imports import uploads

    text = "Phone\n" + "".join(f"{phone}\n" for phone in phones)
    upload, _ = uploads.receive(workspace_id, FileStorage(io.BytesIO(text.encode()), filename="leads.csv"))
    upload.state = UploadState.QUEUED  # what confirming the mapping does
    db.session.commit()
    return upload.id


def test_an_import_counts_its_leads_in_chunks_and_a_failed_chunk_counts_none(app, user, demo_line, monkeypatch):
    """On SQLite an import's chunks go in without the row trigger and tally themselves."""
    import pytest

    from models import User
    from services import leads as lead_store
    from services.imports import importer

    monkeypatch.setattr(importer, "CHUNK", 3)
    app.config["IMPORT_PROCESSES"] = 1
    real_insert = importer._insert

    def failing_third_chunk(leads, upload):
        real_insert(leads, upload)
        if upload.rows_done == 6:
            raise RuntimeError("the disk filled up")

    with app.app_context():
        workspace = db.session.get(User, user).workspace
        first = _uploaded(workspace.id, [f"20255501{n:02d}" for n in range(7)])
        importer.run_import(first)  # in a batch: the demo line is active
        monkeypatch.setattr(importer, "_insert", failing_third_chunk)
        with pytest.raises(RuntimeError):
            importer.run_import(_uploaded(workspace.id, [f"20255502{n:02d}" for n in range(10)]))
        imported = db.session.scalar(
            db.select(db.func.count()).select_from(Lead).where(Lead.workspace_id == workspace.id)
        )
        assert imported == 7 + 6  # the failed chunk was rolled back
        assert counted(workspace.id) == tallied(workspace.id)
        # The tally trigger is in place again: a lead added one at a time is counted.
        lead_store.create_lead(workspace, {"phone": "2025550300"})
        assert counted(workspace.id) == tallied(workspace.id)
        assert tallied(workspace.id)[(0, LeadStatus.NOT_CHECKED)] == 1
