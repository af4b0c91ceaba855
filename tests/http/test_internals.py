"""Each dependency's private internals live in one module (issue 13), and still work there.

* Tornado internals only in runtime/http/tornado_glue.py, dukpy's only in runtime/render/quickjs.py:
  the sources of runtime/ and bindings/ are scanned for the names those modules rely on.
* The installed versions are the ones those modules were checked against (pyproject.toml caps them).
* The glue itself is exercised against the real Tornado and dukpy, without a listening socket: a
  connection is a socketpair handed straight to the server, the interpreter is a fresh one.
"""
from __future__ import annotations

import asyncio
import io
import re
import socket
import tokenize
from concurrent.futures import ThreadPoolExecutor
from importlib.metadata import version
from pathlib import Path

import pytest
import tornado
from tornado import httputil
from tornado.iostream import IOStream

from runtime.http.tornado_glue import TrackedHTTPServer, mark_busy, peer, written
from runtime.render.quickjs import JSRuntimeError, PagesInterpreter

ROOT = Path(__file__).resolve().parents[2]
TORNADO_HOME = "runtime/http/tornado_glue.py"
DUKPY_HOME = "runtime/render/quickjs.py"
# Names (or dotted runs of names) of code, not of comments or strings, that only the home module
# may use: first those it uses (each must still appear there, so the list stays honest), then
# private names nobody uses today, kept out of every other module all the same.
USED = {
    TORNADO_HOME: ["_connections", "conn_params", "no_keep_alive", "_pv_state", "_total_write_done_index",
                   "set_close_callback", "set_nodelay", "context.remote_ip", "context.protocol"],
    DUKPY_HOME: ["_dukpy", "dukpy", "eval_string", "create_context",
                 "_call_python", "_ctx", "_funcs", "_check_exported_function_exists"],
}
KEPT_OUT = {
    TORNADO_HOME: ["http1connection", "HTTP1ServerConnection", "_HTTPRequestContext", "httputil.responses"],
    DUKPY_HOME: ["evaljs", "JSInterpreter"],  # dukpy's own interpreter class: quickjs.py keeps what it needs
}


def _code_names(path: Path) -> str:
    """The module's code as a space-separated run of names and dots (comments and strings dropped)."""
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    return " " + " ".join(t.string for t in tokens if t.type == tokenize.NAME or t.string == ".") + " "


def _uses(code: str, name: str) -> bool:
    return re.search(r"(?<=\s)" + re.escape(name.replace(".", " . ")) + r"(?=\s)", code) is not None


def _sources():
    for folder in ("runtime", "bindings"):
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_private_internals_are_used_only_in_their_one_module():
    found = []
    for path in _sources():
        where = path.relative_to(ROOT).as_posix()
        code = _code_names(path)
        for home in USED:
            if where != home:
                found += [f"{where}: {name} (belongs in {home})"
                          for name in USED[home] + KEPT_OUT[home] if _uses(code, name)]
    assert found == []


def test_the_home_modules_still_use_every_name_listed_for_them():
    for home, names in USED.items():
        code = _code_names(ROOT / home)
        assert [name for name in names if not _uses(code, name)] == [], home


def test_the_installed_versions_are_those_checked_and_pyproject_caps_them():
    assert (6, 4) <= tornado.version_info[:2] <= (6, 6), tornado.version
    assert version("dukpy").startswith("0.6."), version("dukpy")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert '"tornado>=6.4,<6.7"' in pyproject and '"dukpy>=0.6,<0.7"' in pyproject


# --- Tornado: a real HTTPServer and HTTP1Connection over a socketpair --------------------------


class _Delegate(httputil.HTTPServerConnectionDelegate):
    """Answers every request "ok", marking the connection busy as connection.py does."""

    def __init__(self):
        self.peers, self.bad_header_errors, self.streams = [], [], []

    def start_request(self, server_conn, request_conn):
        delegate = self

        class Message(httputil.HTTPMessageDelegate):
            def headers_received(self, start_line, headers):
                mark_busy(server_conn)
                delegate.peers.append(peer(request_conn))
                self.path = start_line.path

            def finish(self):
                delegate.streams.append(request_conn.stream)
                if self.path == "/bad":
                    try:
                        request_conn.write_headers(httputil.ResponseStartLine("HTTP/1.1", 200, "OK"),
                                                   httputil.HTTPHeaders({"X-Bad": "a\r\nb"}), b"")
                    except ValueError as e:
                        delegate.bad_header_errors.append(e)
                request_conn.write_headers(httputil.ResponseStartLine("HTTP/1.1", 200, "OK"),
                                           httputil.HTTPHeaders({"Content-Length": "2"}), b"ok")
                request_conn.finish()

        return Message()


async def _answer(client: socket.socket) -> bytes:
    loop = asyncio.get_running_loop()
    data = b""
    while not data.endswith(b"ok"):
        chunk = await loop.sock_recv(client, 4096)
        if not chunk:
            break
        data += chunk
    return data


async def _settle():
    for _ in range(20):
        await asyncio.sleep(0)


def test_tracked_server_follows_each_connection_through_requests_and_a_drain():
    async def scenario():
        server_sock, client = socket.socketpair()
        client.setblocking(False)
        delegate = _Delegate()
        server = TrackedHTTPServer(delegate)
        loop = asyncio.get_running_loop()
        try:
            server.handle_stream(IOStream(server_sock), ("127.0.0.1", 0))
            await _settle()
            assert (server.open_connections, server.busy_connections) == (1, 1)  # fresh counts as busy
            await loop.sock_sendall(client, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            first = await _answer(client)
            await _settle()
            assert first.startswith(b"HTTP/1.1 200") and b"Connection: close" not in first
            assert server.busy_connections == 0  # idle between keep-alive requests
            stream = delegate.streams[0]
            assert written(stream) == len(first)  # Tornado's count of bytes written, less the kernel's queue
            assert "set_nodelay" in vars(stream) and "set_close_callback" in vars(stream)  # steady()
            assert delegate.peers == [("0.0.0.0", "http")]  # what HTTPServer records for a non-IP socket

            await loop.sock_sendall(client, b"GET /bad HTTP/1.1\r\nHost: x\r\n\r\n")
            second = await _answer(client)
            assert second.startswith(b"HTTP/1.1 200") and b"X-Bad" not in second  # refused before writing
            assert len(delegate.bad_header_errors) == 1

            assert not server.draining
            assert server.begin_drain() and server.draining and not server.begin_drain()
            await loop.sock_sendall(client, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            third = await _answer(client)
            assert b"Connection: close" in third  # keep-alive ended on a connection already open
            await _settle()
            assert server.open_connections == 0
        finally:
            client.close()

    # In a thread of its own: a test before this one may leave an event loop running on this thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=30)


def test_peer_of_a_stand_in_without_a_context():
    assert peer(object()) == (None, "http")


# --- dukpy: the interpreter through its private half ------------------------------------------


@pytest.fixture(scope="module")
def interp():
    return PagesInterpreter()


def test_scripts_run_with_their_variables_as_the_dukpy_global(interp):
    assert interp.eval_script("1 + 1") == 2
    assert interp.eval_script("dukpy.x * 2", b'{"x": 21}') == 42
    assert interp.eval_script("undefined") is None


def test_javascript_calls_python_through_call_python(interp):
    seen = []

    def add(a, b):
        seen.append(interp.in_python)
        return {"sum": a + b, "text": "é"}

    interp.export_function("t.add", add)
    interp.export_function("t.none", lambda: None)
    assert interp.eval_script("call_python('t.add', 2, 3)") == {"sum": 5, "text": "é"}
    assert interp.eval_script("call_python('t.none')") is None
    assert seen == [1] and interp.in_python == 0


def test_no_node_shims_and_errors_raise_jsruntimeerror(interp):
    assert interp.eval_script("[typeof require, typeof process, typeof console]") == ["undefined"] * 3
    with pytest.raises(JSRuntimeError, match="boom"):
        interp.eval_script("throw new Error('boom')")
