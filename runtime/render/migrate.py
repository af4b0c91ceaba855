"""Run one `pb_migrations/*.js` file in QuickJS: the `run` callable runtime.data.migrations is given.

Each file gets a fresh interpreter (a migration's top-level names never meet another's, as in the
binary, where every file has its own VM). One evaluation holds js/migrations.js, then the file
wrapped in a function, then the call of its `up` or `down`: Python cannot call a JS closure later,
so the function `migrate()` registered is called in the same evaluation. The file's lines are
found back in QuickJS's stack by subtracting the prelude's line count; frames inside the prelude
are skipped, so a failed `app.save` is reported at the migration's own line.
"""
from __future__ import annotations

import os
import re

from runtime.data import collections as cols
from runtime.data.db import Database
from runtime.data.migrations import MigrationError
from runtime.data.schema_fields import auth_fields, id_field
from runtime.data.store import DataStore

from bindings.app import QUERY_JS, RECORD_JS
from bindings.app_session import RecordSession

from .quickjs import JSRuntimeError, PagesInterpreter

_PRELUDE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "migrations.js")
_FRAME_RE = re.compile(r"<dukpy>:(\d+)(?::\d+)?")
_prelude: tuple[str, int] | None = None


def _load_prelude() -> tuple[str, int]:
    """record.js and app_query.js (the one home of `Record` and the queries, shared with pages) then
    js/migrations.js, and their line count."""
    global _prelude
    if _prelude is None:
        parts = []
        for path in (RECORD_JS, QUERY_JS, _PRELUDE_PATH):
            with open(path, encoding="utf-8") as f:
                parts.append(f.read().rstrip("\n") + "\n")
        text = "".join(parts)
        _prelude = (text, text.count("\n"))
    return _prelude


def _go_message(error: cols.CollectionError) -> str:
    """A refused save as the binary prints its validation errors: `key: message` pairs joined by `; `,
    nested ones in parentheses, and a final `.` even after the message's own (`unique (case insensitive)..`)."""
    return _joined(error.data) if error.data else str(error)


def _joined(errors: dict) -> str:
    return "; ".join(f"{key}: ({_joined(value)})" if isinstance(value, dict) else f"{key}: {value}"
                     for key, value in sorted(errors.items())) + "."


class _App:
    """The Python bindings a migration's `app` calls; every answer is `{ok}` or `{error}`."""

    def __init__(self, db: Database):
        self.db = db
        self.records = RecordSession(DataStore(db))  # records saved inside the migration's transaction

    def _answer(self, fn, *args):
        try:
            return {"ok": fn(*args)}
        except cols.CollectionError as e:
            return {"error": _go_message(e)}
        except (LookupError, ValueError, OSError) as e:
            return {"error": str(e)}
        except Exception as e:  # sqlite3 errors and the like: the message, as the binary prints its own
            return {"error": str(e) or type(e).__name__}

    def new(self, data):
        def work():
            given = data if isinstance(data, dict) else {}
            c = cols.Collection.from_api(given)
            c.id = c.id or cols.collection_id(c.type, c.name)
            if "fields" not in given and c.type in ("base", "auth"):  # the binary's starting fields
                c.fields = [id_field()] + (auth_fields() if c.type == "auth" else [])
            return c.to_api(with_secrets=True)
        return self._answer(work)

    def save(self, data):
        return self._answer(lambda: cols.save_collection(self.db, cols.Collection.from_api(data))
                            .to_api(with_secrets=True))

    def delete(self, key):
        return self._answer(lambda: cols.delete_collection(
            self.db, cols.find_collection_by_name_or_id(self.db, key)))

    def find(self, key):
        return self._answer(lambda: cols.find_collection_by_name_or_id(self.db, key).to_api(with_secrets=True))

    def all(self, types):
        return self._answer(lambda: [c.to_api(with_secrets=True) for c in cols.all_collections(self.db)
                                     if not types or c.type in types])

    def export(self, interp: PagesInterpreter) -> None:
        for name in ("new", "save", "delete", "find", "all"):
            interp.export_function("pv_migration_" + ("collection" if name == "new" else name),
                                   getattr(self, name))
        for name in RecordSession.METHODS:
            interp.export_function("pv_record." + name, getattr(self.records, name))


def _line(stack: str, prelude_lines: int, file_lines: int, at_end: bool = False) -> int:
    """The first stack frame inside the migration file, as a line of that file (0 when none is).

    A syntax error found past the file (in the wrapper's closing lines) is the file's end, `at_end`."""
    for match in _FRAME_RE.finditer(stack):
        line = int(match.group(1)) - prelude_lines
        if 1 <= line <= file_lines:
            return line
        if at_end and line > file_lines:
            return file_lines
    return 0


def run_migration(path: str, direction: str, db: Database) -> None:
    """Evaluate `path` and run its `up` or `down` on `db`; a MigrationError (line, message) when it fails."""
    prelude, prelude_lines = _load_prelude()
    with open(path, encoding="utf-8-sig") as f:
        source = f.read()
    file_lines = source.count("\n") + 1
    code = f"{prelude}(function () {{{source}\n}})();\n__pvRunMigration({direction!r});\n"
    interp = PagesInterpreter()
    app = _App(db)
    app.export(interp)
    try:
        outcome = interp.eval_script(code) or {}
    except JSRuntimeError as e:  # a syntax error, or a throw at the file's top level
        text = str(e)
        raise MigrationError(text.split("\n")[0], _line(text, prelude_lines, file_lines, True)) from None
    finally:
        app.records.close()
    if outcome.get("missing"):
        raise MigrationError("the file never calls migrate(up, down)")
    if "message" in outcome:
        raise MigrationError(outcome["message"], _line(outcome.get("stack", ""), prelude_lines, file_lines))
