"""A project served in-process, with no sockets: the worker's runtime (build_runtime) on a migrated data folder,
rendering each request as it is served, and requests answered through the pipeline as a socket's would be."""
from __future__ import annotations

import subprocess
import sys

import pytest

from runtime.render import gc_gate


def migrated_runtime(project: str, data: str):
    """The runtime a worker would build for ``project``, its migrations run on ``data`` first (by the CLI)."""
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", project, "--data", data],
                   check=True, capture_output=True)
    from runtime.http.build import build_runtime
    from runtime.render.executor import RenderQueue
    from runtime.render.limits import RequestLimits

    built, _ = build_runtime(project, data_dir=data)
    built.queue = RenderQueue(built.queue.engine, RequestLimits(0, watchdog=False), built.answer, immediate=True)
    return built


def _capture(path: str):
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from runtime.http.loopback import _Capture

    request = HTTPServerRequest(headers=HTTPHeaders({"Host": "127.0.0.1"}), body=b"",
                                start_line=RequestStartLine("GET", path, "HTTP/1.1"))
    request.protocol, request.remote_ip = "http", "127.0.0.1"
    return _Capture(request)


def get(runtime, path: str):
    """The response to a GET of ``path``."""
    capture = _capture(path)
    runtime.serve(capture)
    return capture.response


def get_together(runtime, *paths: str) -> list:
    """The responses to GETs of ``paths`` rendered in one evaluation, as a loaded worker renders what arrived in
    one turn of its event loop (the queue's turn run here by hand)."""
    queue = runtime.queue
    captures = [_capture(path) for path in paths]
    queue.immediate = False
    try:
        for capture in captures:
            runtime.serve(capture)
        queue._flush()
    finally:
        queue.immediate = True
    return [capture.response for capture in captures]


def collections_during(runtime, path: str, times: int, monkeypatch) -> tuple[int, int]:
    """How many of ``times`` GETs of ``path`` QuickJS collected in (gc_gate then measures again: ``settle``), and
    how many asked to while the collector was paused; each answer must be the first one's."""
    if not runtime.queue.engine.interp.collections.active:
        pytest.skip("dukpy's collections cannot be followed here (gc_gate is inactive on this platform)")
    first = get(runtime, path)
    settles = []
    real = gc_gate.Collections.settle
    monkeypatch.setattr(gc_gate.Collections, "settle", lambda self: (settles.append(1), real(self)))
    asked = gc_gate.counts["collected after"]
    for _ in range(times):
        again = get(runtime, path)
        assert (again.status, again.body) == (first.status, first.body)
    return len(settles), gc_gate.counts["collected after"] - asked


def text(response) -> str:
    """A response's body as text (the pipeline keeps what a page made as str, what it read as bytes)."""
    body = response.body
    return body if isinstance(body, str) else bytes(body).decode("utf-8")
