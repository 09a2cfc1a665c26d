"""Every lead field of the fields table at lengths around its limit, through the API and the add-lead
form, on whichever database the suite runs on (CI runs it on SQLite and on PostgreSQL): up to the
limit the value is stored whole; past it the answer is a clear 400 or form error naming the field,
and nothing is stored. PostgreSQL counts a varchar's length in characters, as Python does, and
refuses one more (a 500, before the limits were read from one table); SQLite enforces no length, so
only the app's own check stands between a long value and the table there."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from availability.fields import LEAD_FIELDS
from extensions import db
from models import Lead
from support import auth

LENGTHS = settings(max_examples=60, database=None, deadline=None, suppress_health_check=list(HealthCheck))
# One to four bytes in UTF-8, so a limit counted in bytes anywhere would show.
CHARACTERS = st.sampled_from(["x", "é", "中", "😀"])
AROUND_THE_LIMIT = st.tuples(st.sampled_from(LEAD_FIELDS), st.integers(-2, 2), CHARACTERS)


def another_address(field) -> dict:
    """A valid address in a field other than `field`, so the lead is one whatever `field` holds."""
    return {"email": "ada@example.com"} if field.key == "phone" else {"phone": "2025550142"}


def stored(app) -> list[Lead]:
    with app.app_context():
        return db.session.scalars(db.select(Lead).order_by(Lead.id)).all()


@LENGTHS
@given(case=AROUND_THE_LIMIT)
def test_the_api_stores_every_field_up_to_its_limit_and_refuses_one_more(app, client, token, case):
    field, offset, character = case
    value = character * (field.max_length + offset)
    before = len(stored(app))
    response = client.post(
        "/api/leads", headers=auth(token), json={"leads": [{**another_address(field), field.json: value}]}
    )
    if offset <= 0:
        assert response.status_code == 201, response.json
        lead = client.get(f"/api/leads/{response.json['leadIds'][0]}", headers=auth(token)).json["lead"]
        assert lead[field.json] == value
    else:
        assert response.status_code == 400, response.json
        assert response.json["errors"] == [
            {"index": 0, "error": f"{field.json} is longer than {field.max_length} characters"}
        ]
        assert len(stored(app)) == before


@LENGTHS
@given(case=AROUND_THE_LIMIT)
def test_the_form_stores_every_field_up_to_its_limit_and_says_which_is_too_long(app, logged_in, case):
    field, offset, character = case
    value = character * (field.max_length + offset)
    before = stored(app)
    page = logged_in.post("/leads/", data={**another_address(field), field.key: value}, follow_redirects=True)
    assert page.status_code == (200 if offset <= 0 else 400)  # refused: the form comes back as typed
    after = stored(app)
    if offset <= 0:
        assert len(after) == len(before) + 1 and getattr(after[-1], field.key) == value
    else:
        assert f"{field.label} is longer than {field.max_length} characters" in page.get_data(as_text=True)
        assert len(after) == len(before)


def test_the_form_and_the_api_describe_the_same_limits(client, logged_in):
    page = logged_in.get("/leads/").get_data(as_text=True)
    described = client.get("/api/openapi.json").json["components"]["schemas"]["LeadInput"]["properties"]
    for field in LEAD_FIELDS:
        assert f'name="{field.key}" maxlength="{field.max_length}"' in page
        assert described[field.json]["maxLength"] == field.max_length
