"""`support-portal`: the command line for operators (migrations, demo data, accounts, worker)."""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence

from support_portal.clock import utcnow
from support_portal.services.errors import ServiceError


def _cmd_migrate(args: argparse.Namespace) -> int:
    from support_portal.db import migrations

    migrations.upgrade()
    print("Database is up to date.")
    return 0


def _cmd_seed_demo(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.demo_data import has_data, seed_demo

    with session_scope() as session:
        if has_data(session):
            if args.if_empty:
                print("Demo data not loaded: the database already has data.")
                return 0
            print("The database already has data; refusing to add demo data.", file=sys.stderr)
            return 1
        seed_demo(session)
        session.commit()
    print("Demo data loaded. Sign in as manager@agency.example / demo-password.")
    return 0


def _cmd_create_org(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.accounts import create_organization

    with session_scope() as session:
        org = create_organization(
            session=session,
            name=args.name,
            timezone=args.timezone,
            crm_subaccount_id=args.crm_subaccount,
        )
        session.commit()
        print(f"Created organization {org.name} (id {org.id}).")
    return 0


def _cmd_create_user(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.accounts import create_user, find_organization

    password = args.password
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat password: "):
            print("The passwords do not match.", file=sys.stderr)
            return 1
    with session_scope() as session:
        org = (
            find_organization(session=session, name=args.organization)
            if args.organization
            else None
        )
        user = create_user(
            session=session,
            email=args.email,
            name=args.name,
            role=args.role,
            password=password,
            organization=org,
            phone=args.phone,
        )
        session.commit()
        print(f"Created {user.role} {user.email} (id {user.id}).")
    return 0


def _acting_manager(session, email: str | None):
    """The manager a key belongs to: the one named, or the only active manager."""
    from sqlmodel import col, select

    from support_portal.models import User
    from support_portal.services.auth import normalize_email
    from support_portal.services.authz import Principal
    from support_portal.services.errors import NotFound

    query = select(User).where(User.role == "manager", col(User.is_active).is_(True))
    if email:
        manager = session.exec(query.where(User.email == normalize_email(email))).first()
        if manager is None:
            raise NotFound(f"No active manager with the email {email!r}.")
        return Principal.of(manager)
    managers = session.exec(query.limit(2)).all()
    if not managers:
        raise NotFound("There is no active manager; create one first with create-user.")
    if len(managers) > 1:
        raise NotFound("There are several managers; say whose key it is with --manager EMAIL.")
    return Principal.of(managers[0])


def _cmd_create_api_key(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.api_keys import create_api_key

    with session_scope() as session:
        principal = _acting_manager(session, args.manager)
        plaintext, api_key = create_api_key(
            session=session, principal=principal, name=args.name, now=utcnow()
        )
        session.commit()
    print(f"Created API key {api_key.name!r} (prefix {api_key.prefix}) for {principal.email}.")
    print("Copy it now; it is stored only as a hash and cannot be shown again:")
    print(plaintext)
    return 0


def _cmd_revoke_api_key(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.api_keys import revoke_api_key

    with session_scope() as session:
        principal = _acting_manager(session, args.manager)
        api_key = revoke_api_key(
            session=session, principal=principal, prefix=args.prefix, now=utcnow()
        )
        session.commit()
    print(f"Revoked API key {api_key.name!r} (prefix {api_key.prefix}).")
    return 0


def _cmd_list_api_keys(args: argparse.Namespace) -> int:
    from support_portal.db import session_scope
    from support_portal.services.api_keys import list_api_keys

    with session_scope() as session:
        principal = _acting_manager(session, args.manager)
        keys = list_api_keys(session=session, principal=principal)
    if not keys:
        print("No API keys yet. Create one with create-api-key NAME.")
    for key in keys:
        state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
        print(f"{key.prefix}  {state:<18}  created {key.created_at:%Y-%m-%d}  {key.name}")
    return 0


def _cmd_worker(args: argparse.Namespace) -> int:
    from support_portal.jobs.runner import run_forever

    run_forever(once=args.once)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="support-portal", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=_cmd_migrate)

    p = sub.add_parser("seed-demo", help="load demo organizations, users, chats and tickets")
    p.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
    p.set_defaults(func=_cmd_seed_demo)

    p = sub.add_parser("create-org", help="create a client organization")
    p.add_argument("name")
    p.add_argument("--timezone", default="UTC")
    p.add_argument("--crm-subaccount", default=None, help="the CRM sub-account identifier")
    p.set_defaults(func=_cmd_create_org)

    p = sub.add_parser("create-user", help="create a client, agent or manager")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--role", required=True, help="client, agent or manager")
    p.add_argument("--organization", help="organization name (clients only)")
    p.add_argument("--phone")
    p.add_argument("--password", help="omit to be prompted")
    p.set_defaults(func=_cmd_create_user)

    p = sub.add_parser("create-api-key", help="a key for an outside chat tool (shown once)")
    p.add_argument("name", help="what uses the key, e.g. the chat tool's name")
    p.add_argument("--manager", help="the manager the key acts as (needed if several)")
    p.set_defaults(func=_cmd_create_api_key)

    p = sub.add_parser("revoke-api-key", help="stop an API key from working")
    p.add_argument("prefix", help="the key's prefix, as printed when it was created")
    p.add_argument("--manager", help="the manager revoking it (needed if several)")
    p.set_defaults(func=_cmd_revoke_api_key)

    p = sub.add_parser("list-api-keys", help="every API key's prefix, state and name")
    p.add_argument("--manager", help="the manager asking (needed if several)")
    p.set_defaults(func=_cmd_list_api_keys)

    p = sub.add_parser("worker", help="run the background jobs in this process")
    p.add_argument("--once", action="store_true", help="run every job once and exit")
    p.set_defaults(func=_cmd_worker)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ServiceError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
