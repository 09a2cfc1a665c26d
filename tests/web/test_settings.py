"""The Settings page: periodic re-check and answer reuse, per workspace."""

from extensions import db
from models import User


def test_settings_are_saved_for_the_workspace(app, logged_in, user):
    page = logged_in.get("/settings/").get_data(as_text=True)
    assert 'placeholder="30"' in page and 'placeholder="7"' in page  # the app's defaults
    response = logged_in.post(
        "/settings/", data={"recheck_every": "weekly", "cache_available_days": "10", "cache_unavailable_days": ""}
    )
    assert response.status_code == 302
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        assert (workspace.recheck_every, workspace.cache_available_days, workspace.cache_unavailable_days) == (
            "weekly",
            10,
            None,
        )


def test_bad_settings_are_explained_and_not_saved(app, logged_in, user):
    response = logged_in.post("/settings/", data={"recheck_every": "daily", "cache_available_days": "-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not a valid choice" in html and "between 0 and 365" in html
    with app.app_context():
        assert db.session.get(User, user).workspace.recheck_every == "off"
