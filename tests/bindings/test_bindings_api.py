"""The public binding API as pages see it, through a real `pagesvm serve --ext` on loopback."""
import json
import re


from tests.helpers import served

SITE = "tests/sites/bind_basic"
EXT = "tests/sites/bind_ext.py"


server = served(SITE, "--ext", EXT)


def text_of(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">(.*?)</p>', html).group(1)


def test_page_calls_a_binding_by_name_with_positional_arguments(server):
    res = server.get("/")
    assert res.status == 200
    assert text_of(res.text, "greet") == "Hello Ann"


def test_namespaced_binding_takes_keyword_only_params_from_a_trailing_object(server):
    html = server.get("/").text
    assert json.loads(text_of(html, "price").replace("&#34;", '"')) == {"qty": 3, "total": 7.5, "currency": "USD"}
    assert json.loads(text_of(html, "price-default").replace("&#34;", '"'))["currency"] == "EUR"


def test_on_request_hook_runs_before_middleware_and_its_dict_is_merged_into_data(server):
    html = server.get("/", headers={"X-Tenant": "acme"}).text
    assert text_of(html, "tenant") == "acme"
    assert text_of(html, "from-middleware") == "middleware saw acme"
    assert text_of(server.get("/").text, "tenant") == "public"


def test_status_headers_and_cookies_an_on_request_hook_sets_are_sent_and_the_page_can_override_them(server):
    res = server.get("/hooked", headers={"X-Hook-Effects": "1"})
    assert res.status == 203 and res.text.strip() == "hooked page"
    assert res.header("X-From-Hook") == "yes"
    assert any(c.startswith("hooked=1") for c in res.header_all("Set-Cookie"))
    later = server.get("/hooked?page=1", headers={"X-Hook-Effects": "1"})  # the page runs after the hook
    assert later.status == 201 and later.header("X-From-Hook") == "page"
    plain = server.get("/hooked")
    assert plain.status == 200 and plain.header("X-From-Hook") is None


def test_values_cross_as_json_and_arrive_deep_equal_both_ways(server):
    body = server.get("/values").json()
    assert body["same"] is True
    assert body["back"]["big"] == 9007199254740991 and body["back"]["neg"] == -9007199254740991
    assert body["back"]["s"] == "ünïcødé ✓ 😀"
    assert body["fromPython"] == {"text": "ünïcødé ✓ 😀 \u2028", "nested": [1, [2, [3, [None, {"k": []}]]]],
                                  "big": 2 ** 53 - 1, "neg": -(2 ** 53 - 1), "none": None, "float": 0.1,
                                  "tuple": [1, 2], "empty": {}}
    assert body["nullArg"] is None and body["str"] == "x"


def test_every_binding_is_reachable_through_require_pocketpages_in_pages_loaders_and_modules(server):
    body = server.get("/require").json()
    assert body == {"same": True, "viaRequire": "Hello Bo", "viaModule": 10, "viaLoader": "Hello loader",
                    "builtins": True}


def test_ctx_exposes_request_auth_data_dir_site_and_data(server, tmp_path):
    res = server.post("/ctx?x=5&s=hi", form={"a": "1"}, cookies={"c": "v"},
                      headers={"X-Tenant": "t1", "Origin": server.url})
    info = res.json()
    assert info["method"] == "POST" and info["path"] == "/ctx" and info["url"] == "/ctx?x=5&s=hi"
    assert info["query"] == {"x": 5, "s": "hi"}
    assert info["body"] == {"a": "1"}
    assert info["headers"]["x-tenant"] == "t1"
    assert info["cookies"] == {"c": "v"}
    assert info["auth"] is None
    assert info["data"] == {"tenant": "t1"}
    assert info["site"].endswith("tests/sites/bind_basic")
    assert info["data_dir"].startswith("/")


def test_binding_sets_status_headers_and_cookies_through_ctx_response(server):
    res = server.get("/effects")
    assert res.status == 201
    assert res.header("X-From-Python") == "yes"
    assert any(c.startswith("py=1") and "Path=/" in c for c in res.header_all("Set-Cookie"))
    assert res.text.strip() == "made"


def test_cached_binding_runs_python_once_per_request_and_distinct_args(server):
    first = server.get("/memo").json()
    assert first["counterRuns"] == 2          # counter('a') ×100 and counter('b') once
    assert first["plainRuns"] == 100          # an uncached binding is called every time
    assert first["last"] == {"key": "a", "items": [1, 2, 3, "mutated"]}  # a fresh copy per call
    assert first["other"]["key"] == "b"
    assert first["ticketsSeen"] == 5          # deferred calls were flushed before calls() ran
    again = server.get("/memo").json()
    assert again["counterRuns"] == 2          # the memo lasts one request only


def test_pocketpages_builtins_are_listed_as_bindings_and_still_work(server):
    body = server.get("/env").json()
    assert body == {"env": "", "str": '{"b":1,"a":2}'}
