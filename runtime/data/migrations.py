"""A project's `pb_migrations/*.js`, applied and reverted the way PocketBase 0.40 keeps track of them.

This module knows the files and the `_migrations` table, nothing of JavaScript: the caller hands in
`run(file_path, direction, db)`, which executes one file's `up` or `down` (runtime.render.migrate
does it in QuickJS) and raises on failure. Observed on the binary: files are taken in file-name
order; `_migrations` holds the file's base name and the time it was applied in microseconds since
the epoch; `down N` reverts the last N applied (newest `applied` first); `create NAME` writes
`<unix seconds>_<snake_case name>.js`.

As the binary does, every pending file of one run goes in ONE transaction: a failure undoes the files
before it in the same run too, and the database is as it was before the run.
"""
from __future__ import annotations

import dataclasses
import os
import re
import time

from .db import Database
from .schema import record_migration

FOLDER = "pb_migrations"

_STUB = """/// <reference path="../pb_data/types.d.ts" />
migrate((app) => {
  // what this migration changes
}, (app) => {
  // how to undo it
})
"""


class MigrationError(Exception):
    """A migration that failed: `file` (base name), `line` (1-based, 0 when unknown) and `message`.

    A `run` callable raises it with the line it knows; the runner fills in the file.
    """

    def __init__(self, message: str, line: int = 0, file: str = ""):
        super().__init__(message)
        self.message, self.line, self.file = message, line, file

    def where(self, folder_name: str = FOLDER) -> str:
        place = f"{folder_name}/{self.file}" if self.file else folder_name
        return f"{place}:{self.line}" if self.line else place

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


@dataclasses.dataclass(frozen=True)
class Applied:
    file: str
    applied: int  # microseconds since the epoch, as the binary stores it


def migration_files(folder: str) -> list[str]:
    """The base names of `folder/*.js` in file-name order (none when the folder is missing)."""
    if not os.path.isdir(folder):
        return []
    return sorted(n for n in os.listdir(folder)
                  if n.endswith(".js") and os.path.isfile(os.path.join(folder, n)))


def history(db: Database) -> list[Applied]:
    """Every `_migrations` row (the binary's own included), oldest first."""
    rows = db.query("SELECT file, applied FROM _migrations ORDER BY applied, file")
    return [Applied(r["file"], r["applied"]) for r in rows]


def pending(db: Database, folder: str) -> list[str]:
    done = {a.file for a in history(db)}
    return [f for f in migration_files(folder) if f not in done]


def _run_one(db: Database, folder: str, file: str, direction: str, run) -> None:
    """One file's `up` or `down` and its `_migrations` row (inside the run's transaction)."""

    def work(db: Database) -> None:
        run(os.path.join(folder, file), direction, db)
        if direction == "up":
            record_migration(db, file)
        else:
            db.execute("DELETE FROM _migrations WHERE file = ?", (file,))

    try:
        db.run_in_transaction(work)
    except MigrationError as e:
        e.file = file
        raise
    except Exception as e:  # anything else a binding raised: still named by its file
        raise MigrationError(str(e) or type(e).__name__, 0, file) from e


def apply_pending(db: Database, folder: str, run, report=None) -> list[str]:
    """Run every pending file's `up`, all in one transaction as the binary does; the files applied.

    Stops at the first failure with a MigrationError naming that file: the whole run leaves no
    trace (the files before it in this run are undone too), so the database is as it was before
    the run. `report(file)` is called for each file once the run is committed (`Applied FILE`).
    """
    return _run_all(db, folder, pending(db, folder), "up", run, report)


def _run_all(db: Database, folder: str, files: list, direction: str, run, report) -> list[str]:
    db.run_in_transaction(lambda db: [_run_one(db, folder, file, direction, run) for file in files])
    for file in files:
        if report:
            report(file)
    return list(files)


def revert(db: Database, folder: str, run, count: int = 1, report=None) -> list[str]:
    """Run `down` of the last `count` applied files of `folder`, newest first; the files reverted.

    Only the project's own files are candidates: the binary's built-in (`.go`) entries are never
    undone here (the binary would undo them too, which empties its own schema).
    """
    if count < 1:
        return []
    present = set(migration_files(folder))
    candidates = [a.file for a in reversed(history(db)) if a.file in present]
    return _run_all(db, folder, candidates[:count], "down", run, report)


def sync_history(db: Database, folder: str) -> list[str]:
    """Forget `_migrations` rows of `.js` files no longer in `folder` (the binary's `history-sync`)."""
    present = set(migration_files(folder))
    gone = [a.file for a in history(db) if a.file.endswith(".js") and a.file not in present]
    db.run_in_transaction(lambda db: [db.execute("DELETE FROM _migrations WHERE file = ?", (f,)) for f in gone])
    return gone


def snake_name(name: str) -> str:
    """The name part of a new file: `addPosts Table!` → `add_posts_table`, as the binary writes it."""
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()
    return re.sub(r"[^a-z0-9]+", "_", text).strip("_")


def create(folder: str, name: str, now: float | None = None) -> str:
    """Write an empty migration `<unix seconds>_<name>.js` in `folder` (made when missing); its path."""
    part = snake_name(name)
    if not part:
        raise ValueError("missing migration file name")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"{int(time.time() if now is None else now)}_{part}.js")
    if os.path.exists(path):
        raise ValueError(f"{path} already exists")
    with open(path, "x", encoding="utf-8") as out:
        out.write(_STUB)
    return path
