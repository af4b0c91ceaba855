"""runtime/hooks without a server: the route table's patterns and precedence, finding the hook files
(file-name order, PocketPages' own loader skipped) and PocketBase's typing of requestInfo() values."""
from runtime.hooks import Registration, RouteTable, hook_files, is_pocketpages_loader
from runtime.hooks.request_info import hook_info, typed


def table(*routes):
    return RouteTable([Registration("pb_hooks/a.pb.js", i, "route", method=m, path=p) for i, (m, p) in enumerate(routes)])


def test_literal_beats_parameter_beats_rest_whatever_the_order():
    t = table(("GET", "/api/x/{path...}"), ("GET", "/api/x/{id}"), ("GET", "/api/x/new"))
    assert t.match("GET", "/api/x/new").registration.index == 2
    found = t.match("GET", "/api/x/42")
    assert (found.registration.index, found.params) == (1, {"id": "42"})
    found = t.match("GET", "/api/x/a/b")
    assert (found.registration.index, found.params) == (0, {"path": "a/b"})


def test_parameters_are_decoded_per_segment():
    found = table(("GET", "/f/{name}")).match("GET", "/f/a%2Fb%20c")
    assert found.params == {"name": "a/b c"}


def test_head_is_answered_by_get_and_a_method_mismatch_is_told_apart():
    t = table(("GET", "/a"), ("*", "/any"), ("POST", "/b/{$}"))
    assert t.match("HEAD", "/a").registration.index == 0
    assert t.match("DELETE", "/any").registration.index == 1
    mismatch = t.match("POST", "/a")
    assert mismatch is not None and mismatch.registration is None
    assert t.match("GET", "/nothing") is None
    assert t.match("POST", "/b/").registration.index == 2
    assert t.match("POST", "/b/x") is None


def test_trailing_slash_is_its_own_path():
    t = table(("GET", "/api/hello"))
    assert t.match("GET", "/api/hello/") is None


def test_body_limit_is_read_from_the_learned_middlewares():
    reg = Registration("f", 0, "route", method="POST", path="/x",
                       middlewares=({"id": "pbBodyLimit", "builtin": "bodyLimit", "args": [64]}, {"id": "", "builtin": "", "args": []}))
    assert reg.body_limit == 64
    # the last bound under pbBodyLimit decides; 0 or less, or a file's own Middleware with that id: no limit (0)
    last = ({"id": "pbBodyLimit", "builtin": "bodyLimit", "args": [64]}, {"id": "pbBodyLimit", "builtin": "bodyLimit", "args": [9]})
    assert Registration("f", 0, "route", middlewares=last).body_limit == 9
    assert Registration("f", 0, "route", middlewares=last[:1] + ({"id": "pbBodyLimit", "builtin": "bodyLimit", "args": [-1]},)).body_limit == 0
    assert Registration("f", 0, "route", middlewares=last[:1] + ({"id": "pbBodyLimit", "builtin": "", "args": []},)).body_limit == 0
    assert Registration("f", 0, "route").body_limit is None


def test_pocketpages_loader_is_recognised():
    assert is_pocketpages_loader("/// <reference path=\"../pb_data/types.d.ts\" />\nrequire(`${__hooks}/pages`)\n")
    assert is_pocketpages_loader("const { MiddlewareHandler } = require('pocketpages');\nrouterUse(MiddlewareHandler)\n")
    assert not is_pocketpages_loader("require('pocketpages')\nrouterAdd('GET', '/x', (e) => e.json(200, {}))\n")
    assert not is_pocketpages_loader("routerAdd('GET', '/x', (e) => e.json(200, {}))\n")


def test_hook_files_in_name_order_without_the_loader(tmp_path):
    for name, text in {"b.pb.js": "routerAdd('GET', '/b', (e) => {})", "a.pb.js": "onBootstrap((e) => e.next())",
                       "pages.pb.js": "require(`${__hooks}/pages`)", "util.js": "x", "10_c.pb.js": "cronAdd('x', '@hourly', () => {})"}.items():
        (tmp_path / name).write_text(text)
    assert hook_files(str(tmp_path)) == ["10_c.pb.js", "a.pb.js", "b.pb.js"]
    assert hook_files(None) == []


def test_form_values_are_typed_as_pocketbase_types_them():
    assert [typed(v) for v in ["1", "-3", "1.5", "true", "false", "", "01", "1e3", "12345678901234567890", "x"]] == \
        [1, -3, 1.5, True, False, "", "01", "1e3", "12345678901234567890", "x"]


def test_request_info_merges_the_query_into_an_urlencoded_body():
    info = hook_info("POST", {"X-A": "1", "Content-Type": "application/x-www-form-urlencoded"},
                     "application/x-www-form-urlencoded", b"n=1&t=true", "n=9&q=s", 100)
    assert info["body"] == {"n": [1, 9], "t": True, "q": "s"}
    assert info["query"] == {"n": "9", "q": "s"}
    assert info["headers"]["x_a"] == "1"


def test_a_bad_json_body_is_flagged_not_raised():
    assert hook_info("POST", {}, "application/json", b"{bad", "", 100).get("bodyError") is True
    assert hook_info("POST", {}, "application/json", b"", "", 100)["body"] == {}


def _one_by_one(t: RouteTable, method: str, raw_path: str):
    """The table's answer found by trying every route in its order (what the segment tree must agree with)."""
    import urllib.parse
    segments = [urllib.parse.unquote(s) for s in raw_path.split("/")[1:]]
    other = None
    for pattern in t._patterns:
        params = pattern.match(segments)
        if params is None:
            continue
        wanted = pattern.registration.method
        if wanted in (method, "*") or (wanted == "GET" and method == "HEAD"):
            return pattern.registration.index, params
        other = other or (None, {})
    return other


def test_the_segment_tree_answers_what_trying_each_route_in_turn_answers():
    import random
    rng = random.Random(19)
    words = ["a", "b", "", "{id}", "{x}", "{rest...}", "{$}"]
    for _ in range(300):
        routes = set()
        for _ in range(rng.randint(1, 12)):
            parts = [rng.choice(words) for _ in range(rng.randint(1, 4))]
            if any(p.endswith("...}") or p == "{$}" for p in parts[:-1]):
                continue  # a rest or an end must come last (the table refuses the first)
            routes.add((rng.choice(["GET", "POST", "*"]), "/" + "/".join(parts)))
        t = table(*sorted(routes))
        for _ in range(40):
            path = "/" + "/".join(rng.choice(["a", "b", "c", "", "%61", "a%2Fb"]) for _ in range(rng.randint(0, 5)))
            method = rng.choice(["GET", "HEAD", "POST", "DELETE"])
            found = t.match(method, path)
            got = None if found is None else (found.registration.index if found.registration else None, found.params)
            assert got == _one_by_one(t, method, path), (sorted(routes), method, path)


def test_many_routes_are_matched_by_their_segments():
    routes = [("GET", f"/api/x{i}/{{id}}") for i in range(200)] + [("POST", "/api/{what}/{id}")]
    t = table(*routes)
    found = t.match("GET", "/api/x150/7")
    assert (found.registration.index, found.params) == (150, {"id": "7"})
    assert t.match("POST", "/api/x150/7").registration.index == 200
    assert t._tree.reaching(["api", "x150", "7"]) and len(t._tree.reaching(["api", "x150", "7"])) == 2
    assert t.match("GET", "/pages/about") is None
