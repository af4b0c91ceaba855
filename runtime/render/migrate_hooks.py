"""Record hooks for the saves migrations make, and the `app.store()` a run's files share.

On PocketBase the pb_hooks files are registered before the migrations run, so a migration's
`app.save(record)` fires onRecordCreate… and, once the run's one transaction commits,
onRecordAfterCreateSuccess (0.40.6; tests/hooks/test_record_hooks_oracle.py compares the log). Here each
migration file has an interpreter of its own (runtime/render/migrate.py): before the file, the hook files
that register record hooks are evaluated in it with a small registering runtime (given by the caller:
runtime/hooks/js/migration_hooks.js and record_hooks.js, a layer above), so record.js's save runs the same
chain as in pages. The ...Success hooks wait in their interpreter, kept until `committed()` runs them in
order. A hook file that cannot load there (it needs `require`, `$security`, …) is skipped with one warning.

The app store is one process's memory on the binary, shared by every file of a run and by the server
after it: values (JSON ones) are carried from file to file here and handed on (`store`) to the workers.
"""
from __future__ import annotations

import json
import re
import sys

from .limits import RequestLimits, RequestTimeout
from .quickjs import JSRuntimeError, PagesInterpreter

_LINE = re.compile(r"<dukpy>:(\d+)")


class MigrationHooks:
    """One run's hook files (`files`: [(shown name, source)]), `scripts` (the registering runtime's
    sources, evaluated in order: the first defines `__pvMigrationHooks`, the next is record_hooks.js)."""

    def __init__(self, scripts: tuple[str, ...] = (), files: tuple[tuple[str, str], ...] = (), hooks_dir: str = "",
                 timeout: float = 0):
        self.scripts = scripts
        self.files = [(name, text) for name, text in files if "onRecord" in text]  # no record hook: nothing to do
        self.hooks_dir = hooks_dir
        self.timeout = timeout
        self.store: dict = {}
        self.skipped: set[str] = set()
        self._waiting: list[tuple[PagesInterpreter, object]] = []

    def load(self, evaluate) -> None:
        """Before a migration file (`evaluate`: migrate.Numbered, after the prelude): the store so far and,
        when there are any, the files' record hooks."""
        evaluate.interp.export_function("pv_migration_log", lambda text: print(text, file=sys.stderr, flush=True))
        if self.store:
            evaluate(f"__pvApp.store().reset({json.dumps(self.store)}); 0")
        if not self.files:
            return
        first, hooks_js = self.scripts
        evaluate(f"var __pvHooksDir = {json.dumps(self.hooks_dir)};\n{first}\n0")
        evaluate(f"globalThis.__pv = __pvMigrationHooks.runtime;\n{hooks_js}\ndelete globalThis.__pv; 0")
        for name, text in self.files:
            if name in self.skipped:
                continue
            try:  # the file's lines stay its own: the wrapper opens on its first line
                evaluate(f"(function ($app) {{{text}\n}})(__pvApp); 0")
            except JSRuntimeError as e:
                found = _LINE.search(str(e))
                where = f"{name}:{int(found.group(1)) - evaluate.start}" if found else name
                print(f"pagesvm: warning: {where}: {str(e).splitlines()[0]} (its record hooks do not run for "
                      f"migration saves)", file=sys.stderr, flush=True)
                self.skipped.add(name)
        evaluate("__pvMigrationHooks.install(); 0")

    def after(self, interp: PagesInterpreter, app) -> bool:
        """After a migration file ran: keep its store; True when its interpreter (and `app`) is kept for
        the Success hooks, so the caller must not close it."""
        self._keep_store(interp)
        if not self.files:
            return False
        self._waiting.append((interp, app))
        return True

    def committed(self) -> None:
        """The run committed: each kept interpreter's ...Success hooks, in order (what they throw is logged)."""
        waiting, self._waiting = self._waiting, []
        for interp, app in waiting:
            interp.eval_script(f"__pvApp.store().reset({json.dumps(self.store)}); 0")
            limits = RequestLimits(self.timeout)
            limits.arm()
            try:
                try:
                    failures = interp.eval_script("__pvMigrationHooks.committed()") or []
                finally:
                    limits.armed = False
            except (RequestTimeout, JSRuntimeError) as e:
                failures = [str(e) or "stopped: still running after --migration-timeout"]
            finally:
                limits.release()
            for failure in failures:
                print(f"pagesvm: warning: a record hook after a migration failed: {failure}", file=sys.stderr)
            self._keep_store(interp)
            app.records.close()

    def discard(self) -> None:
        """The run failed: its waiting hooks never run."""
        waiting, self._waiting = self._waiting, []
        for _interp, app in waiting:
            app.records.close()

    def _keep_store(self, interp: PagesInterpreter) -> None:
        self.store = json.loads(interp.eval_script("JSON.stringify(__pvApp.store().getAll())") or "{}")
