"""Markdown pages (runtime/render/markdown.py): front matter → meta, heading ids, fenced code,
layouts, and EJS inside Markdown when the ejs plugin lists .md (as in PocketPages)."""
import os

import pytest

from runtime.render.markdown import MarkdownRenderer, slugify
from tests.helpers import SITES, served

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order


server = served(os.path.join(SITES, "pp_markdown"), *ONE)


def test_markdown_page_renders_inside_layout_with_front_matter_as_meta(server):
    res = server.get("/guide/intro")
    assert res.status == 200
    assert res.text.startswith('<html><head><title>Intro Guide</title><meta name="description" content="All about it">')
    assert "title: Intro Guide" not in res.text  # front matter is not content


def test_markdown_headings_get_pocketpages_ids(server):
    text = server.get("/guide/intro").text
    assert '<h1 id="getting-started">Getting Started</h1>' in text
    assert '<h2 id="api-usage">API &amp; Usage!</h2>' in text


def test_fenced_code_is_escaped_with_language_class(server):
    assert '<pre><code class="language-js">const x = 1 &lt; 2\n</code></pre>' in server.get("/guide/intro").text


def test_ejs_runs_before_markdown_and_escapes(server):
    text = server.get("/guide/intro?who=%3Cme%3E").text
    assert "<p>Some <em>emphasis</em> and <code>code</code>, for &lt;me&gt;; two is 2.</p>" in text
    assert "<td>1</td>" in text  # tables


def test_markdown_partial_from_markdown_and_from_ejs(server):
    assert "<blockquote>\n<p><strong>Included</strong> note</p>\n</blockquote>" in server.get("/guide/intro").text
    assert "<blockquote>\n<p><strong>From EJS</strong> note</p>\n</blockquote>" in server.get("/page").text


def test_markdown_source_is_not_served(server):
    assert server.get("/guide/intro.md").status == 404
    assert server.get("/_private/note.md").status == 404


def test_without_ejs_listing_md_the_tags_stay_literal(serve):
    res = serve(os.path.join(SITES, "pp_markdown_noejs"), *ONE).get("/doc")
    assert res.status == 200
    assert "Literal &lt;%= 1 + 1 %&gt;</h1>" in res.text


def test_without_the_marked_plugin_md_files_are_static(serve):
    server = serve(os.path.join(SITES, "pp_markdown_plain"), *ONE)
    res = server.get("/readme.md")
    assert res.status == 200
    assert res.header("Content-Type") == "text/markdown; charset=utf-8"
    assert res.text == "# Raw <%= 1 %>\n"
    assert server.get("/readme").status == 404


@pytest.mark.parametrize("heading, slug", [("Getting Started", "getting-started"), ("API & Usage!", "api-usage"),
                                           ("  Trim_me -- ok  ", "trim_me----ok"), ("Ünïcode 2", "ncode-2")])
def test_slugify_follows_the_pocketpages_rule(heading, slug):
    assert slugify(heading) == slug


def test_renderer_is_reusable_between_documents():
    render = MarkdownRenderer()
    assert render("# A") == '<h1 id="a">A</h1>\n'
    assert render("# A") == '<h1 id="a">A</h1>\n'  # no "a_1" carried over from the previous document


def test_front_matter_is_yaml(server):
    text = server.get("/guide/yaml").text
    assert "<title>YAML: quoted</title>" in text
    assert '<meta name="extra" content="[[&#34;one&#34;,&#34;two&#34;],&#34;2024-05-01&#34;,{&#34;level&#34;:2}]">' in text
    assert "<p>Body text.</p>" in text


def test_broken_front_matter_is_a_500_naming_the_problem(serve):
    server = serve(os.path.join(SITES, "pp_markdown"), *ONE, "--dev")
    res = server.get("/guide/badyaml")
    assert res.status == 500
    assert "<code>guide/badyaml.md:2\n" in res.text
    assert "front matter is not valid YAML: expected" in res.text


def test_markdown_images_get_fingerprinted_asset_urls(server):
    import hashlib

    digest = hashlib.sha256(b"GIF89a").hexdigest()
    text = server.get("/guide/images").text
    assert f'<img alt="A dot" src="/guide/img/dot.{digest}.gif" title="The dot" />' in text
    assert '<img alt="Root" src="/missing.png" />' in text  # no such file: unchanged
    assert '<img alt="Far" src="https://example.com/x.png" />' in text
    res = server.get(f"/guide/img/dot.{digest}.gif")
    assert res.status == 200 and res.header("Content-Type") == "image/gif"
