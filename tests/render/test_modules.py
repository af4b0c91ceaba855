"""CommonJS modules for pages (runtime/render/js/modules.js): require, resolve and their lookups."""
import html
import os

import pytest

from tests.helpers import SITES, start_server

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

SITE = os.path.join(SITES, "pp_modules")


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    s = start_server(SITE, *ONE, data_dir=str(tmp_path_factory.mktemp("data")))
    text = html.unescape(s.get("/shop/deep").text)
    yield {k: v for k, _, v in (line.partition("=") for line in text.splitlines() if "=" in line)}, s
    s.stop()


def test_require_gives_module_exports_filename_and_dirname(page):
    values, _ = page
    assert values["a"] == "a file=_private/a.js dir=_private cycle=b<-a"  # a cycle sees partial exports


def test_require_and_resolve_share_one_module_per_request(page):
    assert page[0]["same"] == "true"


def test_json_modules_with_and_without_extension(page):
    assert page[0]["json"] == "5EUR"


def test_resolve_lookup_nearest_root_and_skip_a_level(page):
    assert page[0]["near"] == "shop root=root skip=shop"


def test_require_pocketpages_is_this_requests_context_api(page):
    assert page[0]["pp"] == "true/true"


def test_clear_errors_for_missing_modules_and_bad_modes(page):
    values, _ = page
    assert values["missing"] == "Cannot find module 'nope' from shop/deep/index.ejs"
    assert values["mode"] == "resolve: unknown mode 'zip' (require, raw, script, style)"
    assert values["protomode"] == "resolve: unknown mode 'constructor' (require, raw, script, style)"  # not Object
    assert values["resolve"] == "resolve: 'nope' not found in any _private folder above shop/deep/index.ejs"
    assert values["outside"] == "Cannot find module '../../../etc/passwd' from shop/deep/index.ejs"


def test_module_state_is_fresh_each_request(page):
    _, server = page
    for _ in range(5):
        assert server.get("/counter").text.strip() == "1,2"


def test_private_modules_are_not_served(page):
    _, server = page
    for path in ("/_private/a.js", "/_private/prices.json", "/shop/_private/where.js"):
        assert server.get(path).status == 404


def test_a_module_is_compiled_once_per_interpreter_and_run_once_per_request():
    from runtime.http.pipeline import PagesRuntime

    engine = PagesRuntime(SITE).engine
    assert engine.render_file("counter.ejs").strip() == "1,2"
    compiled = engine.units.compiles
    for _ in range(3):
        assert engine.render_file("counter.ejs").strip() == "1,2"
    assert engine.units.compiles == compiled  # cached: nothing recompiled
    count = os.path.join(SITE, "_private", "count.js")
    stat = os.stat(count)
    os.utime(count, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    try:
        assert engine.render_file("counter.ejs").strip() == "1,2"
        assert engine.units.compiles == compiled + 1  # a changed file is compiled again
    finally:
        os.utime(count, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_page_code_cannot_reach_outside_the_root(page):
    _, server = page
    text = server.get("/escape").text
    for name in ("include", "includeRoot", "resolveRaw", "resolveAbs", "require", "requireNul"):
        assert f"{name}=refused" in text
    assert "asset=returned ../../../etc/passwd" in text  # unknown files are returned unchanged, never read
    for target in ("../../../etc/passwd", "/etc/passwd", "..%2f..%2fetc%2fpasswd"):
        res = server.get("/file?f=" + target)
        assert res.status == 404 and b"root:" not in res.body
    assert server.get("/file?f=_private/prices.json").status == 404  # response.file() sends static files only


@pytest.mark.parametrize("source", ["_private/prices.json", "/_private/a.js", "file.ejs", "shop/deep/index.ejs",
                                    "shop/_private/where.js", "shop/x/../_private/where.js", ".hidden.txt",
                                    "../pp_modules/file.ejs", "nothing.txt"])
def test_response_file_never_sends_a_source(page, source):
    _, server = page
    res = server.get("/file?f=" + source)
    assert res.status == 404 and b"module.exports" not in res.body and b"<%" not in res.body


def test_response_file_sends_a_static_file(page):
    _, server = page
    for name in ("public.txt", "/public.txt"):
        res = server.get("/file?f=" + name)
        assert (res.status, res.text) == (200, "plain static text\n")
