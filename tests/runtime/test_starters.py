"""The official PocketPages starters, served unchanged from ../shared/starters by a real server.

Every route of each starter (pages, static assets, Markdown documents) answers 200, every local
URL a page links to is served, and each page shows the visible text its templates say.
"""
import hashlib
import os
import re
from html.parser import HTMLParser

import pytest

from runtime.config import load_config
from runtime.router import Router
from runtime.site import Site
from tests.helpers import STARTERS, start_server

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

NAMES = ("minimal", "mvp", "daisyui", "daisyui-docs")

VISIBLE = {
    ("minimal", "/"): ["PocketPages - Build Fast", "PocketPages",
                       "Build lightning-fast web applications with the power of PocketBase", "⚡", "Lightning Fast",
                       "Server-side rendering with PocketBase's powerful backend", "🚀", "Zero Config",
                       "Get started in seconds with minimal setup required", "🎨", "Beautiful UI",
                       "Stunning designs with modern CSS frameworks like UnoCSS", "Get Started →", "View Docs"],
    ("mvp", "/"): ["My MVP Page", "Welcome to PocketPages", "This is a starter page using MVP.css."],
    ("daisyui", "/"): ["PocketPages", "PocketPages", "Login", "Daisy UI", "The official PocketPages starter kit.",
                       "code .", "Ready to rumble with:", "Daisy UI", "Docs"],
    ("daisyui-docs", "/"): ["PocketPages", "PocketPages", "Read the Docs"],
    ("daisyui-docs", "/docs/overview"): ["PocketPages", "PocketPages", "Docs", "Table of Contents", "Overview",
                                         "Edit this in", "./pb_hooks/pages/(main)/docs/overview.md",
                                         "Getting Started", "Overview", "Docs"],
}


class Visible(HTMLParser):
    """Text a browser shows (and the title), whitespace collapsed; script and style skipped."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")
        for key, value in attrs:
            if key in ("href", "src") and value and value.startswith("/") and not value.startswith("//"):
                self.links.append(value)

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style")

    def handle_data(self, data):
        data = " ".join(data.split())
        if data and not self._skip:
            self.text.append(data)


def visible(html: str) -> Visible:
    parser = Visible()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    running = {name: start_server(os.path.join(STARTERS, name), *ONE, data_dir=str(tmp_path_factory.mktemp(name)))
               for name in NAMES}
    yield running
    for server in running.values():
        server.stop()


def routes(name):
    site = Site(os.path.join(STARTERS, name))
    return Router(site, load_config(site).page_kinds).table()


def test_starters_are_present_and_unchanged_copies():
    for name in NAMES:
        assert os.path.isdir(os.path.join(STARTERS, name)), f"missing starter {name} in {STARTERS}"
    assert [r[0] for r in routes("daisyui-docs")] == ["/docs/overview", "/assets/app.css", "/assets/app.tailwind.css", "/"]


@pytest.mark.parametrize("name", NAMES)
def test_every_route_of_every_starter_answers_200(servers, name):
    server = servers[name]
    for pattern, kind, file in routes(name):
        res = server.get(pattern)
        assert res.status == 200, (name, pattern, res.text[:300])
        if kind == "static":
            with open(os.path.join(STARTERS, name, file), "rb") as f:
                assert res.body == f.read()
            assert res.header("Content-Type") == "text/css; charset=utf-8"
        else:
            assert res.header("Content-Type") == "text/html; charset=utf-8"
            assert "<%" not in res.text and "%>" not in res.text


@pytest.mark.parametrize("name, path", sorted(VISIBLE))
def test_each_page_shows_what_its_templates_say(servers, name, path):
    res = servers[name].get(path)
    assert res.status == 200
    page = visible(res.text)
    assert page.text == VISIBLE[(name, path)]
    for link in page.links:  # stylesheets, fingerprinted assets and in-site links that exist
        if link in ("/login", "/docs"):  # the starters link to pages they do not ship
            assert servers[name].get(link).status == 404
            continue
        assert servers[name].get(link).status == 200, link


@pytest.mark.parametrize("name", ["minimal", "mvp"])
def test_pages_without_tags_are_sent_byte_for_byte(servers, name):
    with open(os.path.join(STARTERS, name, "index.ejs"), "rb") as f:
        assert servers[name].get("/").body == f.read()


def test_daisyui_fingerprinted_stylesheet_inside_the_layout(servers):
    with open(os.path.join(STARTERS, "daisyui", "app.css"), "rb") as f:
        css = f.read()
    url = f"/app.{hashlib.sha256(css).hexdigest()}.css"
    assert url == "/app.452a8f1828bf13887a87473eb0079c08f6253d9ac3da1eb788d012f81ce4e45f.css"  # PocketPages' own hash
    text = servers["daisyui"].get("/").text
    assert f'<link href="{url}" rel="stylesheet" />' in text
    assert '<html lang="en" data-theme="cupcake">' in text
    assert re.search(r'<article class="prose max-w-none"><div class="hero', text)
    res = servers["daisyui"].get(url)
    assert res.body == css and "immutable" in res.header("Cache-Control")


def test_daisyui_docs_nests_three_layouts_and_renders_markdown(servers):
    text = servers["daisyui-docs"].get("/docs/overview").text
    assert text.index('data-theme="cupcake"') < text.index('class="drawers sticky"') < text.index('class="drawer lg:drawer-open"')
    assert '<article class="prose"><h1 id="overview">Overview</h1>\n<p>Edit this in <code>./pb_hooks/pages/(main)/docs/overview.md</code></p></article>' in text
    assert '<article class="prose"><h1 id="getting-started">Getting Started</h1>\n<ul>\n<li><a href="/docs/overview">Overview</a></li>\n</ul>\n</article>' in text
    splash = servers["daisyui-docs"].get("/").text
    assert '<article class="prose max-w-full"><div class="hero min-h-screen bg-base-200">' in splash
    assert '<link href="/assets/app.css" rel="stylesheet" />' in splash


@pytest.mark.parametrize("path", ["/+config.js", "/+layout.ejs", "/docs/_private/toc.md", "/_private/toc.md",
                                  "/(main)/docs/overview.md", "/docs/overview.md", "/index.ejs", "/docs"])
def test_daisyui_docs_never_serves_sources(servers, path):
    res = servers["daisyui-docs"].get(path)
    assert res.status in (400, 404)
    assert "pocketpages-plugin" not in res.text and "<%" not in res.text
