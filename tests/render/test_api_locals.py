"""A template binds as locals only the API names its text mentions (ejs_compiler._header): a render reads ~50
names otherwise. A name never written out reaches the template only through a direct eval or a `\\u` escape
in an identifier, and then every name is bound, as before. The API object itself keeps its names and their order."""
from __future__ import annotations

import pytest

from bindings import builtins
from runtime.render.ejs_compiler import compile_template
from runtime.render.engine import Engine, page_payload
from runtime.render.site import Site
from tests.helpers import write_site

PAGES = {
    "plain.ejs": "<%= params.n %>|<%= typeof pb %>|<%= typeof signIn %>",
    "evaled.ejs": "<%= typeof eval('p' + 'b') %>|<%= eval('par' + 'ams').n %>",
    "escaped.ejs": "<%= typeof \\u0070b %>|<%= typeof p\\u0062 %>",
    "unmentioned.ejs": "<%= typeof shuffle %>",
    "locals.ejs": "<%= typeof locals.pb %>|<%= Object.keys(locals).length > 40 %>",
    "declared.ejs": "<% var pb = 5 %><%= pb %>|<%= typeof signOut %>",
}


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = write_site(tmp_path_factory.mktemp("site"), PAGES)
    builtins.load()
    return Engine(Site(root))


def test_only_mentioned_names_are_bound():
    source = compile_template("<%= params.n %> pb", "x.ejs", ("params", "pb", "include", "signIn")).source
    assert "params=__api.params" in source and "pb=__api.pb" in source
    assert "include=__api.include" not in source and "signIn=" not in source


@pytest.mark.parametrize("text", ["<%= eval('x') %>", "<%= \\u0070b %>", "<% var \\u0069nclude = 1 %>"])
def test_code_that_can_name_a_variable_without_writing_it_binds_every_name(text):
    source = compile_template(text, "x.ejs", ("params", "pb", "include")).source
    assert all(f"{n}=__api.{n}" in source for n in ("params", "pb", "include"))


@pytest.mark.parametrize("page, expected", [
    ("plain", "7|function|function"), ("evaled", "function|7"), ("escaped", "function|function"),
    ("unmentioned", "function"), ("locals", "function|true"), ("declared", "5|function"),
])
def test_templates_see_the_api_as_before(engine, page, expected):
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = page_payload(page + ".ejs", "template", [], [], [], {"n": 7}, request)
    payload["units"] = engine.route_units(payload["route"])
    result = engine.render(payload)
    assert result["error"] is None, result["error"]
    assert result["body"] == expected


# Object.keys(api) with the built-in families, as before shared-value families were gathered (core.js R.family).
ORDER = ('api', 'echo', 'include', 'resolve', 'require', 'meta', 'url', 'stringify', 'asset', 'slot', 'slots',
         'forEach', 'keys', 'values', 'merge', 'pick', 'omit', 'shuffle', 'env', 'dbg', 'info', 'warn', 'error',
         'signInWithPassword', 'registerWithPassword', 'signInWithToken', 'signIn', 'signOut', 'store', 'params',
         'data', 'request', 'body', 'formData', 'auth', 'response', 'redirect', 'pb', 'createUser',
         'createPasswordlessUser', 'createAnonymousUser', 'signInAnonymously', 'requestVerification',
         'confirmVerification', 'requestOTP', 'signInWithOTP', 'requestOAuth2Login', 'signInWithOAuth2',
         'createPaswordlessUser', 'realtime', 'datastar',)


def test_the_api_keeps_its_names_in_order(engine):
    root = engine.site.root
    with open(f"{root}/names.ejs", "w", encoding="utf-8") as f:
        f.write("<%= Object.keys(api).join(',') %>")
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = page_payload("names.ejs", "template", [], [], [], {}, request)
    payload["units"] = engine.route_units(payload["route"])
    assert tuple(engine.render(payload)["body"].split(",")) == ORDER


@pytest.mark.parametrize("lock", ["Object.freeze(api)", "Object.preventExtensions(api)",
                                  "Object.defineProperty(api, 'api', {value: 1, configurable: false})"])
def test_a_request_that_locks_its_api_ends_as_others_do(engine, lock):
    """After a request its API loses its link to itself (render.js breakCycles), which a locked API refuses."""
    root = engine.site.root
    with open(f"{root}/lock.ejs", "w", encoding="utf-8") as f:
        f.write(f"<% {lock} %><%= typeof api.api %>")
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    for page, expected in (("lock.ejs", "object" if "value" not in lock else "number"), ("plain.ejs", "7|function|function")):
        payload = page_payload(page, "template", [], [], [], {"n": 7}, request)
        payload["units"] = engine.route_units(payload["route"])
        result = engine.render(payload)
        assert (result["error"], result["body"], result["leaked"]) == (None, expected, [])
