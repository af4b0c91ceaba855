"""Every shell command in README.md is run by a test, or mirrored exactly where it runs.

Commands come from ```sh blocks (one per line) and from the systemd unit's ExecStart.
Each is either in RUNS (run here, in a scratch folder, with ``--port 0`` appended to
servers) or in MIRRORED (run elsewhere: the fresh-clone test below, or .ci/run on CI).
A README command in neither, or a mapping entry no longer in the README, fails.
"""
from __future__ import annotations

import glob
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading

import pytest

from tests.helpers import ROOT, request, require_tool, wait_for

README = os.path.join(ROOT, "README.md")
CI_RUN = os.path.join(ROOT, ".ci", "run")
SHELL_FENCES = {"sh", "bash", "shell", "console"}
LISTENING = re.compile(r"listening on http://([\d.]+):(\d+)")

QUICK_START = "pip install -e . && pagesvm serve"
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"
APT = "apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium wrk nodejs npm"
EXEC_START = ("/opt/pagesvm/venv/bin/pagesvm serve /srv/mysite --host 127.0.0.1 --port 8090 --workers 4 "
              "--data /var/lib/pagesvm --proxy-headers")

EXEC_RELOAD = "/bin/kill -HUP $MAINPID"
MIRRORED = {
    EXEC_RELOAD: "test_systemd_unit_starts_and_reloads sends it to the ExecStart server",
    QUICK_START: "test_quick_start_from_a_fresh_clone runs it in a new clone and virtualenv",
    TEST_COMMAND: ".ci/run runs it on CI (test_ci_script_runs_the_readme_commands); here it would recurse",
    APT: ".ci/run runs it on CI as root (test_ci_script_runs_the_readme_commands)",
    "python bench/run.py": "test_http_benchmark_runs_end_to_end runs it with --duration 1 (a full run takes minutes)",
}
USERS = [
    "printf '%s\\n' \"$PASSWORD\" | pagesvm users create ada@example.com --password-stdin",
    "pagesvm users list",
    "printf '%s\\n' \"$NEW_PASSWORD\" | pagesvm users set-password ada@example.com --password-stdin",
    "pagesvm users delete ada@example.com",
    "pagesvm users import-pocketbase pb_data/data.db",
]
# Servers: command → (path to fetch, text the page must contain).
SERVERS = {
    "pagesvm serve path/to/project": ("/", "<h1>project 2</h1>"),
    "pagesvm serve examples/site --ext examples/shop_ext.py": ("/", "Hello"),
    "python examples/mount_app.py --port 8888": ("/health", "ok"),
}
# Commands that finish: command → text their output must contain.
FINISHING = {
    "pagesvm routes path/to/project": "index.ejs",
    "pagesvm bindings --ext examples/shop_ext.py": "shop.price",
    "python bench/bindings.py": "per call",
    "python bench/hooks.py": "/api/many/open/abc",
    "python bench/render.py": "list100",
}
RUNS = set(USERS) | set(SERVERS) | set(FINISHING) | {EXEC_START}


# -- reading the README ---------------------------------------------------------------------
def fenced_blocks(text: str):
    for match in re.finditer(r"^```(\w*)\n(.*?)^```", text, re.M | re.S):
        yield match.group(1), match.group(2)


def readme_commands() -> list[str]:
    text = open(README, encoding="utf-8").read()
    commands = []
    for lang, body in fenced_blocks(text):
        if lang in SHELL_FENCES:
            joined = re.sub(r"\\\n\s*", " ", body)
            commands += [line.strip() for line in joined.splitlines() if line.strip() and not line.strip().startswith("#")]
        for line in body.splitlines():
            if re.match(r"Exec\w*=", line):  # a systemd unit's commands
                commands.append(line.split("=", 1)[1].strip())
    return commands


def section(title: str) -> str:
    text = open(README, encoding="utf-8").read()
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README has no '## {title}' section"
    return match.group(1)


def test_every_readme_command_is_run_or_mirrored():
    commands = readme_commands()
    assert commands, "no commands found in README.md"
    unaccounted = [c for c in commands if c not in RUNS and c not in MIRRORED]
    assert not unaccounted, f"README commands no test runs or mirrors: {unaccounted}"
    stale = sorted((RUNS | set(MIRRORED)) - set(commands))
    assert not stale, f"commands tested here but gone from README.md: {stale}"


def test_quick_start_is_exactly_the_two_commands():
    blocks = [body.strip() for lang, body in fenced_blocks(section("Quick start")) if lang in SHELL_FENCES]
    assert blocks == [QUICK_START, TEST_COMMAND]


def test_readme_has_the_sections_a_newcomer_needs():
    for title in ("Quick start", "Serving an existing PocketPages project", "The context API",
                  "Sign-in and the users CLI", "Extending from Python", "Flags and environment variables",
                  "Deployment", "Security defaults", "Differences from PocketPages", "Benchmarks"):
        assert section(title).strip()
    assert "TODO" not in open(README, encoding="utf-8").read()


def test_ci_script_runs_the_readme_commands():
    lines = [line.strip() for line in open(CI_RUN, encoding="utf-8") if line.strip() and not line.strip().startswith("#")]
    assert APT in lines
    assert lines[-1] == TEST_COMMAND


def test_every_serve_flag_is_documented():
    help_text = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "serve", "--help"], cwd=ROOT,
                               capture_output=True, text=True, timeout=30).stdout
    flags = set(re.findall(r"(--[a-z][a-z-]+)", help_text)) - {"--help"}
    table = section("Flags and environment variables")
    missing = sorted(f for f in flags if f"`{f}" not in table)
    assert not missing, f"serve flags missing from the README's flag table: {missing}"


def test_every_environment_variable_is_documented():
    """Variables pagesvm reads (PAGESVM_*) are in the README's table; the worker hand-off is internal."""
    names = set()
    for folder in ("runtime", "bindings"):
        for path in glob.glob(os.path.join(ROOT, folder, "**", "*.py"), recursive=True):
            names |= set(re.findall(r'"(PAGESVM_[A-Z_]+)"', open(path, encoding="utf-8").read()))
    names.discard("PAGESVM_WORKER")
    assert names, "expected pagesvm to read at least PAGESVM_SECRET"
    table = section("Flags and environment variables")
    missing = sorted(n for n in names if f"`{n}`" not in table)
    assert not missing, f"environment variables missing from the README: {missing}"


# -- running them -----------------------------------------------------------------------------
@pytest.fixture
def workspace(tmp_path):
    """A scratch folder holding what the README's commands refer to."""
    pages = tmp_path / "path" / "to" / "project" / "pb_hooks" / "pages"
    pages.mkdir(parents=True)
    (pages / "index.ejs").write_text("<h1>project <%= 1 + 1 %></h1>\n")
    shutil.copytree(os.path.join(ROOT, "examples"), tmp_path / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", "pagesvm_data"))
    (tmp_path / "pb_data").mkdir()
    for name in glob.glob(os.path.join(ROOT, "tests", "fixtures", "pocketbase", "data.db*")):
        shutil.copy(name, tmp_path / "pb_data")
    return tmp_path


def shell_env(**extra) -> dict:
    """This interpreter's `pagesvm` and `python` first on PATH, as after the quick start."""
    bin_dir = os.path.dirname(sys.executable)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), **extra}


def run_shell(command: str, cwd, env=None, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env or shell_env(), capture_output=True,
                          text=True, timeout=timeout)


class ShellServer:
    """A README server command run in bash with `--port 0` appended, in its own process group."""

    def __init__(self, command: str, cwd, env=None, timeout: float = 30):
        self.proc = subprocess.Popen(["bash", "-c", command + " --port 0"], cwd=cwd, env=env or shell_env(),
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        self.lines: list[str] = []
        found: queue.Queue = queue.Queue()

        def pump():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = LISTENING.search(line)
                if m:
                    found.put((m.group(1), int(m.group(2))))
            found.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            self.address = found.get(timeout=timeout)
        except queue.Empty:
            self.address = None

    def get(self, path: str):
        return request(self.address[0], self.address[1], "GET", path)

    def request_proxied(self, path: str):
        """As a proxy on loopback would send it: --proxy-headers trusts 127.0.0.1 by default."""
        return request(self.address[0], self.address[1], "GET", path,
                       headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"})

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def systemd_command(workspace) -> str:
    """ExecStart with the unit's paths moved into the scratch folder."""
    return (EXEC_START.replace("/opt/pagesvm/venv/bin/pagesvm", "pagesvm")
            .replace("/srv/mysite", str(workspace / "path" / "to" / "project"))
            .replace("/var/lib/pagesvm", str(workspace / "var-lib-pagesvm")))


def test_systemd_unit_starts_and_reloads(workspace):
    """ExecStart (paths moved into the scratch folder), then ExecReload with $MAINPID set."""
    server = ShellServer(systemd_command(workspace), workspace)
    try:
        assert server.address, "no 'listening on' line:\n" + "\n".join(server.lines)
        res = server.request_proxied("/")
        assert res.status == 200 and "<h1>project 2</h1>" in res.text
        # --proxy-headers: the access log names the client the proxy reported.
        assert wait_for(lambda: any("203.0.113.9 GET /" in line for line in server.lines)), "\n".join(server.lines[-5:])
        reload = run_shell(EXEC_RELOAD, workspace, env=shell_env(MAINPID=str(server.proc.pid)))
        assert reload.returncode == 0, reload.stderr
        assert wait_for(lambda: any("reload done" in line for line in server.lines), timeout=60), \
            "\n".join(server.lines[-20:])
        assert server.get("/").status == 200
    finally:
        server.stop()


@pytest.mark.parametrize("command", sorted(SERVERS))
def test_readme_server_command_starts_and_serves(workspace, command):
    path, expected = SERVERS[command]
    server = ShellServer(command, workspace)
    try:
        assert server.address, "no 'listening on' line:\n" + "\n".join(server.lines)
        res = server.get(path)
        assert res.status == 200 and expected in res.text, (res.status, res.text[:300])
        if command == "python examples/mount_app.py --port 8888":
            assert server.get("/shop/").status == 200
    finally:
        server.stop()


@pytest.mark.parametrize("command", sorted(FINISHING))
def test_readme_command_runs(workspace, command):
    cwd = ROOT if command.startswith("python bench/") else workspace
    result = run_shell(command, cwd, timeout=120)
    assert result.returncode == 0, result.stderr
    assert FINISHING[command] in result.stdout, result.stdout


def test_readme_users_commands_run_in_order(workspace):
    from bindings.users import AuthError, UserStore

    env = shell_env(PASSWORD="first password 1", NEW_PASSWORD="second password 2")
    ordered = [c for c in readme_commands() if c in USERS]
    assert ordered == USERS, "README's users commands changed order or content"
    outputs = {}
    for command in ordered:
        result = run_shell(command, workspace, env=env)
        assert result.returncode == 0, (command, result.stderr)
        outputs[command] = result.stdout
        if command == USERS[2]:  # set-password: the new password works, the old does not
            store = UserStore(str(workspace / "pagesvm_data"))
            assert store.authenticate("ada@example.com", "second password 2")["email"] == "ada@example.com"
            with pytest.raises(AuthError):
                store.authenticate("ada@example.com", "first password 1")
    assert "ada@example.com" in outputs["pagesvm users list"]
    listed = run_shell("pagesvm users list", workspace, env=env).stdout
    assert "ada@example.com" not in listed  # deleted
    assert re.search(r"imported [1-9]\d* users", outputs[USERS[4]]), outputs[USERS[4]]


def test_readme_extension_example_works_as_written(tmp_path, serve):
    """The first Python block of "Extending from Python", loaded with --ext, called as the README says."""
    code = next(body for lang, body in fenced_blocks(section("Extending from Python")) if lang == "python")
    ext = tmp_path / "shop_ext.py"
    ext.write_text(code)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.ejs").write_text(
        "<% audit('viewed') %><%= greet('Ann') %>|<% const p = shop.price(3, {currency: 'USD'}) %>"
        "<%= p.total %> <%= p.currency %>|<%= shop.products()[0].name %>|<%= data.tenant %>|"
        "<% try { shop.price(11) } catch (e) { %><%= e.status %> <%= e.message %><% } %>")
    server = serve(str(site), "--ext", str(ext))
    res = server.get("/", headers={"X-Tenant": "acme"})
    assert res.status == 200, res.text
    assert res.text == "Hello Ann|7.5 USD|tea|acme|409 out of stock"
    assert server.get("/").text.split("|")[3] == "public"


# -- the quick start from a fresh clone -------------------------------------------------------
def test_quick_start_from_a_fresh_clone(tmp_path):
    """git clone, a new virtualenv, then the README's first command exactly (plus --port 0)."""
    if not os.path.isdir(os.path.join(ROOT, ".git")) or not shutil.which("git"):
        pytest.skip("not a git checkout")
    clone, venv = tmp_path / "clone", tmp_path / "venv"
    subprocess.run(["git", "clone", "-q", ROOT, str(clone)], check=True, timeout=60)
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True, timeout=60)
    env = {**os.environ, "VIRTUAL_ENV": str(venv),
           "PATH": str(venv / "bin") + os.pathsep + os.environ.get("PATH", "")}
    server = ShellServer(QUICK_START, clone, env=env, timeout=240)
    try:
        assert server.address, "quick start did not serve:\n" + "\n".join(server.lines[-30:])
        assert any(f"serving {clone}/pages" in line for line in server.lines), "\n".join(server.lines[-10:])
        home = server.get("/")
        assert home.status == 200 and "PocketPages, served from Python." in home.text
        assert (clone / "pagesvm_data").is_dir()
    finally:
        server.stop()


def test_http_benchmark_runs_end_to_end(tmp_path):
    # The README's `python bench/run.py`, with 1 s a row instead of 5: every row and the memory line appear.
    require_tool(shutil.which("wrk"), "wrk for the HTTP benchmark", "apt-get install wrk (as .ci/run does)")
    out = tmp_path / "bench.md"
    result = run_shell(f"python bench/run.py --duration 1 --out {out}", ROOT, timeout=240)
    assert result.returncode == 0, result.stderr[-2000:]
    table = out.read_text()
    cores = os.cpu_count() or 1
    for row in ("| hello |", "| list in layout |", "| list, signed in |", "| Python binding |", f"| {cores} workers",
                f"| bare Tornado, {cores} processes"):
        assert row in table, table
    assert re.search(r"RSS per worker after the run: [\d.]+ MiB", table), table
