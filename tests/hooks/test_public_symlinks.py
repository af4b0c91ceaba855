"""`PROJECT/pb_public/` and symlinks, served in-process: a link that stays in the folder is followed, one that
leads out of it is a 404, wherever it sits (a file, a folder's index.html, a folder); the folder itself may
appear, or be swapped for a link to another folder, while the project is served, and its files are then
served from where it now leads."""
import os
import shutil

import pytest

from tests.helpers import write_site
from tests.inprocess import get, migrated_runtime, text

FILES = {
    "pb_hooks/main.pb.js": 'routerAdd("GET", "/hook", (e) => e.string(200, "hook"))\n',
    "pb_public/app.css": "p { color: red }",
    "pb_public/sub/page.txt": "sub page",
}


@pytest.fixture()
def project(tmp_path):
    root = write_site(tmp_path / "project", FILES)
    outside = write_site(tmp_path / "outside", {"secret.txt": "outside secret", "index.html": "<p>outside index</p>"})
    return root, outside


def _serve(project_root, tmp_path):
    return migrated_runtime(project_root, str(tmp_path / "data"))


def test_a_link_inside_the_folder_is_followed(project, tmp_path):
    root, _ = project
    os.symlink(os.path.join(root, "pb_public", "app.css"), os.path.join(root, "pb_public", "same.css"))
    os.symlink(os.path.join(root, "pb_public", "sub"), os.path.join(root, "pb_public", "alias"))
    runtime = _serve(root, tmp_path)
    assert (get(runtime, "/same.css").status, text(get(runtime, "/same.css"))) == (200, "p { color: red }")
    assert (get(runtime, "/alias/page.txt").status, text(get(runtime, "/alias/page.txt"))) == (200, "sub page")
    assert get(runtime, "/app.css").status == 200


def test_a_link_out_of_the_folder_is_not_served(project, tmp_path):
    root, outside = project
    public = os.path.join(root, "pb_public")
    os.symlink(os.path.join(outside, "secret.txt"), os.path.join(public, "leak.txt"))
    os.symlink(outside, os.path.join(public, "out"))
    runtime = _serve(root, tmp_path)
    for path in ("/leak.txt", "/out/secret.txt", "/out/", "/out/index.html", "/sub/../leak.txt"):
        response = get(runtime, path)
        assert response.status == (400 if ".." in path else 404), path  # `..` is refused before any lookup
        assert "outside" not in text(response), path


def test_a_folder_index_that_links_out_is_not_served(project, tmp_path):
    """The index.html a folder's URL serves is checked like any file: a link in its place leads nowhere."""
    root, outside = project
    os.symlink(os.path.join(outside, "index.html"), os.path.join(root, "pb_public", "sub", "index.html"))
    runtime = _serve(root, tmp_path)
    response = get(runtime, "/sub/")
    assert response.status == 404
    assert "outside" not in text(response)


def test_the_folder_may_appear_or_be_swapped_while_serving(project, tmp_path):
    root, _ = project
    public = os.path.join(root, "pb_public")
    moved = os.path.join(root, "first")
    shutil.move(public, moved)
    runtime = _serve(root, tmp_path)
    assert get(runtime, "/app.css").status == 404  # no folder yet
    os.symlink(moved, public)  # it appears, as a link to a folder of the project
    assert text(get(runtime, "/app.css")) == "p { color: red }"
    second = write_site(tmp_path / "second", {"app.css": "p { color: blue }"})
    os.remove(public)
    os.symlink(second, public)  # swapped for a link to another folder
    assert text(get(runtime, "/app.css")) == "p { color: blue }"
    assert get(runtime, "/sub/page.txt").status == 404  # only in the first folder
    # A link left in the new folder that points back into the old one leads out of pb_public now.
    os.symlink(os.path.join(moved, "sub", "page.txt"), os.path.join(second, "back.txt"))
    assert get(runtime, "/back.txt").status == 404


def test_a_renamed_folder_whose_old_name_now_links_out_is_not_followed(project, tmp_path):
    """pb_public is a link to site/; a checkout renames site/ to aaa/ (the same folder, the same inode), points
    pb_public at aaa/ and puts a link out of the project at site/. What pb_public leads to is aaa/ alone: its
    files are served, never what the old name now reaches (found by attacking the kept folder path)."""
    root, outside = project
    public = os.path.join(root, "pb_public")
    site = os.path.join(root, "site")
    shutil.move(public, site)
    os.symlink("site", public)
    with open(os.path.join(site, "secret.txt"), "w") as f:
        f.write("harmless v1")
    runtime = _serve(root, tmp_path)
    assert text(get(runtime, "/secret.txt")) == "harmless v1"  # the folder's resolved path is kept now
    os.rename(site, os.path.join(root, "aaa"))
    with open(os.path.join(root, "aaa", "secret.txt"), "w") as f:
        f.write("harmless v2")
    os.remove(public)
    os.symlink("aaa", public)
    os.symlink(outside, site)
    response = get(runtime, "/secret.txt")
    assert (response.status, text(response)) == (200, "harmless v2")
    assert get(runtime, "/index.html").status == 404  # outside/index.html is no file of pb_public


def test_a_root_index_that_links_out_is_no_fallback(project, tmp_path):
    """What pb_public lacks gets its index.html (the binary's --indexFallback): never one that leads out."""
    root, outside = project
    os.symlink(os.path.join(outside, "index.html"), os.path.join(root, "pb_public", "index.html"))
    runtime = _serve(root, tmp_path)
    for path in ("/missing", "/", "/sub/nothing/"):
        response = get(runtime, path)
        assert response.status == 404 and "outside" not in text(response), path
