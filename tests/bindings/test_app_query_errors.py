"""A filter error thrown by `$app.findRecordsByFilter` in a page is reported where the page made the call: the
--dev error page and the log name the .ejs file (a partial's own file) and the line, as for other thrown errors."""
import html
import time

import pytest

from runtime.data import process
from runtime.data.collections import Collection, save_collection
from tests.helpers import start_server, write_site

PAGES = {
    "bad.ejs": "<h1>posts</h1>\n<%\n  const x = 1\n  const found = $app.findRecordsByFilter('posts', \"title = 'x' &&\")\n%>\n",
    "outer.ejs": "<p>a</p>\n<%- include('inner.ejs') %>\n",
    "_private/inner.ejs": "<p>b</p>\n\n<% $app.findFirstRecordByFilter('posts', 'nope = 1') %>\n",
}


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    base = tmp_path_factory.mktemp("filter_errors")
    data = str(base / "data")
    store = process.store_for(data)
    save_collection(store.db, Collection.from_api({"name": "posts", "fields": [{"name": "title", "type": "text"}]}))
    process.forget(data)
    server = start_server(write_site(base / "site", PAGES), "--dev", "--workers", "1", data_dir=data)
    yield server
    server.stop()


def _logged(server, text, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and text not in server.log:
        time.sleep(0.05)
    return server.log


def test_a_filter_error_names_the_page_and_the_line_of_the_call(dev):
    page = dev.get("/bad")
    assert page.status == 500
    shown = html.unescape(page.text)
    assert "bad.ejs:4\n" in shown
    assert "GoError: invalid filter expression: invalid or incomplete filter expression" in shown
    assert ">> 4|   const found = $app.findRecordsByFilter(" in shown
    assert ("GET /bad failed at bad.ejs:4: GoError: invalid filter expression: invalid or incomplete filter "
            "expression") in _logged(dev, "GET /bad failed")


def test_in_a_partial_it_names_the_partial(dev):
    page = dev.get("/outer")
    assert page.status == 500
    shown = html.unescape(page.text)
    assert "_private/inner.ejs:3\n" in shown and 'unknown field \\"nope\\"' not in shown
    assert 'invalid left operand "nope" - unknown field "nope"' in shown
    assert "failed at _private/inner.ejs:3: GoError: invalid filter expression" in _logged(dev, "GET /outer failed")
