"""Hook code run outside any HTTP request: a ``cronAdd`` job's run and the start-up events.

Each run is a job of the worker's render queue like a request, so it has the same interpreter, ``$app``,
``--timeout`` and memory limit, and a broken interpreter is replaced as after a page. The supervisor
decides when (runtime/serve/cron_schedule.py); this module only runs what it is told and says how it
went: ``ok``, ``error`` (logged with the hook file and line by ``PagesRuntime.answer``, as a failed
page is) or ``timeout``.
"""
from __future__ import annotations

from bindings.context import Context, RequestInfo, ResponseEffects

from ..hooks.cron import cron_jobs
from ..hooks.discovery import shown
from ..hooks.learn import hook_route
from ..render.executor import Job


class _Request:
    """What the runtime's answer callback reads of a request, for its log lines: ``CRON job-id``."""

    __slots__ = ("method", "path", "uri")

    def __init__(self, method: str, path: str):
        self.method, self.path, self.uri = method, path, path


class _Outcome:
    """The handler a hook job is answered through: keeps the outcome, calls ``on_done(outcome, message)``."""

    def __init__(self, runtime, request: _Request, on_done):
        self.runtime, self.request, self.on_done = runtime, request, on_done
        self.job: Job | None = None
        self._finished = False

    def send(self, response) -> None:
        self._finished = True
        result = self.job.result or {}
        if result.get("timeout"):
            outcome, message = "timeout", "stopped: still running after --timeout"
        elif result.get("error") or response.status >= 500:
            located = self.runtime.engine.locate_error(result.get("error") or {}, self.job.host_error)
            outcome = "error"
            path = shown(located.path or self.job.payload["route"]["page"])
            message = f"{path}:{located.line}: " if located.line else f"{path}: "
            message += f"{located.name}: {located.message}"
        else:
            outcome, message = "ok", ""
        self.on_done(outcome, message)


class HookJobs:
    """The cron jobs and start-up handlers of a runtime's hook files."""

    def __init__(self, runtime):
        self.runtime = runtime
        registrations = runtime.hooks.registrations if runtime.hooks is not None else []
        self.jobs = {job.id: job for job in cron_jobs(registrations)}
        self.startup = {name: [[r.file, r.index] for r in registrations if r.kind == "hook" and r.name == name]
                        for name in ("onBootstrap", "onServe")}

    def table(self) -> list[list[str]]:
        """``[[id, expression, file], …]``: what the supervisor schedules."""
        return [[job.id, job.expr, shown(job.file)] for job in self.jobs.values()]

    def has_startup(self) -> bool:
        return any(self.startup.values())

    def run_cron(self, job_id: str, on_done) -> Job | None:
        """Queue a run of ``job_id``; ``on_done(outcome, message)`` when it ends. None: no such job here
        (the files changed since the supervisor's table was made)."""
        job = self.jobs.get(job_id)
        if job is None:
            return None
        return self._submit(job.file, {"cron": [job.file, job.index]}, _Request("CRON", job_id), on_done)

    def run_startup(self, on_done) -> Job:
        """Queue the ``onBootstrap`` then ``onServe`` handlers (once per server start: the supervisor asks
        only the first worker it starts)."""
        refs = self.startup["onBootstrap"] or self.startup["onServe"]
        return self._submit(refs[0][0], {"startup": self.startup}, _Request("START", "onBootstrap"), on_done)

    def _submit(self, unit: str, spec: dict, request: _Request, on_done) -> Job:
        runtime = self.runtime
        plain = RequestInfo(method=request.method, path=request.path, url=request.path, headers={}, cookies={},
                            query={}, body=None, host="", scheme="http", remote_ip="")
        ctx = Context(request=plain, response=ResponseEffects("/"), data_dir=runtime.data_dir, site=runtime.site.root,
                      options={**runtime.options, "debug": runtime.debug})
        payload = hook_route(unit, spec, {"method": request.method, "url": request.path, "host": "", "headers": {},
                                          "cookies": {}, "body": None})
        handler = _Outcome(runtime, request, on_done)
        handler.job = Job(handler, ctx, payload)
        return runtime.queue.submit(handler.job)
