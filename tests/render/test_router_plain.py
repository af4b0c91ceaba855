"""The route table (runtime/render/router.py) as a plain object over small sites on disk: no server.

What URL reaches which file, which middleware/loader/layout files run around it, what an
``asset()`` URL looks like and what ``response.file()`` may send.
"""
from __future__ import annotations

import hashlib
import os

import pytest

from runtime.render import router as router_module
from runtime.render.router import Router, content_type
from runtime.render.site import Site
from tests.helpers import write_site

SITE = {
    "index.ejs": "home",
    "about.ejs": "about",
    "about/index.ejs": "about index",
    "+layout.ejs": "<%- slot %>",
    "+middleware.js": "module.exports = () => {}",
    "+404.ejs": "not here",
    "blog/index.ejs": "blog",
    "blog/new.ejs": "new post form",
    "blog/[slug].ejs": "a post",
    "blog/+layout.ejs": "<%- slot %>",
    "blog/+middleware.js": "module.exports = () => {}",
    "blog/+load.js": "module.exports = () => ({})",
    "blog/+get.js": "module.exports = () => ({})",
    "blog/+post.js": "module.exports = () => ({})",
    "blog/+head.js": "module.exports = () => ({})",
    "(marketing)/pricing.ejs": "pricing",
    "(marketing)/+layout.ejs": "<%- slot %>",
    "users/[id]/index.ejs": "a user",
    "users/[id]/posts/[post].ejs": "a user's post",
    "notes.md": "# notes",
    "app.css": "body { color: red }",
    "img/logo.svg": "<svg/>",
    "README": "plain",
    "_private/card.ejs": "card",
    "_private/style.css": "private css",
    "-draft.ejs": "draft",
    ".env": "SECRET=1",
    ".git/config": "[core]",
}


@pytest.fixture
def site_dir(tmp_path):
    return write_site(tmp_path / "site", SITE)


@pytest.fixture
def router(site_dir):
    return Router(Site(site_dir))


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# -- which file a URL reaches -------------------------------------------------------------------
@pytest.mark.parametrize("path, file, params", [
    ("/", "index.ejs", {}),
    ("/about", "about.ejs", {}),  # x.ejs wins over x/index.ejs
    ("/about/", "about.ejs", {}),  # a trailing slash is the same route
    ("/blog", "blog/index.ejs", {}),
    ("/blog/", "blog/index.ejs", {}),
    ("/blog/new", "blog/new.ejs", {}),  # a literal segment wins over [slug]
    ("/blog/hello-world", "blog/[slug].ejs", {"slug": "hello-world"}),
    ("/pricing", "(marketing)/pricing.ejs", {}),  # (group) folders vanish from the URL
    ("/users/7", "users/[id]/index.ejs", {"id": "7"}),
    ("/users/7/posts/42", "users/[id]/posts/[post].ejs", {"id": "7", "post": "42"}),
    ("/notes", "notes.md", {}),
    ("/app.css", "app.css", {}),
    ("/img/logo.svg", "img/logo.svg", {}),
    ("/README", "README", {}),
])
def test_url_reaches_its_file_with_its_params(router, path, file, params):
    match = router.match(path)
    assert match is not None, path
    assert (match.file, match.params, match.fingerprinted) == (file, params, False)


@pytest.mark.parametrize("path, kind", [
    ("/", "template"), ("/notes", "markdown"), ("/app.css", "static"), ("/README", "static"),
])
def test_route_kind_follows_the_extension(router, path, kind):
    assert router.match(path).route.kind == kind


@pytest.mark.parametrize("path", [
    "/nope", "/blog/a/b", "/users", "/users/7/posts", "/(marketing)/pricing", "/index", "/about/index",
    "/notes.md", "/_private/card", "/_private/style.css", "/+layout", "/+404", "/-draft", "/+middleware.js",
    "/.env", "/.git/config", "/about.ejs",
])
def test_private_hidden_source_and_unknown_paths_have_no_route(router, path):
    assert router.match(path) is None


def test_route_table_orders_literals_first_and_lists_the_404_page_last(router):
    table = router.table()
    patterns = [row[0] for row in table]
    assert patterns.index("/blog/new") < patterns.index("/blog/[slug]")
    about = [row[2] for row in table if row[0] == "/about"]
    assert about == ["about.ejs", "about/index.ejs"]
    assert table[-1] == ("(not found)", "template", "+404.ejs")
    files = {row[2] for row in table}
    assert not files & {"_private/card.ejs", ".env", "-draft.ejs", "blog/+load.js", "+layout.ejs"}


def test_markdown_is_a_page_only_when_its_kind_is_listed(site_dir):
    plain = Router(Site(site_dir), {".ejs": "template"})
    assert plain.match("/notes") is None
    assert plain.match("/notes.md").route.kind == "static"


def test_symlink_out_of_the_root_has_no_route(tmp_path, site_dir):
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE")
    os.symlink(outside, os.path.join(site_dir, "link.txt"))
    os.symlink(os.path.join(site_dir, "app.css"), os.path.join(site_dir, "inside.css"))
    router = Router(Site(site_dir))
    assert router.match("/link.txt") is None
    assert router.static_file("link.txt") is None
    assert router.match("/inside.css").file == "inside.css"  # a link that stays inside is a file like any


# -- what runs around a page -------------------------------------------------------------------
def test_chain_runs_middleware_outside_in_and_layouts_inside_out(router):
    match = router.match("/blog/x")
    assert match.middlewares == ["+middleware.js", "blog/+middleware.js"]
    assert match.layouts == ["blog/+layout.ejs", "+layout.ejs"]


@pytest.mark.parametrize("method, loaders", [
    ("GET", ["blog/+load.js", "blog/+get.js"]),
    ("POST", ["blog/+load.js", "blog/+post.js"]),
    ("post", ["blog/+load.js", "blog/+post.js"]),
    ("PUT", ["blog/+load.js"]),  # no +put.js in the folder
    ("HEAD", ["blog/+load.js"]),  # +head.js is no method loader
])
def test_loaders_are_the_folders_load_and_method_files(router, method, loaders):
    assert router.match("/blog/new", method).loaders == loaders


def test_a_param_route_takes_what_no_literal_route_takes(router):
    # Under a [slug] route a private-looking segment is just a value: no file is reached by name.
    match = router.match("/blog/+load.js")
    assert (match.file, match.params) == ("blog/[slug].ejs", {"slug": "+load.js"})


def test_loaders_come_from_the_page_folder_only(router):
    assert router.match("/").loaders == []
    assert router.match("/users/7").loaders == []  # blog/+load.js is not a parent's loader


def test_group_folder_layout_wraps_its_pages(router):
    assert router.match("/pricing").layouts == ["(marketing)/+layout.ejs", "+layout.ejs"]


def test_static_files_have_no_chain(router):
    match = router.match("/img/logo.svg")
    assert (match.middlewares, match.loaders, match.layouts) == ([], [], [])


def test_chain_lists_are_the_matchs_own(router):
    first = router.match("/blog/x")
    first.layouts.append("changed")
    first.loaders.clear()
    again = router.match("/blog/x")
    assert again.layouts == ["blog/+layout.ejs", "+layout.ejs"]
    assert again.loaders == ["blog/+load.js", "blog/+get.js"]


def test_not_found_page_has_the_root_chain_and_no_loaders(router):
    match = router.not_found("POST")
    assert match.file == "+404.ejs" and match.route.kind == "template"
    assert match.middlewares == ["+middleware.js"]
    assert match.layouts == ["+layout.ejs"]
    assert match.loaders == [] and match.params == {}


def test_no_not_found_page_without_the_file(tmp_path):
    router = Router(Site(write_site(tmp_path / "s", {"index.ejs": "x", "blog/+404.ejs": "deeper"})))
    assert router.not_found() is None
    assert ("(not found)", "template", "+404.ejs") not in router.table()


# -- assets ------------------------------------------------------------------------------------
def test_asset_url_carries_the_content_hash_and_matches_back(router):
    url = router.asset_url("/app.css", "index.ejs")
    assert url == f"/app.{_sha(SITE['app.css'])}.css"
    match = router.match(url)
    assert match.file == "app.css" and match.fingerprinted


@pytest.mark.parametrize("path, from_file, expected", [
    ("logo.svg", "img/page.ejs", "/img/logo.{}.svg"),  # relative to the page's folder
    ("../app.css", "blog/post.ejs", "/app.{}.css"),
    ("app.css", "(marketing)/pricing.ejs", "/app.{}.css"),  # a group folder is not in the URL
    ("/img/../app.css", "index.ejs", "/app.{}.css"),
])
def test_asset_url_resolves_relative_paths(router, path, from_file, expected):
    digest = _sha(SITE["app.css"] if "app" in expected else SITE["img/logo.svg"])
    assert router.asset_url(path, from_file) == expected.format(digest)


def test_asset_url_of_a_file_without_extension_appends_the_hash(router):
    assert router.asset_url("/README", "index.ejs", "/mount") == f"/mount/README.{_sha('plain')}"


@pytest.mark.parametrize("path, prefix, expected", [
    ("/missing.css", "/mount", "/mount/missing.css"),  # no such file: unchanged but for the mount prefix
    ("missing.css", "/mount", "missing.css"),
    ("/about", "", "/about"),  # a page is never fingerprinted
    ("https://cdn.example/app.css", "/mount", "https://cdn.example/app.css"),
    ("//cdn.example/app.css", "", "//cdn.example/app.css"),
    ("data:text/plain,hi", "", "data:text/plain,hi"),
])
def test_asset_url_leaves_other_urls_alone(router, path, prefix, expected):
    assert router.asset_url(path, "index.ejs", prefix) == expected


def test_asset_url_of_a_file_gone_since_the_table_was_built_is_left_unfingerprinted(router, site_dir):
    os.remove(os.path.join(site_dir, "app.css"))  # the route table still has it (no --dev refresh)
    assert router.asset_url("/app.css", "index.ejs", "/mount") == "/mount/app.css"  # was /app.None.css


def test_stale_or_foreign_fingerprint_does_not_match(router):
    assert router.match(f"/app.{'0' * 64}.css") is None
    assert router.match(f"/app.{_sha(SITE['img/logo.svg'])}.css") is None
    assert router.match(f"/about.{_sha(SITE['about.ejs'])}.ejs") is None  # pages have no fingerprinted URL


def test_changed_file_gets_a_new_hash(router, site_dir):
    old = router.asset_url("/app.css", "index.ejs")
    with open(os.path.join(site_dir, "app.css"), "w") as f:
        f.write("body { color: blue; margin: 0 }")  # another size: the signature changes whatever the clock
    new = router.asset_url("/app.css", "index.ejs")
    assert new != old and new == f"/app.{_sha('body { color: blue; margin: 0 }')}.css"
    assert router.match(old) is None and router.match(new).fingerprinted


# -- response.file() ----------------------------------------------------------------------------
@pytest.mark.parametrize("rel, expected", [
    ("app.css", "app.css"),
    ("/img//logo.svg", "img/logo.svg"),  # normalised
    ("README", "README"),
])
def test_static_file_returns_the_normalised_path(router, rel, expected):
    assert router.static_file(rel) == expected


@pytest.mark.parametrize("rel", [
    "index.ejs", "notes.md", "blog/[slug].ejs", "+layout.ejs", "blog/+load.js", "+404.ejs", "_private/style.css",
    "_private/card.ejs", ".env", ".git/config", "-draft.ejs", "missing.css", "", "/", "../site/app.css",
    "img/../app.css", "img\\logo.svg", "app.css\0", "img",
])
def test_static_file_refuses_sources_private_and_odd_paths(router, rel):
    assert router.static_file(rel) is None


@pytest.mark.parametrize("rel, expected", [
    ("app.css", "text/css; charset=utf-8"),
    ("img/logo.svg", "image/svg+xml; charset=utf-8"),
    ("a.js", "application/javascript; charset=utf-8"),
    ("a.json", "application/json; charset=utf-8"),
    ("a.png", "image/png"),
    ("README", "application/octet-stream"),
])
def test_content_type_adds_charset_to_text(rel, expected):
    assert content_type(rel) == expected


# -- --dev refresh -----------------------------------------------------------------------------
@pytest.fixture
def no_refresh_wait(monkeypatch):
    monkeypatch.setattr(router_module, "REFRESH_INTERVAL", 0.0)


def test_refresh_picks_up_added_and_removed_files(router, site_dir, no_refresh_wait):
    assert router.refresh() is False and router.builds == 1
    write_site(site_dir, {"blog/archive.ejs": "archive"})
    assert router.refresh() is True and router.builds == 2
    assert router.match("/blog/archive").file == "blog/archive.ejs"
    os.remove(os.path.join(site_dir, "blog", "new.ejs"))
    assert router.refresh() is True
    assert router.match("/blog/new").file == "blog/[slug].ejs"


def test_refresh_recomputes_chains_after_a_layout_is_added(router, site_dir, no_refresh_wait):
    assert router.match("/users/7").layouts == ["+layout.ejs"]
    write_site(site_dir, {"users/+layout.ejs": "<%- slot %>"})
    assert router.refresh() is True
    assert router.match("/users/7").layouts == ["users/+layout.ejs", "+layout.ejs"]


def test_refresh_waits_its_interval(router, site_dir):
    write_site(site_dir, {"late.ejs": "late"})
    assert router.refresh() is False  # built moments ago: no folder is looked at yet
    assert router.match("/late") is None and router.builds == 1
