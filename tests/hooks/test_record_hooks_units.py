"""Record hooks in pagesvm alone: saves from a page and from a loader fire them (the oracle test covers hook
handlers against the binary), and the table the interpreter gets holds only record hooks, none for a site
without any (its saves stay one crossing: record.js sees no R.recordWrite)."""
import tempfile

import pytest

from runtime.hooks.learn import record_hook_table
from runtime.hooks.table import Registration
from tests.helpers import request, start_server
from tests.hooks.test_record_hooks_oracle import PROJECT


@pytest.fixture(scope="module")
def server():
    s = start_server(PROJECT, "--workers", "1", data_dir=tempfile.mkdtemp())
    yield s
    s.stop()


def log(server) -> str:
    return request(server.host, server.port, "GET", "/t/log").body.decode()


def test_a_page_save_fires_the_chain(server):
    log(server)
    r = request(server.host, server.port, "GET", "/save?title=upper")
    assert r.status == 200 and r.body.decode().strip() == "page:UPPER"
    assert log(server) == ("create(upper) create2 validate(UPPER) createExec create-done(UPPER) "
                           "afterCreate(posts:UPPER) ")


def test_a_throwing_hook_fails_the_page(server):
    log(server)
    r = request(server.host, server.port, "GET", "/save?title=throw")
    assert r.status == 500
    assert log(server) == "create(throw) createError(Error: create hook refused) "


def test_a_loader_save_fires_the_filtered_hooks(server):
    log(server)
    r = request(server.host, server.port, "GET", "/loaded")
    assert r.status == 200 and "loader:from-loader" in r.body.decode()
    assert log(server) == "validate(from-loader) createExec afterCreate(notes:from-loader) "


def _reg(kind, name, index, filters=()):
    return Registration(file="../x.pb.js", index=index, kind=kind, name=name, method="", path="", filters=filters,
                        middlewares=())


def test_table_holds_record_hooks_only():
    found = [_reg("route", "", 0), _reg("hook", "onBootstrap", 1), _reg("hook", "onRecordCreate", 2, ("posts",)),
             _reg("hook", "onRecordAfterDeleteSuccess", 3), _reg("hook", "onRecordCreate", 4)]
    assert record_hook_table(found) == {
        "onRecordCreate": [["../x.pb.js", 2, ["posts"]], ["../x.pb.js", 4, []]],
        "onRecordAfterDeleteSuccess": [["../x.pb.js", 3, []]]}
    assert record_hook_table(found[:2]) == {}
