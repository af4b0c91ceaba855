"""`pagesvm users …`: manage the `users` auth collection of data.db (PocketBase's own) from the shell.

Every failure is one line on stderr and exit status 2; never a traceback.
"""
from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys

from bindings.users import DB_FILE, AuthError, UserStore

from ..http.settings import AppSettings

DEFAULT_DATA = "./" + AppSettings.data_dir  # the default written once, in AppSettings


class CliError(Exception):
    """A user-facing failure: printed as one line, exit status 2."""


def register(subparsers) -> argparse.ArgumentParser:
    """Add `users` and its subcommands to an argparse subparsers object."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=DEFAULT_DATA, metavar="DIR",
                        help=f"data directory (default {DEFAULT_DATA})")

    users = subparsers.add_parser("users", help="manage users who can sign in")
    users.set_defaults(func=run)
    cmds = users.add_subparsers(dest="users_command", metavar="COMMAND")
    cmds.required = True

    p = cmds.add_parser("create", parents=[common], help="add a user")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin")
    p.add_argument("--verified", action="store_true", help="mark the email as verified")

    cmds.add_parser("list", parents=[common], help="list users")

    p = cmds.add_parser("set-password", parents=[common],
                        help="change a password (signs the user out everywhere)")
    p.add_argument("email")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of stdin")

    p = cmds.add_parser("delete", parents=[common], help="remove a user")
    p.add_argument("email")

    p = cmds.add_parser("import-pocketbase", parents=[common],
                        help="copy users (with their password hashes) from a PocketBase data.db")
    p.add_argument("pb_db", metavar="PB_DATA/data.db")
    return users


def run(args) -> int:
    """Run a parsed `users` command; returns the exit status."""
    store = None
    try:
        store = _open(args)
        _COMMANDS[args.users_command](store, args)
        return 0
    except (AuthError, CliError) as exc:
        print(f"pagesvm users: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:
        print(f"pagesvm users: database error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, EOFError):
        print("pagesvm users: cancelled", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.close()


def upgrade_at_start(data_dir: str) -> None:
    """Open data.db once in the supervisor, before any worker: a folder of an older pagesvm (its own users
    table, secret.key) is upgraded here, once (runtime.data.legacy_users), never by racing workers."""
    if os.environ.get("PAGESVM_SECRET"):
        print("pagesvm: PAGESVM_SECRET is no longer used: sign-in tokens are signed with the users "
              "collection's secret in data.db", file=sys.stderr)
    if os.path.isfile(os.path.join(data_dir, DB_FILE)):
        from runtime.data.db import Database

        Database.open(data_dir).close()


def _read_password(args) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Password (again): "):
        raise CliError("passwords do not match")
    return first


def _open(args) -> UserStore:
    """The `users` collection of --data; only `create` and `import-pocketbase` may make a new data.db.
    A folder from an older pagesvm is upgraded here as at `serve`'s start (runtime.data.legacy_users)."""
    if args.users_command not in ("create", "import-pocketbase") and not os.path.isfile(
            os.path.join(args.data, DB_FILE)):
        raise CliError(f"no user database in {args.data} (create a user first, or pass --data)")
    return UserStore(args.data)


def _create(store, args):
    rec = store.create(args.email, _read_password(args), verified=args.verified)
    print(f"created {rec['email']} (id {rec['id']})")


def _list(store, args):
    records = store.list()
    for rec in records:
        state = "verified" if rec["verified"] else "unverified"
        print(f"{rec['id']}  {rec['email']}  {state}  {rec['created']}")
    if not records:
        print("no users", file=sys.stderr)


def _set_password(store, args):
    store.require(args.email)  # before asking for a password
    rec = store.set_password(args.email, _read_password(args))
    print(f"password changed for {rec['email']}; older sign-ins are signed out")


def _delete(store, args):
    store.delete(args.email)
    print(f"deleted {args.email}")


def _import(store, args):
    imported, skipped = store.import_pocketbase(args.pb_db)
    print(f"imported {imported} users, skipped {skipped} (already present or without email)")


_COMMANDS = {
    "create": _create,
    "list": _list,
    "set-password": _set_password,
    "delete": _delete,
    "import-pocketbase": _import,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="pagesvm")
    sub = parser.add_subparsers(dest="command", required=True)
    register(sub)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
