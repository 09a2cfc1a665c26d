"""POST /api/leads with many leads: up to 1,000 a call, as {"leads": [...]} or a bare array; the
good ones land and are checked as one batch, each bad one is reported by its index; more than
1,000 is refused whole. (Its speed is measured in benchmarks/bulk_api_benchmark.py.)"""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extensions import db
from jobs.checks import queue_batch
from models import CheckBatch, Lead
from services.queue import check_queue
from support import auth


def test_a_thousand_leads_in_one_call_are_checked_as_one_batch(app, client, token, demo_line):
    leads = [{"firstName": f"Lead {n}", "phone": f"+1202555{n:04d}"} for n in range(1000)]
    response = client.post("/api/leads", headers=auth(token), json={"leads": leads})
    assert response.status_code == 201, response.json
    body = response.json
    assert body["created"] == 1000 and len(set(body["leadIds"])) == 1000 and body["errors"] == []
    progress = client.get(f"/api/batches/{body['batchId']}", headers=auth(token)).json
    assert (progress["state"], progress["total"], progress["done"]) == ("running", 1000, 0)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(CheckBatch)) == 1
        assert {lead.batch_id for lead in db.session.scalars(db.select(Lead))} == {int(body["batchId"])}
        # One job now, queueing the batch's checks from a worker: the request does not wait for 1,000.
        assert check_queue().count == 1
        assert queue_batch(int(body["batchId"])) == "queued"
        assert check_queue().count == 1 + 1000
        assert queue_batch(int(body["batchId"])) == "nothing to queue"  # a retry of the job


def test_a_worker_queues_and_runs_the_checks(app, client, token, demo_line, run_worker):
    leads = [{"phone": "2025550142"}, {"phone": "2025550143"}, {"email": "ada@icloud.com"}]
    response = client.post("/api/leads", headers=auth(token), json=leads)
    run_worker()
    progress = client.get(f"/api/batches/{response.json['batchId']}", headers=auth(token)).json
    assert (progress["state"], progress["available"], progress["unavailable"]) == ("done", 2, 1)


def test_a_bare_array_is_the_same_and_with_no_line_there_is_no_batch(client, token):
    response = client.post("/api/leads", headers=auth(token), json=[{"phone": "2025550142"}, {"phone": "x"}])
    assert response.status_code == 201
    assert response.json["created"] == 1 and response.json["batchId"] is None
    assert response.json["errors"][0]["index"] == 1
    lead = client.get(f"/api/leads/{response.json['leadIds'][0]}", headers=auth(token)).json["lead"]
    assert lead["status"] == "no_active_line"


def test_more_than_a_thousand_is_refused_whole_saying_why(app, client, token):
    for body in ({"leads": [{"phone": "2025550142"}] * 1001}, [{"phone": "2025550142"}] * 1001):
        response = client.post("/api/leads", headers=auth(token), json=body)
        assert response.status_code == 400 and response.json["code"] == 400
        assert response.json["error"].startswith("At most 1,000 leads per request, and this one has 1,001")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Lead)) == 0


GOOD = st.builds(lambda n: {"phone": f"+1202555{n:04d}"}, st.integers(0, 9999))
BAD = st.one_of(
    st.just({"phone": "12"}),  # no valid address
    st.just({"firstName": "No address"}),
    st.builds(lambda n: {"phone": n}, st.integers()),  # not a string
    st.builds(lambda n: {"phone": "2025550142", "company": "c" * n}, st.integers(201, 400)),  # too long
    st.one_of(st.text(max_size=5), st.integers(), st.none(), st.lists(st.integers(), max_size=2)),  # not an object
)
BULK = settings(max_examples=25, database=None, suppress_health_check=list(HealthCheck))


@BULK
@given(items=st.lists(st.tuples(st.booleans(), st.data()), min_size=1, max_size=30), bare=st.booleans())
def test_good_leads_land_in_one_batch_and_each_bad_one_is_reported_by_index(app, client, token, demo_line, items, bare):
    leads = [data.draw(GOOD if good else BAD) for good, data in items]
    good = [index for index, (is_good, _) in enumerate(items) if is_good]
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Lead))
    response = client.post("/api/leads", headers=auth(token), json=leads if bare else {"leads": leads})
    with app.app_context():
        made = db.session.scalars(
            db.select(Lead).where(Lead.id.in_(map(int, response.json.get("leadIds", [])))).order_by(Lead.id)
        ).all()
        after = db.session.scalar(db.select(db.func.count()).select_from(Lead))
    assert after - before == len(good) == len(made)
    assert [error["index"] for error in response.json["errors"]] == [i for i in range(len(leads)) if i not in good]
    assert all(error["error"] for error in response.json["errors"])
    if good:
        assert response.status_code == 201 and response.json["created"] == len(good)
        assert {lead.batch_id for lead in made} == {int(response.json["batchId"])}
        assert [lead.phone for lead in made] == [leads[i]["phone"] for i in good]
    else:
        assert response.status_code == 400 and response.json["error"] == "No lead was created"
