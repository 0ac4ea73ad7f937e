"""API keys: shown once, stored hashed, revocable, usable only while their manager is."""

from __future__ import annotations

import pytest
from sqlmodel import select

from support_portal.cli import main
from support_portal.clock import utcnow
from support_portal.models import ApiKey
from support_portal.services.api_keys import (
    authenticate,
    create_api_key,
    hash_key,
    principal_for_key,
    revoke_api_key,
)
from support_portal.services.errors import Forbidden, NotFound, ValidationFailed
from support_portal.testkit.factories import make_user, principal


def test_a_new_key_is_stored_only_as_its_hash_and_a_short_prefix(session):
    manager = make_user(session, "manager")
    plaintext, api_key = create_api_key(
        session=session, principal=principal(manager), name="Intercom", now=utcnow()
    )
    session.commit()
    stored = session.exec(select(ApiKey)).one()
    assert plaintext.startswith("sp_") and len(plaintext) > 40
    assert stored.key_hash == hash_key(plaintext) and plaintext not in stored.key_hash
    assert plaintext.startswith(stored.prefix) and len(stored.prefix) < 12
    assert stored.name == "Intercom" and stored.created_by_id == manager.id


def test_the_key_authenticates_and_acts_as_its_manager(session):
    manager = make_user(session, "manager")
    plaintext, api_key = create_api_key(
        session=session, principal=principal(manager), name="A", now=utcnow()
    )
    session.commit()
    found = authenticate(session, plaintext)
    assert found is not None and found.id == api_key.id
    assert principal_for_key(session, found).user_id == manager.id


@pytest.mark.parametrize("presented", [None, "", "sp_wrong", "x" * 10_000])
def test_a_wrong_or_missing_key_does_not_authenticate(session, presented):
    manager = make_user(session, "manager")
    create_api_key(session=session, principal=principal(manager), name="A", now=utcnow())
    session.commit()
    assert authenticate(session, presented) is None


def test_a_revoked_key_stops_working(session):
    manager = make_user(session, "manager")
    plaintext, api_key = create_api_key(
        session=session, principal=principal(manager), name="A", now=utcnow()
    )
    revoke_api_key(
        session=session, principal=principal(manager), prefix=api_key.prefix, now=utcnow()
    )
    session.commit()
    assert authenticate(session, plaintext) is None


def test_a_key_stops_working_when_its_manager_is_deactivated(session):
    manager = make_user(session, "manager")
    plaintext, _ = create_api_key(
        session=session, principal=principal(manager), name="A", now=utcnow()
    )
    manager.is_active = False
    session.add(manager)
    session.commit()
    assert authenticate(session, plaintext) is None


@pytest.mark.parametrize("role", ["agent", "client"])
def test_only_a_manager_may_create_a_key(session, role):
    with pytest.raises(Forbidden):
        create_api_key(
            session=session, principal=principal(make_user(session, role)), name="A", now=utcnow()
        )
    assert session.exec(select(ApiKey)).all() == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 121])
def test_a_key_needs_a_sensible_name(session, name):
    manager = make_user(session, "manager")
    with pytest.raises(ValidationFailed) as exc:
        create_api_key(session=session, principal=principal(manager), name=name, now=utcnow())
    assert "name" in exc.value.errors


def test_revoking_an_unknown_prefix_is_refused(session):
    manager = make_user(session, "manager")
    with pytest.raises(NotFound, match="No active API key"):
        revoke_api_key(
            session=session, principal=principal(manager), prefix="sp_nothing", now=utcnow()
        )


def test_the_cli_prints_the_key_once_and_it_works(db_url, session, capsys):
    make_user(session, "manager", email="boss@agency.example")
    session.commit()
    assert main(["create-api-key", "Front chat"]) == 0
    out = capsys.readouterr().out
    plaintext = out.strip().splitlines()[-1]
    assert "Front chat" in out and "cannot be shown again" in out
    assert authenticate(session, plaintext) is not None


def test_the_cli_revokes_a_key_by_its_prefix(db_url, session, capsys):
    make_user(session, "manager")
    session.commit()
    assert main(["create-api-key", "Front chat"]) == 0
    plaintext = capsys.readouterr().out.strip().splitlines()[-1]
    assert main(["revoke-api-key", plaintext[:11]]) == 0
    assert "Revoked API key 'Front chat'" in capsys.readouterr().out
    session.expire_all()
    assert authenticate(session, plaintext) is None


def test_the_cli_needs_a_manager_to_own_the_key(db_url, capsys):
    assert main(["create-api-key", "Front chat"]) == 1
    assert "no active manager" in capsys.readouterr().err


def test_the_cli_asks_which_manager_when_there_are_several(db_url, session, capsys):
    make_user(session, "manager")
    make_user(session, "manager", email="second@agency.example")
    session.commit()
    assert main(["create-api-key", "Front chat"]) == 1
    assert "--manager EMAIL" in capsys.readouterr().err
    assert main(["create-api-key", "Front chat", "--manager", "second@agency.example"]) == 0
    assert "for second@agency.example" in capsys.readouterr().out


def test_the_cli_refuses_an_unknown_manager_or_prefix(db_url, session, capsys):
    make_user(session, "manager")
    session.commit()
    assert main(["create-api-key", "X", "--manager", "nobody@agency.example"]) == 1
    assert "No active manager" in capsys.readouterr().err
    assert main(["revoke-api-key", "sp_unknown"]) == 1
    assert "No active API key" in capsys.readouterr().err


def test_the_cli_lists_keys_with_their_prefix_and_state(db_url, session, capsys):
    make_user(session, "manager")
    session.commit()
    assert main(["list-api-keys"]) == 0
    assert "No API keys yet" in capsys.readouterr().out
    main(["create-api-key", "Front chat"])
    main(["create-api-key", "Intercom"])
    old = capsys.readouterr().out.strip().splitlines()[-1]
    main(["revoke-api-key", old[:11]])
    capsys.readouterr()
    assert main(["list-api-keys"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "active" in lines[0] and "Front chat" in lines[0]
    assert lines[1].startswith(old[:11]) and "revoked" in lines[1] and old not in lines[1]
