"""Run one `pb_migrations/*.js` file in QuickJS: the `run` callable runtime.data.migrations is given.

Each file gets a fresh interpreter (a migration's top-level names never meet another's, as in the
binary, where every file has its own VM). One evaluation holds js/migrations.js, then the file
wrapped in a function, then the call of its `up` or `down`: Python cannot call a JS closure later,
so the function `migrate()` registered is called in the same evaluation. The file's lines are
found back in QuickJS's stack by subtracting the prelude's line count; frames inside the prelude
are skipped, so a failed `app.save` is reported at the migration's own line.

Each file runs under a time limit (`--migration-timeout`), with the same alarm that stops a page
(limits.RequestLimits): a file that loops is stopped and fails like a throwing one, so the run's
transaction leaves the database as it was. Running out of QuickJS's memory is already an
`InternalError` the file fails with. Past the deadline every call into Python answers `stop` and
js/migrations.js spins until the interrupt, so a loop around a caught `app.*` error ends too.
"""
from __future__ import annotations

import os
import re

from runtime.data import collections as cols
from runtime.data.db import Database
from runtime.data.migrations import MigrationError
from runtime.data.schema_fields import auth_fields, id_field
from runtime.data.settings import save_settings
from runtime.data.store import DataStore

from bindings.app import QUERY_JS, RECORD_JS, VALUES_JS
from bindings.app_session import RecordSession

from .limits import MIGRATION_TIMEOUT, RequestLimits, RequestTimeout
from .migrate_hooks import MigrationHooks
from .quickjs import JSRuntimeError, PagesInterpreter

_PRELUDE_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "js", "migrations.js")
_FRAME_RE = re.compile(r"<dukpy>:(\d+)(?::\d+)?")
_prelude: tuple[str, int] | None = None


def _load_prelude() -> tuple[str, int]:
    """record_values.js, record.js and app_query.js (the one home of `Record` and the queries, shared with pages) then
    js/migrations.js, and their line count."""
    global _prelude
    if _prelude is None:
        parts = []
        for path in (VALUES_JS, RECORD_JS, QUERY_JS, _PRELUDE_PATH):
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

    def settings(self, data):
        return self._answer(lambda: save_settings(self.db, data) and None)

    def delete(self, key):
        return self._answer(lambda: cols.delete_collection(
            self.db, cols.find_collection_by_name_or_id(self.db, key)))

    def find(self, key):
        return self._answer(lambda: cols.find_collection_by_name_or_id(self.db, key).to_api(with_secrets=True))

    def all(self, types):
        return self._answer(lambda: [c.to_api(with_secrets=True) for c in cols.all_collections(self.db)
                                     if not types or c.type in types])

    def export(self, interp: PagesInterpreter, limits: RequestLimits) -> None:
        # Past the deadline every call answers `{stop}` (quickjs.py, as for pages); js/migrations.js spins on it.
        interp.overdue = limits.overdue
        for name in ("new", "save", "settings", "delete", "find", "all"):
            interp.export_function("pv_migration_" + ("collection" if name == "new" else name), getattr(self, name))
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


class Numbered:
    """The evaluations of one interpreter, each padded with blank lines so that their line numbers never
    overlap: a stack frame's `<dukpy>:LINE` then says which evaluation (and which line of it) it is in.
    Every one after the first (the prelude) first puts back js/migrations.js's guard on `call_python`."""

    def __init__(self, interp: PagesInterpreter):
        self.interp = interp
        self.start = 0  # where the last evaluation's own lines start, less one

    def __call__(self, code: str):
        self.start = self.end
        padded = "\n" * self.start + ("__pvGuardHost(); " if self.start else "") + code  # js/migrations.js
        self.end = padded.count("\n") + 1
        return self.interp.eval_script(padded)

    end = 0


def run_migration(path: str, direction: str, db: Database, timeout: float = MIGRATION_TIMEOUT,
                  hooks: MigrationHooks | None = None) -> None:
    """Evaluate `path` and run its `up` or `down` on `db`; a MigrationError (line, message) when it fails,
    also when it runs past `timeout` seconds (0: no limit). `hooks`: the run's record hooks and store."""
    prelude, _ = _load_prelude()
    with open(path, encoding="utf-8-sig") as f:
        source = f.read()
    file_lines = source.count("\n") + 1
    code = f"(function () {{{source}\n}})();\n__pvRunMigration({direction!r});\n"
    interp = PagesInterpreter()
    evaluate = Numbered(interp)
    limits = RequestLimits(timeout)
    app = _App(db)
    app.export(interp, limits)
    timed = kept = False
    limits.arm()
    try:
        try:
            evaluate(prelude + "0")
            if hooks is not None:
                hooks.load(evaluate)
            outcome = evaluate(code) or {}
            prelude_lines = evaluate.start
            if hooks is not None and "message" not in outcome:
                kept = hooks.after(interp, app)
        finally:
            timed, limits.armed = limits.armed, False  # a tick from here on raises nothing
    except RequestTimeout:
        raise _timed_out(timeout) from None
    except JSRuntimeError as e:  # a syntax error, or a throw at the file's top level
        if timed and limits.used_up():  # the alarm landed in a Python call and surfaced as this error
            raise _timed_out(timeout) from None
        text = str(e)
        raise MigrationError(text.split("\n")[0], _line(text, evaluate.start, file_lines, True)) from None
    finally:
        limits.release()
        if not kept:
            app.records.close()
    if outcome.get("missing"):
        raise MigrationError("the file never calls migrate(up, down)")
    if "message" in outcome:
        if timed and limits.used_up():
            raise _timed_out(timeout)
        raise MigrationError(outcome["message"], _line(outcome.get("stack", ""), prelude_lines, file_lines))


def _timed_out(timeout: float) -> MigrationError:
    """Where a loop was stopped is not known (the interrupt ends the evaluation without a stack)."""
    return MigrationError(f"stopped: still running after --migration-timeout {timeout:g}s")
