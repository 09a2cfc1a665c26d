"""The Settings page: periodic re-check and answer reuse, per workspace."""

import re

from extensions import db
from models import User


def test_settings_are_saved_for_the_workspace(app, logged_in, user):
    page = logged_in.get("/settings/").get_data(as_text=True)
    # The values in force (the app's defaults), each with its unit and its help; no placeholder.
    for name, days in (("cache_available_days", 30), ("cache_unavailable_days", 7)):
        field = re.search(rf'<span class="with-unit">(<input[^>]*id="{name}"[^>]*>) days</span>', page).group(1)
        assert f'value="{days}"' in field and "placeholder" not in field
        assert f'aria-describedby="{name}-help"' in field and f"Default: {days} days" in page
    assert 'aria-describedby="recheck_every-help"' in page and "every 60 minutes" in page
    response = logged_in.post(
        "/settings/", data={"recheck_every": "weekly", "cache_available_days": "10", "cache_unavailable_days": "7"}
    )
    assert response.status_code == 302
    with app.app_context():
        workspace = db.session.get(User, user).workspace
        # 7 is the default: the workspace keeps following it, should the installation change it.
        assert (workspace.recheck_every, workspace.cache_available_days, workspace.cache_unavailable_days) == (
            "weekly",
            10,
            None,
        )
    assert 'value="10"' in logged_in.get("/settings/").get_data(as_text=True)


def test_bad_settings_are_explained_and_not_saved(app, logged_in, user):
    response = logged_in.post("/settings/", data={"recheck_every": "daily", "cache_available_days": "-1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Not a valid choice" in html and "between 0 and 365" in html
    with app.app_context():
        assert db.session.get(User, user).workspace.recheck_every == "off"
