"""The request pipeline (SPEC §2) and the context API (SPEC §3), through a real server.

tests/sites/pp_pipeline: a root object-form +middleware.js, an (app) group with an
(api, next) middleware and a layout with a side slot, loaders beside (app)/flow, and a
per-request `trail` module every step pushes to, so the root layout prints the order.
"""
import html
import json
import os
import re
import urllib.parse

import pytest

from tests.helpers import SITES, served

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

SITE = os.path.join(SITES, "pp_pipeline")
API_NAMES = ("params data request response formData body redirect echo include resolve meta asset env url "
             "stringify dbg info warn error forEach keys values merge pick shuffle omit").split()
OBJECTS = {"params", "data", "request", "response"}


server = served(SITE, *ONE, env={"PP_PIPELINE_ENV": "envval"})


def element(text, id_):
    found = re.search(rf'<(\w+) id="{id_}">(.*?)</\1>', text, re.S)
    assert found, f"no #{id_} in {text!r}"
    return html.unescape(found.group(2))


def test_steps_run_in_spec_order_for_get(server):
    res = server.get("/flow?n=5")
    assert res.status == 200
    assert element(res.text, "trail") == "mw:root>mw:app>load>get>page>layout:app>layout:root"


def test_post_runs_the_post_loader_with_the_parsed_form(server):
    res = server.post("/flow", form={"x": "42"})
    assert element(res.text, "trail") == "mw:root>mw:app>load>post>page>layout:app>layout:root"
    data = json.loads(element(res.text, "data"))
    assert data["method"] == "post"
    assert data["field"] == data["bodyX"] == data["legacy"] == "42"


def test_middleware_and_loader_results_merge_into_data(server):
    data = json.loads(element(server.get("/flow?n=5").text, "data"))
    assert data["rootMw"] == "root" and data["appMw"] == "app"
    assert data["shared"] == {"a": 1, "b": 2}  # deep merge of both middleware results
    assert data["queryN"] == 5  # params are parsed before middleware runs
    assert data["seenData"] == ["appMw", "authType", "queryN", "rootMw", "shared"]  # loaders see middleware data
    assert data["method"] == "get" and data["load"] == "load"


def test_request_auth_is_undefined_when_signed_out(server):
    assert json.loads(element(server.get("/flow").text, "data"))["authType"] == "undefined"
    assert element(server.get("/scope").text, "auth") == "undefined/undefined"


def test_middleware_without_next_sends_what_it_set(server):
    res = server.get("/flow?block=1")
    assert res.status == 403
    assert res.header("Content-Type").startswith("application/json")
    assert res.json() == {"blocked": True}
    res = server.get("/flow?go=1")
    assert res.status == 302 and res.header("Location") == "/elsewhere"


def test_params_are_query_json_then_route_params(server):
    res = server.get("/item/route?id=q&n=5&j=%7B%22a%22%3A1%7D&s=hi&z=007")
    params = json.loads(element(res.text, "params"))
    assert params == {"id": "route", "n": 5, "j": {"a": 1}, "s": "hi", "z": "007"}


def test_top_level_return_of_an_object_is_json_without_layouts(server):
    res = server.get("/ret?n=3")
    assert res.header("Content-Type").startswith("application/json")
    assert res.json() == {"ok": True, "n": 3}


def test_top_level_return_of_a_string_replaces_the_output(server):
    res = server.get("/retstr")
    assert '<section class="app">returned <b>text</b><aside></aside></section>' in res.text
    assert "discarded" not in res.text


def test_output_that_parses_as_json_skips_layouts(server):
    res = server.get("/jsonout")
    assert res.header("Content-Type").startswith("application/json")
    assert res.json() == {"a": [1, 2]}
    assert "<html>" not in res.text


def test_page_content_type_skips_json_detection_and_layouts(server):
    res = server.get("/text")
    assert res.header("Content-Type") == "text/plain; charset=utf-8"
    assert res.text.strip() == '{"plain": true}'


def test_layouts_innermost_out_with_slot_and_named_slot_and_meta(server):
    res = server.get("/slots")
    assert "<title>Slots</title>" in res.text
    assert '<body><section class="app">Main part<aside>Side part</aside></section>' in res.text


def test_echo_appends_inline_with_objects_as_json(server):
    assert '<section class="app">Ab {"c":1} 2D<aside>' in server.get("/echo").text


def test_redirect_with_message_adds_flash_and_without_does_not(server):
    res = server.get("/redir")
    assert res.status == 302 and res.header("Location") == "/target?x=1&__flash=Saved%20it!"
    res = server.get("/redir-plain")
    assert res.status == 303 and res.header("Location") == "/target"


def test_include_nearest_private_then_root_with_leading_slash(server):
    text = server.get("/inc").text
    assert '<div class="card app-card">Hello</div>' in text
    assert '<div class="card root-card">Root</div>' in text
    assert '<div class="card app-card">Ext</div>' in text


def test_resolve_modes_require_json_raw_style_script(server):
    text = server.get("/res?n=9").text
    assert "double=42" in text
    assert "n=9" in text  # require('pocketpages') inside a module is this request's API
    assert "conf=conf,2" in text
    assert "raw=body{color:red}" in text
    assert "<style>\nbody{color:red}\n\n</style>" in text
    assert "<script>\nif (typeof module === 'undefined') { module = { exports: {} } };\nconst pp = require" in text


def test_module_runs_once_per_request_with_fresh_state_each_request(server):
    for _ in range(6):  # several requests, whichever worker takes them
        assert '<section class="app">1 2 3<aside>' in server.get("/count").text


def test_env_url_stringify_microdash_and_request_helpers(server):
    res = server.get("/misc?n=4", headers={"X-Test": "hdr"}, cookies={"prefs": '{"theme":"dark"}'})
    text = html.unescape(res.text)
    for expected in ("env=envval||", "url=/a/b,6|", 'circular={"name":"loop","self":"[Circular]"}|',
                     "keys=a,b|values=1,2|", 'merge={"a":{"x":1,"y":2}}|', 'pick={"a":1,"c":3}|omit={"b":2}|',
                     "shuffle=1,2,3|", "each=[1][2]|", "method=GET|path=/misc|q=4|", "header=hdr|missing=[]|",
                     "cookie=dark|"):
        assert expected in text


def test_request_url_query_parses_like_url_first_value_wins_builtin_names_skipped(server):
    res = server.get("/urlquery?n=5&n=6&b=true&s=hi&toString=x&constructor=y")
    assert res.header("Content-Type") == "application/json"
    expected = {"n": 5, "b": True, "s": "hi"}
    assert res.json() == {"request": expected, "url": expected}


def test_logging_helpers_write_to_the_server_log(server):
    server.get("/misc")
    from tests.helpers import wait_for

    assert wait_for(lambda: "error-line" in server.log)
    assert "info-line 7" in server.log and "warn-line" in server.log
    assert "dbg-line" not in server.log  # dbg only in debug mode


@pytest.mark.parametrize("where", ["page-scope", "layout-scope", "partial-scope", "mw-scope", "loader-scope",
                                   "require-scope"])
def test_whole_context_api_is_in_scope_everywhere(server, where):
    text = element(server.get("/scope").text, where).strip()
    found = dict(pair.split(":") for pair in text.split())
    assert set(found) == set(API_NAMES)
    for name in API_NAMES:
        assert found[name] == ("object" if name in OBJECTS else "function"), name


def test_dbg_logs_in_debug_mode(serve):
    server = serve(SITE, *ONE, "--dev")
    server.get("/misc")
    from tests.helpers import wait_for

    assert wait_for(lambda: "dbg-line" in server.log)


def test_request_url_query_is_the_query_params_was_parsed_from(server):
    # Parsed once, in Python: a bad escape and a number JSON cannot hold read the same in both.
    data = server.get("/urlparams?a=%ff&n=1e999&j=" + urllib.parse.quote('{"x":[1]}') + "&toString=t").json()
    assert data["params"] == {"a": "\ufffd", "n": "1e999", "j": {"x": [1]}, "toString": "t"}
    assert data["query"] == {"a": "\ufffd", "n": "1e999", "j": {"x": [1]}}
