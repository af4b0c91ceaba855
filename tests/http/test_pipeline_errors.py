"""Errors in middleware, loaders, modules, layouts and pages report file:line (tests/sites/pp_errors)."""
import html
import os

import pytest

from tests.helpers import SITES, start_server, wait_for

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

SITE = os.path.join(SITES, "pp_errors")
CASES = [
    ("/mw", "mw/+middleware.js:3", "Error: middleware boom"),
    ("/loader", "loader/+load.js:3", "TypeError: not a function"),
    ("/module", "module/_private/bad.js:4", "TypeError: module boom"),
    ("/layout", "layout/+layout.ejs:2", "ReferenceError: nothing is not defined"),
    ("/page", "page/index.ejs:3", "ReferenceError: undefinedFunction is not defined"),
    ("/req", "req/_private/helper.js:2", "SyntaxError:"),  # a native JSON.parse frame is skipped
]


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    s = start_server(SITE, *ONE, "--dev", data_dir=str(tmp_path_factory.mktemp("data")))
    yield s
    s.stop()


@pytest.mark.parametrize("path, location, message", CASES)
def test_debug_page_names_the_failing_file_and_line(dev, path, location, message):
    res = dev.get(path)
    assert res.status == 500
    text = html.unescape(res.text)
    assert text.split("<code>", 1)[1].startswith(location + "\n")
    assert message in text
    assert ">> " + location.rsplit(":", 1)[1] + "|" in text  # the failing line is marked in the excerpt


def test_production_hides_details_but_logs_the_location(serve):
    server = serve(SITE, *ONE)
    for path, location, _ in CASES:
        res = server.get(path)
        assert res.status == 500
        assert location.split(":")[0] not in res.text and "boom" not in res.text
        assert wait_for(lambda: f"failed at {location}" in server.log), (location, server.log[-2000:])


def test_a_failed_request_does_not_break_the_next_one(serve):
    server = serve(SITE, *ONE)
    assert server.get("/mw").status == 500
    assert server.get("/").text == "errors site\n"
