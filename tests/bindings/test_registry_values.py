"""Registries are values: one built with chosen built-in families serves a page with only those,
and two runtimes in one process, built with different registries, each see only their own."""
import os

import pytest
import tornado.web

from bindings import builtins
from bindings.registry import REGISTRY, DuplicateBinding, Registry
from runtime import page_rules
from runtime.http.extensions import load_extensions
from runtime.http.pipeline import PagesRuntime
from tests.helpers import ROOT, request
from tests.http.test_mount import serve_in_thread

EXT = os.path.join(ROOT, "tests", "sites", "bind_ext.py")
PAGE = ("<p id='kinds'><%= typeof response %> <%= typeof redirect %> <%= typeof signOut %> "
        "<%= typeof greet %> <%= typeof env %></p><p id='x'><%= params.x %></p>")


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    (root / "index.ejs").write_text(PAGE)
    return str(root)


def kinds(port, prefix=""):
    res = request("127.0.0.1", port, "GET", prefix + "/?x=7")
    assert res.status == 200, res.text
    return res.text.split("<p id='kinds'>")[1].split("</p>")[0], res.text.split("<p id='x'>")[1].split("</p>")[0]


def test_a_registry_with_only_the_request_and_response_family_serves_a_page(site, tmp_path):
    registry = builtins.registry([builtins.PAGE_API])
    assert "redirect" in registry.bindings and "signOut" not in registry.bindings and "env" not in registry.bindings
    runtime = PagesRuntime(site, data_dir=str(tmp_path / "data"), registry=registry)
    assert runtime.registry is registry and "signOut" not in runtime.engine.api_names
    with serve_in_thread(lambda: tornado.web.Application(
            page_rules(site, data_dir=str(tmp_path / "data"), registry=registry))) as port:
        assert kinds(port) == ("object function undefined undefined undefined", "7")


def test_two_runtimes_in_one_process_see_only_their_own_bindings(site, tmp_path):
    data = str(tmp_path / "data")

    def make_app():
        return tornado.web.Application(page_rules(site, prefix="/a", data_dir=data, extensions=[EXT])
                                       + page_rules(site, prefix="/b", data_dir=data))

    with serve_in_thread(make_app) as port:
        assert kinds(port, "/a") == ("object function function function function", "7")
        assert kinds(port, "/b") == ("object function function undefined function", "7")
    assert "greet" not in REGISTRY.bindings  # the extension went into runtime a's registry only


def test_an_extension_lands_in_each_registry_that_loads_it():
    first, second = builtins.registry(), builtins.registry()
    load_extensions([EXT], first)
    load_extensions([EXT], second)  # imported once per process, included in both
    assert first.bindings["greet"].func is second.bindings["greet"].func
    assert first.request_hooks == second.request_hooks and first.request_hooks


def test_families_are_included_once_and_clashes_are_still_refused():
    registry = builtins.registry()
    count = len(registry.bindings)
    builtins.load(registry)
    assert len(registry.bindings) == count
    other = Registry()
    other.add("redirect", lambda ctx: 1)
    with pytest.raises(DuplicateBinding, match="'redirect' is registered twice"):
        registry.include("tests.other", other)


def test_the_sdk_registers_into_the_process_wide_registry_outside_a_load():
    from bindings import binding

    @binding("registryValuesProbe")
    def probe(ctx):
        return 1

    try:
        assert REGISTRY.bindings["registryValuesProbe"].func is probe
    finally:
        del REGISTRY.bindings["registryValuesProbe"]
