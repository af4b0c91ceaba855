"""The pages root on disk (runtime/render/site.py) as a plain object: which folder is the root,
what may be read through it, and how `require` finds a module. The `_private` lookup rules
themselves are in tests/render/test_site.py."""
from __future__ import annotations

import os

import pytest

from runtime.render.site import MODULE_EXTENSIONS, Site, SiteError, find_pages_root
from tests.helpers import write_site

FILES = {
    "index.ejs": "home",
    "a/page.ejs": "page",
    "a/helper.js": "module.exports = 1",
    "a/index.js": "module.exports = 'a'",
    "lib/index.json": '{"x": 1}',
    "lib/data.json": "[]",
    "_private/util.js": "module.exports = 2",
    "a/_private/util.js": "module.exports = 3",
}


@pytest.fixture
def root(tmp_path):
    root = write_site(tmp_path / "pages", FILES)
    (tmp_path / "outside.txt").write_text("OUTSIDE")
    os.symlink(tmp_path / "outside.txt", tmp_path / "pages" / "link.txt")  # a file link out
    os.symlink(tmp_path, tmp_path / "pages" / "up")  # a folder link out
    os.symlink(tmp_path / "pages" / "a" / "helper.js", tmp_path / "pages" / "alias.js")  # a link that stays in
    return root


@pytest.fixture
def site(root):
    return Site(root)


# -- the root --------------------------------------------------------------------------------------
def test_pages_root_is_the_folder_itself_or_its_pb_hooks_pages(tmp_path):
    plain = write_site(tmp_path / "plain", {"index.ejs": "x"})
    assert find_pages_root(plain) == os.path.abspath(plain)
    project = write_site(tmp_path / "project", {"pb_hooks/pages/index.ejs": "x", "README.md": "project"})
    assert find_pages_root(project) == os.path.join(os.path.abspath(project), "pb_hooks", "pages")


def test_pages_root_refuses_a_missing_folder_or_a_file(tmp_path):
    with pytest.raises(SiteError, match="site folder not found"):
        find_pages_root(str(tmp_path / "missing"))
    (tmp_path / "file.ejs").write_text("x")
    with pytest.raises(SiteError):
        find_pages_root(str(tmp_path / "file.ejs"))


def test_root_is_resolved_through_links(tmp_path, root):
    os.symlink(root, tmp_path / "via-link")
    site = Site(str(tmp_path / "via-link"))
    assert site.root == os.path.realpath(root)
    assert site.read_text("index.ejs") == "home"


# -- reads stay inside ------------------------------------------------------------------------------
@pytest.mark.parametrize("rel", ["../outside.txt", "a/../../outside.txt", "link.txt", "up/outside.txt"])
def test_reads_outside_the_root_are_refused(site, rel):
    with pytest.raises(PermissionError):
        site.read_text(rel)
    with pytest.raises(PermissionError):
        site.read_bytes(rel)
    with pytest.raises(PermissionError):
        site.read_source(rel)
    assert site.is_file(rel) is False
    assert site.signature(rel) is None


@pytest.mark.parametrize("rel", ["a/helper.js", "/a/helper.js", "a//helper.js", "a/./helper.js", "alias.js"])
def test_reads_inside_the_root_work_however_the_path_is_spelled(site, rel):
    assert site.read_text(rel) == "module.exports = 1"
    assert site.is_file(rel)


def test_a_file_or_folder_swapped_for_a_link_out_is_refused_at_once(site, root, tmp_path):
    """abspath looks at the parts below the root on every call: nothing about a path is kept between calls."""
    assert site.read_text("a/page.ejs") == "page" and site.read_text("index.ejs") == "home"
    os.remove(os.path.join(root, "index.ejs"))
    os.symlink(tmp_path / "outside.txt", os.path.join(root, "index.ejs"))
    os.rename(os.path.join(root, "a"), os.path.join(root, "a-moved"))
    os.mkdir(tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "page.ejs").write_text("ELSEWHERE")
    os.symlink(tmp_path / "elsewhere", os.path.join(root, "a"))
    for rel in ("index.ejs", "a/page.ejs"):
        with pytest.raises(PermissionError):
            site.read_bytes(rel)
        assert site.is_file(rel) is False and site.signature(rel) is None


def test_a_root_whose_path_now_leads_elsewhere_serves_nothing_from_there(tmp_path):
    """The root was resolved at start; when its path comes to lead to another folder (a parent swapped for a
    link), what lies there is refused, as the resolved root's own files were never it."""
    write_site(tmp_path / "one" / "pages", {"index.ejs": "one"})
    write_site(tmp_path / "two" / "pages", {"index.ejs": "two"})
    os.symlink(tmp_path / "one", tmp_path / "current")
    site = Site(str(tmp_path / "current" / "pages"))
    assert site.read_text("index.ejs") == "one"
    os.rename(tmp_path / "one", tmp_path / "one-old")
    os.symlink(tmp_path / "two", tmp_path / "one")  # the resolved root's path now leads into two/
    with pytest.raises(PermissionError):
        site.read_text("index.ejs")
    assert site.is_file("index.ejs") is False


def test_a_pages_folder_moved_out_of_the_project_and_linked_back_is_refused(tmp_path):
    """A checkout may replace pb_hooks/pages by a link to a folder elsewhere that has the root's old inode (a
    filesystem reuses a freed one; here a rename keeps it, so the test does not depend on reuse): that folder is
    outside the project, and nothing in it is served (found by attacking the walk below the root)."""
    project = write_site(tmp_path / "project", {"pb_hooks/pages/index.ejs": "home"})
    pages = os.path.join(project, "pb_hooks", "pages")
    site = Site(pages)
    assert site.read_text("index.ejs") == "home"
    elsewhere = tmp_path / "elsewhere"
    os.rename(pages, elsewhere)
    (elsewhere / "secret.txt").write_text("OUTSIDE")
    os.symlink(elsewhere, pages)
    for rel in ("secret.txt", "index.ejs"):
        with pytest.raises(PermissionError):
            site.read_text(rel)
        assert site.is_file(rel) is False


@pytest.mark.parametrize("layout", ["project", "plain"])
def test_a_root_reached_through_a_link_whose_folder_moves_out_is_refused(tmp_path, layout):
    """pb_hooks/pages (or a plain pages folder) is a link into a folder of the checkout, x/, which later moves
    out of the project and is linked back: the pages now lie outside, and nothing there is served (found by
    a third attack on the walk below the root)."""
    project = tmp_path / "project"
    inner = "x/pb_hooks/pages" if layout == "project" else "x/pages"
    write_site(project, {inner + "/index.ejs": "home"})
    given = project / ("pb_hooks/pages" if layout == "project" else "pages")
    given.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(project / inner, given)
    site = Site(str(given))
    assert site.read_text("index.ejs") == "home"
    os.rename(project / "x", tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", project / "x")
    (tmp_path / "elsewhere" / inner.removeprefix("x/") / "secret.txt").write_text("OUTSIDE")
    with pytest.raises(PermissionError):
        site.read_text("secret.txt")
    assert site.is_file("secret.txt") is False


def test_missing_file_and_folder_are_no_files(site):
    assert site.is_file("missing.ejs") is False and site.signature("missing.ejs") is None
    assert site.is_file("a") is False and site.is_file("") is False
    with pytest.raises(FileNotFoundError):
        site.read_text("missing.ejs")


def test_signature_changes_with_the_file(site, root):
    before = site.signature("index.ejs")
    assert before.size == 4
    with open(os.path.join(root, "index.ejs"), "w") as f:
        f.write("home, edited")
    after = site.signature("index.ejs")
    assert after.size == 12 and after != before


def test_read_source_drops_a_bom_and_keeps_line_endings(site, root):
    with open(os.path.join(root, "crlf.ejs"), "wb") as f:
        f.write("\ufeffa\r\nb\rc\n".encode("utf-8"))
    assert site.read_source("crlf.ejs") == "a\r\nb\rc\n"
    assert site.read_bytes("crlf.ejs").startswith(b"\xef\xbb\xbf")


def test_walk_lists_files_sorted_and_does_not_enter_folder_links(site):
    files = list(site.walk())
    assert "up/outside.txt" not in files and not any(f.startswith("up/") for f in files)
    assert files.index("index.ejs") < files.index("_private/util.js") < files.index("a/_private/util.js")
    assert {"index.ejs", "a/page.ejs", "lib/index.json", "link.txt", "alias.js"} <= set(files)
    assert site.relpath(site.abspath("a/page.ejs")) == "a/page.ejs"


# -- require() and _private lookups -------------------------------------------------------------------
@pytest.mark.parametrize("from_file, name, found", [
    ("a/page.ejs", "./helper", "a/helper.js"),
    ("a/page.ejs", "./helper.js", "a/helper.js"),
    ("index.ejs", "./a", "a/index.js"),  # a folder: its index
    ("index.ejs", "./a/", "a/index.js"),
    ("index.ejs", "./lib", "lib/index.json"),
    ("a/page.ejs", "../lib/data", "lib/data.json"),
    ("a/page.ejs", "util", "a/_private/util.js"),  # a bare name is the nearest _private one
    ("index.ejs", "util", "_private/util.js"),
    ("a/page.ejs", "/util", "_private/util.js"),
])
def test_find_module_resolves_as_require_does(site, from_file, name, found):
    assert site.find_module(from_file, name) == found


@pytest.mark.parametrize("from_file, name", [
    ("a/page.ejs", "../../outside.txt"),  # leaves the root
    ("index.ejs", "../index"),
    ("index.ejs", "./link.txt"),  # a link out of the root
    ("index.ejs", "./up/outside.txt"),
    ("index.ejs", "./missing"),
    ("index.ejs", "helper"),  # not in any _private folder
    ("a/page.ejs", "page"),
])
def test_find_module_finds_nothing_outside_or_missing(site, from_file, name):
    assert site.find_module(from_file, name) is None


def test_find_private_takes_the_listed_extensions_only(site):
    assert site.find_private("a/page.ejs", "util", MODULE_EXTENSIONS) == "a/_private/util.js"
    assert site.find_private("a/page.ejs", "util", (".ejs",)) is None
    assert site.find_private("a/page.ejs", "util.js", ()) == "a/_private/util.js"  # a full name needs none
    assert site.find_private("a/page.ejs", "ut\0il", MODULE_EXTENSIONS) is None
    assert site.find_private("a/page.ejs", "..\\util", MODULE_EXTENSIONS) is None
