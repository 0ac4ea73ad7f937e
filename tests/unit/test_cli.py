"""The `support-portal` command line: each command's success and its error paths."""

from __future__ import annotations

from sqlmodel import select

from support_portal.cli import main
from support_portal.models import Organization, Ticket, User


def test_create_org_then_a_client_in_it(db_url, session, capsys):
    assert main(["create-org", "Acme Dental", "--timezone", "Europe/Paris"]) == 0
    assert (
        main(
            [
                "create-user",
                "--email",
                "ann@acme.example",
                "--name",
                "Ann",
                "--role",
                "client",
                "--organization",
                "Acme Dental",
                "--password",
                "long-enough",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "Created organization Acme Dental" in out and "Created client ann@acme.example" in out
    user = session.exec(select(User)).one()
    org = session.exec(select(Organization)).one()
    assert user.organization_id == org.id and org.timezone == "Europe/Paris"


def test_unknown_organization_is_an_error(db_url, capsys):
    code = main(
        [
            "create-user",
            "--email",
            "x@acme.example",
            "--name",
            "X",
            "--role",
            "client",
            "--organization",
            "Nope",
            "--password",
            "long-enough",
        ]
    )
    assert code == 1
    assert "No organization named 'Nope'" in capsys.readouterr().err


def test_duplicate_email_is_an_error(db_url, capsys):
    args = [
        "create-user",
        "--email",
        "a@agency.example",
        "--name",
        "A",
        "--role",
        "agent",
        "--password",
        "long-enough",
    ]
    assert main(args) == 0
    assert main(args) == 1
    assert "already exists" in capsys.readouterr().err


def test_bad_role_is_an_error(db_url, capsys):
    code = main(
        [
            "create-user",
            "--email",
            "a@agency.example",
            "--name",
            "A",
            "--role",
            "admin",
            "--password",
            "long-enough",
        ]
    )
    assert code == 1
    assert "Unknown role 'admin'" in capsys.readouterr().err


def test_bad_time_zone_is_an_error(db_url, capsys):
    assert main(["create-org", "Acme", "--timezone", "Mars/Olympus"]) == 1
    assert "Unknown time zone" in capsys.readouterr().err


def test_password_prompt_is_used_when_no_password_is_given(db_url, session, monkeypatch):
    answers = iter(["prompted-pass", "prompted-pass"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert (
        main(["create-user", "--email", "m@agency.example", "--name", "M", "--role", "manager"])
        == 0
    )
    assert session.exec(select(User)).one().role == "manager"


def test_seed_demo_loads_once_and_then_refuses(db_url, session, capsys):
    assert main(["seed-demo"]) == 0
    assert len(session.exec(select(Ticket)).all()) == 20
    statuses = {t.status for t in session.exec(select(Ticket)).all()}
    assert statuses == {"new", "in_progress", "waiting_on_client", "resolved", "closed"}
    assert main(["seed-demo"]) == 1
    assert main(["seed-demo", "--if-empty"]) == 0
    assert len(session.exec(select(Ticket)).all()) == 20


def test_migrate_brings_an_empty_database_to_head(tmp_path, monkeypatch, capsys):
    from support_portal.settings import get_settings

    monkeypatch.setenv("DB_URL", f"sqlite:///{tmp_path / 'fresh.db'}")
    get_settings.cache_clear()
    try:
        assert main(["migrate"]) == 0
        assert "up to date" in capsys.readouterr().out
    finally:
        get_settings.cache_clear()
