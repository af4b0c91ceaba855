"""Compiled units and the interpreter: what Python believes the interpreter holds must be true.

In-process, through the real Router and Engine (the calls the render queue makes).
"""
from __future__ import annotations

import os

import pytest

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import SITES, wait_for


def write(tmp_path, files: dict) -> str:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            (tmp_path / rel).write_bytes(text)
        else:
            (tmp_path / rel).write_text(text)
    return str(tmp_path)


def make(tmp_path, files: dict) -> tuple[Engine, Router]:
    builtins.load()
    write(tmp_path, files)
    engine = Engine(Site(str(tmp_path)))
    return engine, Router(engine.site)


def run(engine: Engine, router: Router, path: str, params: dict | None = None) -> dict:
    """One request as the render queue makes it; the result record (body, error, ...)."""
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": {**match.params, **(params or {})}}
    request = {"method": "GET", "url": path, "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = {"route": route, "request": request, "auth": None, "data": {}}
    payload["units"] = engine.route_units(route)
    return engine.render(payload)


def body(engine, router, path, params=None) -> str:
    result = run(engine, router, path, params)
    assert not result.get("error"), result["error"]
    return result["body"]


# -- a unit that does not compile in JavaScript fails alone ------------------------------------
BROKEN_SITE = {
    "+layout.ejs": "<main><%- slot %></main>",
    "good.ejs": "<p>good</p>",
    "broken.ejs": "<p><% if ( %></p>",
    "mod/index.ejs": "<%= data.x %>",
    "mod/+load.js": "module.exports = () => ({ x: 1 }",
    "inc.ejs": "<%- include('bad') %>",
    "inc2.ejs": "<%- include('ok') %>",
    "_private/bad.ejs": "<% for ( %>",
    "_private/ok.ejs": "ok",
}


def test_page_with_a_javascript_syntax_error_does_not_break_its_layout(tmp_path):
    engine, router = make(tmp_path, BROKEN_SITE)
    broken = run(engine, router, "/broken")
    assert broken["error"]["name"] == "SyntaxError"
    assert body(engine, router, "/good") == "<main><p>good</p></main>"


def test_broken_unit_fails_every_request_that_uses_it_with_its_own_error(tmp_path):
    engine, router = make(tmp_path, BROKEN_SITE)
    for _ in range(3):
        error = engine.locate_error(run(engine, router, "/broken")["error"])
        assert (error.name, error.path) == ("SyntaxError", "broken.ejs")
    for _ in range(2):
        error = engine.locate_error(run(engine, router, "/mod")["error"])
        assert (error.name, error.path) == ("SyntaxError", "mod/+load.js")
    for _ in range(2):
        error = engine.locate_error(run(engine, router, "/inc")["error"])
        assert (error.name, error.path) == ("SyntaxError", "_private/bad.ejs")
    assert body(engine, router, "/inc2") == "<main>ok</main>"
    assert body(engine, router, "/good") == "<main><p>good</p></main>"


def test_fixed_unit_is_sent_again(tmp_path):
    engine, router = make(tmp_path, BROKEN_SITE)
    assert run(engine, router, "/broken")["error"]
    (tmp_path / "broken.ejs").write_text("<p>fixed now</p>")
    assert body(engine, router, "/broken") == "<main><p>fixed now</p></main>"


def test_replaced_interpreter_is_sent_every_unit_again(tmp_path):
    from runtime.http.pipeline import PagesRuntime

    runtime = PagesRuntime(write(tmp_path / "site", BROKEN_SITE), data_dir=str(tmp_path / "data"))
    assert body(runtime.engine, runtime.router, "/good") == "<main><p>good</p></main>"
    assert body(runtime.engine, runtime.router, "/inc2") == "<main>ok</main>"
    runtime.queue.replace_engine()
    assert body(runtime.engine, runtime.router, "/good") == "<main><p>good</p></main>"
    assert body(runtime.engine, runtime.router, "/inc2") == "<main>ok</main>"


# -- include() and require() of one file are two units ------------------------------------------
SHARED_SITE = {
    "_private/shared.js": "module.exports = { n: 41 + 1 }",
    "include-first.ejs": "[<%- include('shared.js') %>]<%= resolve('shared.js').n %>",
    "require-first.ejs": "<%= resolve('shared.js').n %>[<%- include('shared.js') %>]",
}


@pytest.mark.parametrize("first", ["include-first", "require-first"])
def test_include_and_require_of_one_file_are_separate_units(tmp_path, first):
    engine, router = make(tmp_path, SHARED_SITE)
    text = "module.exports = { n: 41 + 1 }"
    expected = {"include-first": f"[{text}]42", "require-first": f"42[{text}]"}
    assert body(engine, router, "/" + first) == expected[first]
    other = "require-first" if first == "include-first" else "include-first"
    assert body(engine, router, "/" + other) == expected[other]


def test_failed_replacement_leaves_the_old_interpreter_sent_everything_again(tmp_path, monkeypatch):
    from runtime.http.pipeline import PagesRuntime
    from runtime.render import executor

    runtime = PagesRuntime(write(tmp_path / "site", BROKEN_SITE), data_dir=str(tmp_path / "data"))
    engine = runtime.engine
    assert body(engine, runtime.router, "/good") == "<main><p>good</p></main>"
    monkeypatch.setattr(executor, "Engine", lambda *a, **k: (_ for _ in ()).throw(MemoryError("no room")))
    with pytest.raises(MemoryError):
        runtime.queue.replace_engine()
    assert runtime.engine is engine
    assert not engine.units.units  # the interpreter's state is unknown: nothing counts as held
    assert body(engine, runtime.router, "/good") == "<main><p>good</p></main>"


# -- a UTF-8 byte-order mark is not part of the page --------------------------------------------
BOM = b"\xef\xbb\xbf"


def test_byte_order_marks_are_stripped_from_pages_partials_modules_and_markdown(tmp_path):
    engine, router = make(tmp_path, {
        "+layout.ejs": BOM + b"<main><%- slot %></main>",
        "index.ejs": BOM + b"<p><%= data.n %></p><%- include('card') %>",
        "+load.js": BOM + b"module.exports = () => ({ n: require('./lib').n })",
        "lib.js": BOM + b"module.exports = { n: 7 }",
        "_private/card.ejs": BOM + b"<i>card</i>",
    })
    assert body(engine, router, "/").encode("utf-8") == b"<main><p>7</p><i>card</i></main>"


def test_byte_order_mark_before_markdown_front_matter(tmp_path):
    from runtime.render.markdown import MarkdownRenderer

    builtins.load()
    write(tmp_path, {"post.md": BOM + b"---\ntitle: Hello\n---\n# Hi\n"})
    engine = Engine(Site(str(tmp_path)), markdown=MarkdownRenderer())
    html = engine.render_file("post.md")
    assert "\ufeff" not in html and "title:" not in html and "<h1" in html


# -- include data with ever new key names: memory stays bounded ----------------------------------
UNITS_SITE = os.path.join(SITES, "units_site")


def worker_rss_kb(server) -> int:
    """Resident memory of the server's one worker (a child process of the supervisor)."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != server.proc.pid:
                continue
            with open(f"/proc/{entry}/status") as f:
                return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, ValueError, StopIteration):
            continue
    raise AssertionError("no worker process found")


def test_a_thousand_include_key_sets_keep_the_worker_small(serve):
    server = serve(UNITS_SITE, "--workers", "1")
    for i in range(1024, 1044):  # warm up: allocator, first compiles
        assert server.get(f"/cards?i={i}").status == 200
    before = worker_rss_kb(server)
    for i in range(1000):
        res = server.get(f"/cards?i={i}")
        assert res.status == 200, (i, res.text[:200])
        assert res.text.count('class="row-') == 150
    grown = worker_rss_kb(server) - before
    assert grown <= 20 * 1024, f"the worker grew by {grown} KiB over 1000 include key sets"


def test_an_interpreter_out_of_memory_is_replaced(serve):
    server = serve(UNITS_SITE, "--workers", "1")
    assert server.get("/ok").text == "ok\n"
    assert server.get("/hog").status == 500
    assert wait_for(lambda: "out of memory (or threw null); replacing the interpreter" in server.log)
    assert server.get("/ok").text == "ok\n"


def test_include_data_keys_the_partial_never_uses_need_no_variant(tmp_path):
    engine, router = make(tmp_path, {
        "_private/card.ejs": "<%= n %><%= typeof extra === 'undefined' ? '' : '+' + extra %>",
        "page.ejs": "<% const d = {n: 1}; d['unused' + params.i] = 1; if (params.i % 2) d.extra = 'e' %><%- include('card', d) %>",
    })
    assert body(engine, router, "/page", {"i": 0}) == "1"
    compiles = engine.units.compiles
    for i in range(1, 40):
        assert body(engine, router, "/page", {"i": i}) == ("1+e" if i % 2 else "1")
    assert engine.units.compiles == compiles + 1  # the variant binding `extra`, once


def test_variants_of_one_partial_are_bounded_and_edits_still_apply(tmp_path):
    from runtime.render.units import MAX_VARIANTS

    uses = "".join(f"<%= typeof k{b} === 'undefined' ? '' : k{b} %>" for b in range(8))
    engine, router = make(tmp_path, {
        "_private/card.ejs": "v1:" + uses,
        "page.ejs": "<% const d = {}; for (let b = 0; b < 8; b++) if (params.i & (1 << b)) d['k' + b] = b %><%- include('card', d) %>",
    })
    expect = lambda i, v: v + ":" + "".join(str(b) for b in range(8) if i & (1 << b))  # noqa: E731
    for i in range(100):
        assert body(engine, router, "/page", {"i": i}) == expect(i, "v1")
    assert len([u for u in engine.units.units if "card" in u]) <= MAX_VARIANTS
    (tmp_path / "_private" / "card.ejs").write_text("ver2:" + uses)  # another size: noticed whatever the clock
    for i in list(range(100)) + list(range(100)):
        assert body(engine, router, "/page", {"i": i}) == expect(i, "ver2")
