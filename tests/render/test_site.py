"""Site lookups (runtime/render/site.py): `_private` lookups stay inside `_private` folders."""
from __future__ import annotations

import pytest

from runtime.render.site import MODULE_EXTENSIONS, TEMPLATE_EXTENSIONS, Site

FILES = {
    "+load.js": "module.exports = () => ({})",
    "+layout.ejs": "<%- slot %>",
    "index.ejs": "home",
    "notes.md": "# notes",
    "blog/post.ejs": "post",
    "blog/_private/card.ejs": "blog card",
    "_private/card.ejs": "card",
    "_private/sub/deep.ejs": "deep",
    "_private/util.js": "module.exports = 1",
    "_private/.env": "SECRET=1",
}
RAW = (".js", ".json", ".css", ".html", ".txt")


@pytest.fixture
def site(tmp_path):
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return Site(str(tmp_path))


@pytest.mark.parametrize("name, extensions", [
    ("x/../../+load.js", RAW),
    ("sub/../../+layout", TEMPLATE_EXTENSIONS),
    ("sub/../../index", TEMPLATE_EXTENSIONS),
    ("a/../../notes.md", RAW),
    ("../_private/../+load.js", RAW),
    ("/../+load.js", RAW),
    ("/+load.js", RAW),
    ("/index.ejs", TEMPLATE_EXTENSIONS),
    ("/blog/post", TEMPLATE_EXTENSIONS),
    (".env", RAW),
    ("/_private/.env", RAW),
    ("sub/../.env", RAW),
])
def test_private_lookup_never_leaves_private_folders(site, name, extensions):
    assert site.find_private("blog/post.ejs", name, extensions) is None
    assert site.find_private("index.ejs", name, extensions) is None


@pytest.mark.parametrize("from_file, name, found", [
    ("blog/post.ejs", "card", "blog/_private/card.ejs"),
    ("blog/post.ejs", "../card", "_private/card.ejs"),  # a leading ../ skips the nearest level
    ("index.ejs", "sub/deep", "_private/sub/deep.ejs"),
    ("index.ejs", "sub/../card", "_private/card.ejs"),  # a .. that stays inside is fine
    ("blog/post.ejs", "/card", "_private/card.ejs"),
    ("index.ejs", "/blog/_private/card.ejs", "blog/_private/card.ejs"),  # a path from the root, into a _private folder
])
def test_private_lookup_finds_what_pocketpages_finds(site, from_file, name, found):
    assert site.find_private(from_file, name, TEMPLATE_EXTENSIONS) == found


def test_module_lookup_stays_in_private_folders(site):
    assert site.find_private("index.ejs", "util", MODULE_EXTENSIONS) == "_private/util.js"
    assert site.find_private("index.ejs", "x/../../+load", MODULE_EXTENSIONS) is None
