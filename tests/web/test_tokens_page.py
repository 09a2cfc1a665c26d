"""The API tokens page: a token is shown once, works, shows when it was last used, and stops
working when revoked."""

import re

from support import auth


def test_create_use_and_revoke_a_token(app, logged_in):
    page = logged_in.post("/settings/tokens/", data={"name": "CRM sync"}).get_data(as_text=True)
    token = re.search(r'<code id="new-token">(imc_[\w-]+)</code>', page).group(1)
    assert "shown only this once" in page
    listing = logged_in.get("/settings/tokens/").get_data(as_text=True)
    assert "CRM sync" in listing and token not in listing and "Never" in listing

    assert logged_in.get("/api/leads/check-availability?id=1", headers=auth(token)).status_code == 404
    assert "Never" not in logged_in.get("/settings/tokens/").get_data(as_text=True)  # last used: now

    token_id = re.search(r"/settings/tokens/(\d+)/revoke", listing).group(1)
    response = logged_in.post(f"/settings/tokens/{token_id}/revoke", follow_redirects=True)
    assert "revoked" in response.get_data(as_text=True)
    assert logged_in.get("/api/leads/check-availability?id=1", headers=auth(token)).status_code == 401


def test_a_token_needs_a_name(logged_in):
    response = logged_in.post("/settings/tokens/", data={"name": ""})
    assert response.status_code == 400 and "new-token" not in response.get_data(as_text=True)


def test_another_workspaces_token_cannot_be_revoked(app, logged_in, client):
    from cli import create_user
    from extensions import db
    from models import ApiToken
    from services import tokens as api_tokens

    with app.app_context():
        other = create_user("eve@example.com", "another long password")
        api_tokens.create_token(other, "theirs")
        theirs = db.session.scalar(db.select(ApiToken.id))
    assert logged_in.post(f"/settings/tokens/{theirs}/revoke").status_code == 404
    assert "theirs" not in logged_in.get("/settings/tokens/").get_data(as_text=True)
