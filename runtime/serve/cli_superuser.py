"""`pagesvm superuser upsert EMAIL PASSWORD` and `pagesvm superuser delete EMAIL`, as the binary's commands.

They work on the `_superusers` collection of data.db (`--data DIR`, or `--dir DIR` as PocketBase spells it).
A superuser is always verified; creating one removes PocketBase's installer account
(`__pbinstaller@example.com`), and the only superuser left cannot be deleted, as with the binary. Output
lines are the binary's; every failure is one line on stderr and exit status 2 (the password never shown).
A superuser then signs in at `/api/collections/_superusers/auth-with-password`.
"""
from __future__ import annotations

import argparse
import os
import sqlite3
import sys

from runtime.data.db import Database, NotFoundError
from runtime.data.finders import find_auth_record_by_email
from runtime.data.store import DataStore
from runtime.data.validation import ValidationError, check_email

from .cli_users import DEFAULT_DATA, CliError

SUPERUSERS = "_superusers"
INSTALLER = "__pbinstaller@example.com"
DB_FILE = "data.db"


def register(subparsers) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", "--dir", dest="data", default=DEFAULT_DATA, metavar="DIR",
                        help=f"data directory (default {DEFAULT_DATA})")
    command = subparsers.add_parser("superuser", help="manage superusers (PocketBase's _superusers)")
    cmds = command.add_subparsers(dest="superuser_command", metavar="COMMAND")
    cmds.required = True
    upsert = cmds.add_parser("upsert", parents=[common], help="create a superuser, or set the password of one")
    upsert.add_argument("email")
    upsert.add_argument("password")
    delete = cmds.add_parser("delete", parents=[common], help="delete a superuser")
    delete.add_argument("email")
    return command


def _find(store, email: str):
    try:
        return find_auth_record_by_email(store, SUPERUSERS, email)
    except NotFoundError:
        return None


def _valid_email(email: str, message: str) -> None:
    if not email or check_email({}, email) is not None:
        raise CliError(message)


def upsert(store: DataStore, email: str, password: str) -> str:
    _valid_email(email, "missing or invalid email address")
    record = _find(store, email) or store.new_record(SUPERUSERS)
    created = record.is_new
    record.set_email(email)
    record.set_password(password)
    record.set("verified", True)
    try:
        store.save(record)
    except ValidationError as e:
        raise CliError(f"failed to upsert superuser account: {e}") from None
    if created and email != INSTALLER:
        installer = _find(store, INSTALLER)
        if installer is not None:
            store.delete(installer)
    return f'Successfully saved superuser "{email}"!'


def delete(store: DataStore, email: str) -> str:
    _valid_email(email, "invalid or missing email address")
    record = _find(store, email)
    if record is None:
        return f'superuser "{email}" is missing or already deleted'
    if store.count_records(SUPERUSERS) <= 1:
        raise CliError(f'failed to delete superuser "{record.email()}": You can\'t delete the only existing superuser')
    store.delete(record)
    return f'Successfully deleted superuser "{record.email()}"!'


def run(args) -> int:
    """Run a parsed `superuser` command; returns the exit status."""
    db = None
    try:
        if args.superuser_command == "delete" and not os.path.isfile(os.path.join(args.data, DB_FILE)):
            raise CliError(f"no data.db in {args.data} (pass --data)")
        db = Database.open(args.data)
        store = DataStore(db)
        if args.superuser_command == "upsert":
            print(upsert(store, args.email, args.password))
        else:
            print(delete(store, args.email))
        return 0
    except CliError as exc:
        print(f"pagesvm superuser: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        print(f"pagesvm superuser: database error: {exc}", file=sys.stderr)
        return 2
    finally:
        if db is not None:
            db.close()
