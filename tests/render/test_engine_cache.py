"""Compile once: templates and modules are compiled on first use and again only when edited.

Requests go through the real Router and Engine in-process (the same calls the pipeline
makes); ``Engine.units.compiles`` counts every compile.
"""
from __future__ import annotations

import os

import pytest

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site

SITE = {
    "+layout.ejs": "<main><%- slot %></main>",
    "index.ejs": "<h1><%= data.title %></h1><%- include('card', {n: 1}) %><%- include('footer') %>",
    "+load.js": "module.exports = () => ({ title: 'Home' })",
    "_private/card.ejs": "<p>card <%= n %></p>",
    "_private/footer.ejs": "<footer>v1</footer>",
}


@pytest.fixture
def site(tmp_path):
    builtins.load()
    for rel, text in SITE.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    engine = Engine(Site(str(tmp_path)))
    return tmp_path, engine, Router(engine.site)


def get(engine: Engine, router: Router, path: str = "/") -> str:
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": dict(match.params)}
    request = {"method": "GET", "url": path, "host": "", "headers": {}, "cookies": {}, "body": None}
    payload = {"route": route, "request": request, "auth": None, "data": {}}
    payload["units"] = engine.route_units(route)
    result = engine.render(payload)
    assert not result.get("error"), result["error"]
    return result["body"]


def edit(path, text: str, *, same_size: bool = False) -> None:
    """Rewrite a file; with ``same_size`` only its mtime tells (content of equal length)."""
    before = os.stat(path)
    if same_size:
        assert len(text) == before.st_size
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns + 2_000_000_000))


def test_first_request_compiles_each_file_once(site):
    _, engine, router = site
    assert get(engine, router) == "<main><h1>Home</h1><p>card 1</p><footer>v1</footer></main>"
    # page, layout, +load.js, card (with its data keys), footer
    assert engine.units.compiles == 5


def test_second_request_compiles_nothing(site):
    _, engine, router = site
    first = get(engine, router)
    compiles = engine.units.compiles
    assert get(engine, router) == first
    assert get(engine, router) == first
    assert engine.units.compiles == compiles


def test_edited_page_recompiles_only_the_page(site):
    root, engine, router = site
    get(engine, router)
    compiles = engine.units.compiles
    edit(root / "index.ejs", "<h2><%= data.title %></h2>")
    assert get(engine, router) == "<main><h2>Home</h2></main>"
    assert engine.units.compiles == compiles + 1


def test_edited_partial_found_by_include_recompiles_only_the_partial(site):
    root, engine, router = site
    get(engine, router)
    compiles = engine.units.compiles
    edit(root / "_private" / "footer.ejs", "<footer>v2</footer>", same_size=True)  # mtime only
    assert get(engine, router) == "<main><h1>Home</h1><p>card 1</p><footer>v2</footer></main>"
    assert engine.units.compiles == compiles + 1


def test_edited_partial_included_with_data_recompiles_its_variant(site):
    root, engine, router = site
    get(engine, router)
    compiles = engine.units.compiles
    edit(root / "_private" / "card.ejs", "<p>card #<%= n %></p>")  # size changes
    assert "<p>card #1</p>" in get(engine, router)
    assert engine.units.compiles == compiles + 1
    assert "<p>card #1</p>" in get(engine, router)
    assert engine.units.compiles == compiles + 1


def test_edited_load_module_recompiles_only_the_module(site):
    root, engine, router = site
    get(engine, router)
    compiles = engine.units.compiles
    edit(root / "+load.js", "module.exports = () => ({ title: 'Haus' })", same_size=True)
    assert get(engine, router) == "<main><h1>Haus</h1><p>card 1</p><footer>v1</footer></main>"
    assert engine.units.compiles == compiles + 1


def test_edited_layout_recompiles_only_the_layout(site):
    root, engine, router = site
    get(engine, router)
    compiles = engine.units.compiles
    edit(root / "+layout.ejs", "<body><%- slot %></body>")
    assert get(engine, router).startswith("<body><h1>Home</h1>")
    assert engine.units.compiles == compiles + 1


def test_file_swapped_for_a_symlink_outside_the_root_is_refused(site, tmp_path_factory):
    root, engine, router = site
    get(engine, router)
    outside = tmp_path_factory.mktemp("outside") / "secret.ejs"
    outside.write_text("SECRET")
    (root / "_private" / "footer.ejs").unlink()
    (root / "_private" / "footer.ejs").symlink_to(outside)
    match = router.match("/", "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": {}}
    request = {"method": "GET", "url": "/", "host": "", "headers": {}, "cookies": {}, "body": None}
    result = engine.render({"route": route, "request": request, "auth": None, "data": {},
                            "units": engine.route_units(route)})
    assert result.get("error") and "SECRET" not in (result.get("body") or "")
