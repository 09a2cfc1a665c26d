"""A form refused for a mistake comes back with what was typed, and says what is wrong beside the
field concerned: nobody types a lead, a line or a token twice."""

import re

from extensions import db
from models import ApiToken, Lead, Line


def test_the_add_lead_form_comes_back_as_typed_with_the_problem(app, logged_in):
    typed = {"first_name": "Ada", "company": "Analytical Engines", "phone": "555-12", "alt_email1": "ada@"}
    response = logged_in.post("/leads/", data=typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for name, value in typed.items():
        assert re.search(rf'<input type="text" id="{name}" name="{name}" maxlength="\d+" value="{value}"', page), name
    assert re.search(r'<details class="card add-lead" open>', page)
    assert re.search(r'<details class="more" open>', page)  # an alternate was typed: shown
    assert page.count("needs at least one valid phone number or email address") == 1
    assert 'role="alert" id="add-lead-problem"' in page and 'class="flash' not in page
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Lead.id))) == 0


def test_a_field_too_long_is_said_beside_it(logged_in):
    response = logged_in.post("/leads/", data={"phone": "2025550142", "company": "x" * 201})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(
        r'id="company" name="company" maxlength="200" value="x{201}" aria-invalid="true" '
        r'aria-describedby="company-problem"><span class="error" id="company-problem">'
        r"Company is longer than 200 characters: nothing was saved.</span>",
        page,
    )
    assert 'value="2025550142"' in page and '<details class="more" >' in page


def test_the_line_form_comes_back_as_typed(app, logged_in):
    typed = {"name": "Office Mac", "provider": "linq", "url": "ftp://mac.example.com", "rate_per_minute": "9"}
    page = logged_in.post("/lines/new", data={**typed, "sender": "+12025550100"}).get_data(as_text=True)
    assert "Enter an http:// or https:// URL" in page
    assert 'value="Office Mac"' in page and 'value="ftp://mac.example.com"' in page and 'value="9"' in page
    assert 'value="+12025550100"' in page and '<option selected value="linq">' in page
    with app.app_context():
        assert db.session.scalar(db.select(Line)) is None


def test_the_token_form_comes_back_as_typed(app, logged_in):
    response = logged_in.post("/settings/tokens/", data={"name": "CRM " + "x" * 100})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'value="CRM ' + "x" * 100 + '"' in page
    assert 'aria-invalid="true"' in page and '<span class="error" id="name-error">' in page
    with app.app_context():
        assert db.session.scalar(db.select(ApiToken)) is None


def test_the_settings_form_comes_back_as_typed(logged_in):
    data = {"recheck_every": "weekly", "cache_available_days": "400", "cache_unavailable_days": "3"}
    page = logged_in.post("/settings/", data=data).get_data(as_text=True)
    assert "between 0 and 365" in page
    assert 'value="400"' in page and 'value="3"' in page and '<option selected value="weekly">' in page


def test_the_invite_form_comes_back_as_typed(logged_in):
    response = logged_in.post("/settings/team/invite", data={"email": "ada@example.com"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "There is already an account for ada@example.com" in page
    assert 'value="ada@example.com"' in page
