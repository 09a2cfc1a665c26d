"""Secrets at rest: line credentials encrypted under rotatable keys, API tokens kept only as hashes."""

import pytest
from cryptography.fernet import Fernet, InvalidToken

from app import create_app
from extensions import db
from models import ApiToken, Line, User
from services import line_admin


def test_line_secrets_survive_a_key_rotation_and_then_need_only_the_new_key(app, user):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    before = create_app({"TESTING": True, "LINE_SECRET_KEYS": [old_key]})
    with before.app_context():
        workspace_id = db.session.get(User, user).workspace_id
        line_admin.add_line(
            workspace_id, name="Mac", provider="bluebubbles", url="http://127.0.0.1:1", secret="mac-password"
        )
    # The operator puts a new key first: old secrets still read, new ones use the new key.
    during = create_app({"TESTING": True, "LINE_SECRET_KEYS": [new_key, old_key]})
    with during.app_context():
        box = during.extensions["secrets_box"]
        assert box.decrypt(db.session.scalar(db.select(Line.secret_encrypted))) == "mac-password"
        assert line_admin.rotate_secrets() == 1
    after = create_app({"TESTING": True, "LINE_SECRET_KEYS": [new_key]})
    with after.app_context():
        stored = db.session.scalar(db.select(Line.secret_encrypted))
        assert after.extensions["secrets_box"].decrypt(stored) == "mac-password"
        assert "mac-password" not in stored
        with pytest.raises(InvalidToken):  # the old key can now be thrown away
            Fernet(old_key.encode()).decrypt(stored.encode())


def test_api_tokens_are_stored_only_as_hashes(app, token):
    with app.app_context():
        rows = db.session.scalars(db.select(ApiToken)).all()
    assert len(rows) == 1
    assert token not in rows[0].token_hash and len(rows[0].token_hash) == 64
