"""What the JSVM globals do beyond the binary's answers: `$os.cmd` only under --allow-exec, `sleep` counted
against --timeout and interrupted by it, console.* in the server log, the globals frozen and no bridge on them."""
import json
import time

import pytest

from tests.helpers import start_server, write_site

PAGES = {
    "pb_hooks/pages/cmd.ejs": "<% let out; try { out = toString($os.cmd('echo', 'hi there').output()) } catch (e) { out = e.name + ': ' + e.message } %><%= out %>",
    "pb_hooks/pages/fail.ejs": "<% let out; try { $os.cmd('false').run() } catch (e) { out = e.name + ': ' + e.message } %><%= out %>",
    "pb_hooks/pages/sleep.ejs": "<% sleep(50) %>slept",
    "pb_hooks/pages/long.ejs": "<% sleep(60000) %>never",  # a caught timeout is test_attack4_caught_timeout's known issue
    "pb_hooks/pages/log.ejs": "<% console.log('console says', {a: 1}); console.error('bad thing') %>logged",
    "pb_hooks/pages/frozen.ejs": """<%
const out = {}
for (const g of ['$security', '$os', '$filepath', 'console']) {
  out[g] = Object.isFrozen(globalThis[g])
  try { globalThis[g].extra = 1 } catch (e) {}
  out[g + 'Extra'] = globalThis[g].extra === undefined
}
out.bridge = JSON.stringify(Object.getOwnPropertyNames($os).concat(Object.getOwnPropertyNames($security))).includes('python')
out.exit = (() => { try { $os.exit(1); return 'ran' } catch (e) { return e.message } })()
%><%- JSON.stringify(out) %>""",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return write_site(tmp_path_factory.mktemp("site"), PAGES)


def _serve(site, tmp_path_factory, *args):
    return start_server(site, "--workers", "1", *args, data_dir=str(tmp_path_factory.mktemp("data")))


def test_cmd_is_refused_without_allow_exec(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory)
    try:
        answer = server.get("/cmd")
    finally:
        server.stop()
    assert answer.status == 200
    assert "Error: pagesvm: $os.cmd/$os.exec run programs only when the server is started with --allow-exec" in answer.text


def test_cmd_runs_with_allow_exec(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory, "--allow-exec")
    try:
        ran, failed = server.get("/cmd"), server.get("/fail")
    finally:
        server.stop()
    assert ran.text == "hi there\n"
    assert failed.text == "GoError: exit status 1"


def test_sleep_waits_and_the_timeout_interrupts_it(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory, "--timeout", "1")
    try:
        assert server.get("/sleep").text == "slept"
        started = time.monotonic()
        long = server.get("/long")
        took = time.monotonic() - started
        assert server.get("/sleep").text == "slept"  # the worker is still serving
    finally:
        server.stop()
    assert long.status == 504  # stopped by --timeout, also inside a binding
    assert took < 5


def test_a_sleep_past_the_timeout_answers_504(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory, "--timeout", "1")
    try:
        assert server.get("/long").status == 504
    finally:
        server.stop()


def test_console_goes_to_the_server_log(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory)
    try:
        assert server.get("/log").text == "logged"
    finally:
        server.stop()
    assert 'console says {"a": 1}' in server.log
    assert "bad thing" in server.log


def test_globals_are_frozen_and_keep_no_bridge(site, tmp_path_factory):
    server = _serve(site, tmp_path_factory)
    try:
        out = json.loads(server.get("/frozen").body)
    finally:
        server.stop()
    assert all(out[g] and out[g + "Extra"] for g in ("$security", "$os", "$filepath", "console"))
    assert out["bridge"] is False
    assert "not available" in out["exit"]
