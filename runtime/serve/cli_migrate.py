"""`pagesvm migrate …` and the migrations `pagesvm serve` runs at start-up, like `pocketbase migrate`.

A project folder is one with `pb_hooks/` or `pb_migrations/`; its data folder defaults to
`PROJECT/pb_data`, as the binary's `--dir` does when started from the project. `serve` applies the
pending migrations once, here in the supervisor's process before any worker starts, so two
processes never run them; a failure is one line naming the file and line, and start-up stops.
Each file may run `--migration-timeout` seconds (both `serve` and `migrate` take it): a file that
loops fails like one that throws, and the run's one transaction leaves the database untouched.
"""
from __future__ import annotations

import argparse
import datetime
import functools
import os
import sys

from runtime.data import migrations
from runtime.data.db import Database

from ..http.settings import seconds
from .settings import ServerSettings, flag_message

PROJECT_MARKERS = ("pb_hooks", migrations.FOLDER)
# flag, type, default, metavar, help: `serve` lists it with its limits, `migrate` with its own options
TIMEOUT_FLAG = ("--migration-timeout", float, ServerSettings.migration_timeout, "S",
                "longest one pb_migrations file may run before it fails and the run is undone (0: no limit)")


def is_project(folder: str | None) -> bool:
    return bool(folder) and any(os.path.isdir(os.path.join(folder, m)) for m in PROJECT_MARKERS)


class DefaultData(str):
    """`serve --data`'s default, told apart from the same text typed on the command line."""


def data_dir_for(site: str | None, data: str) -> str:
    """`--data` as given; by default `PROJECT/pb_data` for a project folder, `./pagesvm_data` otherwise."""
    if isinstance(data, DefaultData) and is_project(site):
        return os.path.join(site, "pb_data")
    return str(data)


def _hooks(project: str | None, timeout: float):
    """The run's record hooks: the project's pb_hooks files, registered before the migrations run as on
    PocketBase (runtime/render/migrate_hooks.py), and the app store the run's files share."""
    from ..hooks import find_hooks_dir, hook_files, shown
    from ..hooks.discovery import HOOK_UNIT_PREFIX
    from ..hooks.learn import JS_DIR
    from ..render.migrate_hooks import MigrationHooks

    hooks_dir = find_hooks_dir(os.path.join(project, "pb_hooks", "pages")) if project else None
    files, scripts = [], []
    for name in hook_files(hooks_dir):
        with open(os.path.join(hooks_dir, name), encoding="utf-8-sig", errors="replace") as f:
            files.append((shown(HOOK_UNIT_PREFIX + name), f.read()))
    for name in ("migration_hooks.js", "record_hooks.js"):
        with open(os.path.join(JS_DIR, name), encoding="utf-8") as f:
            scripts.append(f.read())
    return MigrationHooks(tuple(scripts), tuple(files), hooks_dir or "", timeout)


def _runner(timeout: float, hooks=None):
    """runtime.data.migrations' `run`: one file in QuickJS under the time limit."""
    from ..render.migrate import run_migration

    return functools.partial(run_migration, timeout=timeout, hooks=hooks)


def _apply(db, apply, hooks):
    """`apply()` (a run of files), then the record hooks waiting for its commit; dropped when it fails."""
    try:
        done = apply()
    except BaseException:
        hooks.discard()
        raise
    hooks.committed()
    return done


def start_up(site: str | None, data_dir: str, timeout: float = ServerSettings.migration_timeout
             ) -> tuple[str | None, dict]:
    """Apply a project's pending migrations before the workers start: the error line (or None) and the app
    store the run's hooks and files left, which the workers start with (as the binary's one process keeps it)."""
    folder = os.path.join(site, migrations.FOLDER) if site else ""
    if not folder or not os.path.isdir(folder):
        return None, {}
    hooks = _hooks(site, timeout)
    db = Database.open(data_dir)
    try:
        for file in _apply(db, lambda: migrations.apply_pending(db, folder, _runner(timeout, hooks)), hooks):
            print(f"Applied {file}", file=sys.stderr)
    except migrations.MigrationError as e:
        return str(e), {}
    finally:
        db.close()
    return None, hooks.store


def register(subparsers) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data", default=None, metavar="DIR", help="data folder (default PROJECT/pb_data)")
    flag, kind, default, metavar, text = TIMEOUT_FLAG
    common.add_argument(flag, type=kind, default=default, metavar=metavar, help=f"{text} (default {default:g})")
    migrate = subparsers.add_parser("migrate", help="apply, revert or create pb_migrations files",
                                    description="Run a project's pb_migrations/*.js like `pocketbase migrate`.")
    cmds = migrate.add_subparsers(dest="migrate_command", metavar="COMMAND")
    cmds.required = True
    project = {"nargs": "?", "default": ".", "help": "project folder holding pb_migrations/ (default .)"}
    cmds.add_parser("up", parents=[common], help="apply every pending migration").add_argument("project", **project)
    down = cmds.add_parser("down", parents=[common], help="revert the last N applied migrations (default 1)")
    down.add_argument("count", nargs="?", default=None, metavar="N")
    down.add_argument("project", **project)
    cmds.add_parser("history", parents=[common],
                    help="list applied migrations, oldest first").add_argument("project", **project)
    cmds.add_parser("history-sync", parents=[common], help="forget applied files no longer in pb_migrations/"
                    ).add_argument("project", **project)
    create = cmds.add_parser("create", parents=[common], help="write an empty migration file")
    create.add_argument("name")
    create.add_argument("project", **project)
    return migrate


def _count(args) -> int:
    """`down [N] [PROJECT]`: a lone argument that is not a number is the project."""
    if args.count is None:
        return 1
    if not args.count.isdigit():
        if args.project != ".":
            raise ValueError(f"N must be a whole number, got {args.count!r}")
        args.project, args.count = args.count, None
        return 1
    return int(args.count)


def run(args) -> int:
    """Run a parsed `migrate` command; raises ValueError/MigrationError for the CLI's one error line."""
    try:
        timeout = seconds("migration_timeout", args.migration_timeout)
    except ValueError as e:
        raise ValueError(flag_message(e)) from None
    count = _count(args) if args.migrate_command == "down" else 0
    project = os.path.abspath(args.project)
    if not os.path.isdir(project):
        raise ValueError(f"project folder not found: {project}")
    hooks = _hooks(project, timeout) if args.migrate_command in ("up", "down") else None
    run_migration = _runner(timeout, hooks)
    folder = os.path.join(project, migrations.FOLDER)
    if args.migrate_command == "create":
        print(f'Successfully created file "{migrations.create(folder, args.name)}"')
        return 0
    db = Database.open(os.path.abspath(args.data or os.path.join(project, "pb_data")))
    try:
        if args.migrate_command == "up":
            if not _apply(db, lambda: migrations.apply_pending(db, folder, run_migration, lambda f: print(f"Applied {f}")),
                          hooks):
                print("No new migrations to apply.")
        elif args.migrate_command == "down":
            if not _apply(db, lambda: migrations.revert(db, folder, run_migration, count, lambda f: print(f"Reverted {f}")),
                          hooks):
                print("No migrations to revert.")
        elif args.migrate_command == "history":
            for row in migrations.history(db):
                when = datetime.datetime.fromtimestamp(row.applied / 1e6, datetime.timezone.utc)
                print(f"{when:%Y-%m-%d %H:%M:%S}Z  {row.file}")
        else:
            for file in migrations.sync_history(db, folder):
                print(f"Forgot {file}")
    finally:
        db.close()
    return 0
