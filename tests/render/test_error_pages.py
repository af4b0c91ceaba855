"""Errors name the site file and line; --dev shows the source around it, production only logs it.

Fixture site: tests/sites/ejs_errors (one page per kind of failure); one real server per mode.
"""
from __future__ import annotations

import html
import os
import time

import pytest

from bindings import builtins
from runtime.render.engine import Engine, RenderError
from runtime.render.site import Site
from tests.helpers import SITES, start_server

SITE = os.path.join(SITES, "ejs_errors")


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    server = start_server(SITE, "--dev", data_dir=str(tmp_path_factory.mktemp("dev")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def prod(tmp_path_factory):
    server = start_server(SITE, data_dir=str(tmp_path_factory.mktemp("prod")))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def engine():
    builtins.load()
    return Engine(Site(SITE))


@pytest.mark.parametrize("page, name, path, line", [
    ("first_line.ejs", "ReferenceError", "first_line.ejs", 1),
    ("middle_line.ejs", "ReferenceError", "middle_line.ejs", 5),
    ("last_line.ejs", "Error", "last_line.ejs", 4),
    ("multiline_tag.ejs", "TypeError", "multiline_tag.ejs", 2),  # the line where the tag opens, as ejs
    ("syntax_error.ejs", "SyntaxError", "syntax_error.ejs", 3),
    ("unclosed_block.ejs", "SyntaxError", "unclosed_block.ejs", 2),  # the `{` never closed
    ("unclosed_tag.ejs", "Error", "unclosed_tag.ejs", 2),
    ("partial_error.ejs", "TypeError", "_private/broken.ejs", 2),
])
def test_template_error_names_file_and_line(engine, page, name, path, line):
    with pytest.raises(RenderError) as caught:
        engine.render_file(page)
    error = caught.value.error
    assert (error.name, error.path, error.line) == (name, path, line)
    assert str(caught.value).startswith(f"{path}:{line}: {name}: ")


def _wait_for(server, text: str, timeout: float = 5.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in server.log:
            return server.log
        time.sleep(0.05)
    raise AssertionError(f"{text!r} not in server log:\n{server.log}")


def test_dev_error_page_shows_three_lines_of_context_and_marks_the_failing_line(dev):
    server = dev
    res = server.get("/middle_line")
    assert res.status == 500
    text = html.unescape(res.text)
    assert "middle_line.ejs:5\n" in text
    assert ">> 5| <p><%= missing.middle %></p>" in text
    for n in (2, 3, 4, 6, 7, 8):
        assert f"   {n}| line {n}" in text
    assert "| line 1" not in text and "| line 9" not in text
    assert "ReferenceError: missing is not defined" in text


def test_dev_error_page_escapes_the_message(dev):
    server = dev
    res = server.get("/last_line")
    assert res.status == 500
    assert "Error: last &amp; &lt;worst&gt;" in res.text
    assert "<worst>" not in res.text


def test_dev_error_in_partial_points_into_the_partial(dev):
    server = dev
    res = server.get("/partial_error")
    text = html.unescape(res.text)
    assert res.status == 500
    assert "_private/broken.ejs:2\n" in text
    assert ">> 2| <%= who.toUpperCase() %> <%= who.missing.boom %>" in text


def test_dev_error_in_middleware_names_the_module_line(dev):
    server = dev
    text = html.unescape(server.get("/mw_error").text)
    assert "mw_error/+middleware.js:2\n" in text
    assert '>> 2|   throw new Error("middleware refused")' in text


def test_dev_error_in_load_module_names_the_module(dev):
    server = dev
    res = server.get("/load_error")
    text = html.unescape(res.text)
    assert res.status == 500
    # QuickJS records no position for a `return` expression: the enclosing function's line is shown.
    assert "load_error/+load.js:1\n" in text
    assert "TypeError: cannot read property 'deeper' of undefined" in text


def test_production_error_page_is_generic_and_details_go_to_the_log(prod):
    server = prod
    res = server.get("/middle_line")
    assert res.status == 500
    assert "Something went wrong" in res.text
    for secret in ("middle_line", "missing", "ReferenceError", "line 4"):
        assert secret not in res.text
    log = _wait_for(server, "middle_line.ejs:5")
    assert "GET /middle_line failed at middle_line.ejs:5: ReferenceError: missing is not defined" in log


def test_production_logs_module_errors_with_file_and_line(prod):
    server = prod
    assert server.get("/mw_error").status == 500
    log = _wait_for(server, "mw_error/+middleware.js:2")
    assert "mw_error/+middleware.js:2: Error: middleware refused" in log


def test_syntax_error_is_reported_per_request_and_the_site_keeps_serving(prod):
    server = prod
    assert server.get("/syntax_error").status == 500
    _wait_for(server, "syntax_error.ejs:3: SyntaxError")
    assert server.get("/").text == "<h1>fine</h1>\n"
