"""Two sites shaped like real PocketPages projects, written for these tests, served by a real server.

`plain_page` is a bare pages folder whose page has no tags at all; `docs_project` is a project folder
(`pb_hooks/pages/`) with a `+config.js` enabling EJS inside Markdown, a `(group)` folder, three nested
layouts, a `_private` Markdown partial, front matter, a fingerprinted stylesheet and a plain one. Every
route answers 200, every local URL a page links to is served, each page shows what its templates say,
and no source file is ever served.
"""
import hashlib
import os
import re
from html.parser import HTMLParser

import pytest

from runtime.render.config import load_config
from runtime.render.router import Router
from runtime.render.site import Site, find_pages_root
from tests.helpers import SITES, start_server

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order
NAMES = ("plain_page", "docs_project")
PAGES_DIR = {"plain_page": os.path.join(SITES, "plain_page"),
             "docs_project": os.path.join(SITES, "docs_project", "pb_hooks", "pages")}

VISIBLE = {
    ("plain_page", "/"): ["Lantern Field Notes", "Lantern Field Notes",
                          "A page with no tags at all: what is on disk is what the browser gets, byte for byte.",
                          "🌙", "Night walks", "Routes that are quiet after dark & well lit.",
                          "🦉", "Owl counts", "Tallies from the spring survey, by meadow.",
                          "🕯️", "Lamp care", "Wicks, oil and the patience they ask for.",
                          "Plain stylesheet", "·", "Journal"],
    ("docs_project", "/"): ["Tidewater Manual", "Tidewater", "Tidewater",
                            "Charts and tables for the estuary, 3 kinds of them.", "Open the manual"],
    ("docs_project", "/manual/charts"): ["Reading charts", "Tidewater", "Contents", "Reading charts", "Tide tables",
                                         "Reading charts", "Depths are in metres; this page lives in",
                                         "./pb_hooks/pages/(shell)/manual/charts.md", "."],
    ("docs_project", "/manual/tides"): ["Tide tables", "Tidewater", "Contents", "Reading charts", "Tide tables",
                                        "Tide tables", "High water today: 06:12 and 18:40."],
}
MISSING_LINKS = {"/journal"}  # linked from plain_page, deliberately not shipped


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
    running = {name: start_server(os.path.join(SITES, name), *ONE, data_dir=str(tmp_path_factory.mktemp(name)))
               for name in NAMES}
    yield running
    for server in running.values():
        server.stop()


def routes(name):
    site = Site(find_pages_root(os.path.join(SITES, name)))  # as `pagesvm serve` resolves a project folder
    return Router(site, load_config(site).page_kinds).table()


def test_route_tables():
    assert find_pages_root(os.path.join(SITES, "docs_project")) == PAGES_DIR["docs_project"]
    assert routes("plain_page") == [("/notes.css", "static", "notes.css"), ("/", "template", "index.ejs")]
    assert routes("docs_project") == [
        ("/manual/charts", "markdown", "(shell)/manual/charts.md"),
        ("/manual/tides", "markdown", "(shell)/manual/tides.md"),
        ("/assets/manual.css", "static", "assets/manual.css"),
        ("/site.css", "static", "site.css"),
        ("/", "template", "(shell)/index.ejs"),
    ]


@pytest.mark.parametrize("name", NAMES)
def test_every_route_answers_200(servers, name):
    server = servers[name]
    for pattern, kind, file in routes(name):
        res = server.get(pattern)
        assert res.status == 200, (name, pattern, res.text[:300])
        if kind == "static":
            with open(os.path.join(PAGES_DIR[name], file), "rb") as f:
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
    assert page.links, "every fixture page links somewhere"
    for link in page.links:  # stylesheets, fingerprinted assets and in-site links
        expected = 404 if link in MISSING_LINKS else 200
        assert servers[name].get(link).status == expected, link


def test_a_page_without_tags_is_sent_byte_for_byte(servers):
    with open(os.path.join(SITES, "plain_page", "index.ejs"), "rb") as f:
        assert servers["plain_page"].get("/").body == f.read()


def test_fingerprinted_stylesheet_inside_the_layout(servers):
    with open(os.path.join(PAGES_DIR["docs_project"], "site.css"), "rb") as f:
        css = f.read()
    url = f"/site.{hashlib.sha256(css).hexdigest()}.css"
    assert url == "/site.1c8df564868a9ddc604f9694c3bcf9523c32cffd8d23c5d1dddef82e9a04719c.css"  # the file is ours: pinned
    text = servers["docs_project"].get("/").text
    assert f'<link href="{url}" rel="stylesheet" />' in text
    assert '<html lang="en" data-theme="meadow">' in text
    assert re.search(r'<div class="shell" data-section="home">\s*<link href="/assets/manual.css"', text)
    res = servers["docs_project"].get(url)
    assert res.body == css and "immutable" in res.header("Cache-Control")


def test_three_nested_layouts_and_markdown_with_ejs(servers):
    text = servers["docs_project"].get("/manual/charts").text
    assert text.index('data-theme="meadow"') < text.index('class="shell" data-section="manual"') < text.index('class="manual"')
    assert ('<article class="prose"><h1 id="reading-charts">Reading charts</h1>\n<p>Depths are in metres; this page lives '
            'in <code>./pb_hooks/pages/(shell)/manual/charts.md</code>.</p></article>') in text
    assert ('<aside class="toc"><h1 id="contents">Contents</h1>\n<ul>\n<li><a href="/manual/charts">Reading charts</a></li>\n'
            '<li><a href="/manual/tides">Tide tables</a></li>\n</ul>\n</aside>') in text
    assert "<title>Reading charts</title>" in text  # front matter reaches the root layout through meta()


@pytest.mark.parametrize("path", ["/+config.js", "/+layout.ejs", "/manual/_private/contents.md", "/_private/contents.md",
                                  "/(shell)/manual/charts.md", "/manual/charts.md", "/index.ejs", "/(shell)/index.ejs",
                                  "/manual", "/pb_hooks/pages/site.css"])
def test_sources_are_never_served(servers, path):
    res = servers["docs_project"].get(path)
    assert res.status in (400, 404)
    assert "pocketpages-plugin" not in res.text and "<%" not in res.text
