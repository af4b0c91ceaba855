"""create_app(site, **options): the whole Tornado application `pagesvm serve` runs, with the
CLI's options and defaults. Served on a loopback port by an IOLoop in its own thread."""
import os

import pytest
import tornado.web

from runtime.http import build as app_module
from runtime import create_app
from runtime.serve.cli import build_parser
from tests.helpers import ROOT, request
from tests.http.test_mount import serve_in_thread

SITE = os.path.join(ROOT, "tests", "sites", "bind_basic")
EXT = os.path.join(ROOT, "tests", "sites", "bind_ext.py")


def test_options_have_the_cli_flags_defaults():
    args = build_parser().parse_args(["serve"])
    assert app_module.DEFAULTS["data_dir"] == args.data
    assert app_module.DEFAULTS["debug"] is args.dev is False
    assert app_module.DEFAULTS["max_output"] == args.max_output


def test_unknown_option_is_a_one_line_type_error(tmp_path):
    with pytest.raises(TypeError, match="unknown pagesvm option 'debgu'"):
        create_app(SITE, data_dir=str(tmp_path), debgu=True)


def test_create_app_serves_the_site_with_extensions_and_creates_the_data_dir(tmp_path):
    data = tmp_path / "nested" / "data"
    made = {}

    def make_app():
        made["app"] = create_app(SITE, data_dir=str(data), extensions=[EXT])
        return made["app"]

    with serve_in_thread(make_app) as port:
        res = request("127.0.0.1", port, "GET", "/", headers={"X-Tenant": "t9"})
        assert res.status == 200 and "Hello Ann" in res.text and '<p id="tenant">t9</p>' in res.text
        info = request("127.0.0.1", port, "GET", "/ctx").json()
        assert info["data_dir"] == str(data)
    assert isinstance(made["app"], tornado.web.Application)
    assert data.is_dir() and (data.stat().st_mode & 0o777) == 0o700


def test_dev_option_is_the_dev_flag(tmp_path):
    with serve_in_thread(lambda: create_app(SITE, data_dir=str(tmp_path), extensions=[EXT], dev=True)) as port:
        res = request("127.0.0.1", port, "GET", "/errors?case=uncaught-boom")
        assert res.status == 500 and "RuntimeError: secret detail 7f3a" in res.text
    with serve_in_thread(lambda: create_app(SITE, data_dir=str(tmp_path), extensions=[EXT])) as port:
        res = request("127.0.0.1", port, "GET", "/errors?case=uncaught-boom")
        assert res.status == 500 and "secret detail" not in res.text


def test_max_fields_option_is_the_max_fields_flag(tmp_path):
    assert app_module.DEFAULTS["max_fields"] == build_parser().parse_args(["serve"]).max_fields == 1000
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    with serve_in_thread(lambda: create_app(SITE, data_dir=str(tmp_path), extensions=[EXT], max_fields=2)) as port:
        assert request("127.0.0.1", port, "POST", "/", body="a=1&b=2", headers=form).status == 200
        res = request("127.0.0.1", port, "POST", "/", body="a=1&b=2&c=3", headers=form)
        assert res.status == 413 and "more than 2 fields" in res.text
