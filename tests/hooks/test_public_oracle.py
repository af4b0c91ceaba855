"""`PROJECT/pb_public/` against the real PocketBase 0.40.6 (its `--publicDir`): a project of hook files only,
served by the binary and by `pagesvm serve`, the same requests to both; status, Content-Type, Location and
body compared. A hook route comes first; what neither a route nor a file answers is PocketBase's JSON 404.
The first project has no root index.html; the second has one, and a path it lacks gets it, as the binary's
`--indexFallback` (on by default) gives a single-page app, except under the dashboard's `/_/`.)"""
import pytest

from tests.helpers import project_on_both, request, write_site

FILES = {
    "pb_hooks/main.pb.js": 'routerAdd("GET", "/robots.txt", (e) => e.string(200, "from the hook"))\n',
    "pb_public/page.html": "<p>public page</p>",
    "pb_public/robots.txt": "User-agent: *",
    "pb_public/style.css": "p { color: red }",
    "pb_public/data.json": '{"a": 1}',
    "pb_public/sub/index.html": "<p>sub home</p>",
    "pb_public/sub/page.txt": "sub page",
}
PATHS = [("GET", p) for p in ("/", "/index.html", "/page.html", "/page.html/", "/robots.txt", "/style.css", "/data.json", "/sub/", "/sub",
                              "/sub/page.txt", "/sub/index.html", "/missing.txt", "/sub/missing", "/api/nothing")]
PATHS += [("HEAD", "/style.css"), ("POST", "/style.css"), ("POST", "/missing.txt")]
KEPT = ("content-type", "location")


def _asking(paths):
    """``run(host, port)`` for project_on_both: each of ``paths`` asked, the answer's status, kept headers, body."""
    def ask(host, port):
        out = []
        for method, path in paths:
            r = request(host, port, method, path)
            headers = {k.lower(): v for k, v in r.headers if k.lower() in KEPT}
            out.append((method, path, r.status, headers, r.body))
        return out
    return ask


def _answers(tmp_path_factory, files, paths):
    project = write_site(tmp_path_factory.mktemp("project"), files)
    return project_on_both(project, _asking(paths), tmp_path_factory, public=project + "/pb_public")


SPA_FILES = {**FILES, "pb_public/index.html": "<p>the app</p>", "pb_public/nested/deeper/file.txt": "deep"}
SPA_PATHS = [("GET", p) for p in ("/", "/index.html", "/missing", "/missing.txt", "/a/b/c", "/sub/missing", "/sub/x/",
                                  "/missing/", "/nested/", "/nested", "/nested/deeper/file.txt", "/robots.txt",
                                  "/api/nothing", "/_/missing", "/style.css")]
SPA_PATHS += [("HEAD", "/missing"), ("POST", "/missing"), ("DELETE", "/a/b")]
PROJECTS = {"no root index": (FILES, PATHS), "root index.html": (SPA_FILES, SPA_PATHS)}
ASKED = [(name, i) for name, (_, paths) in PROJECTS.items() for i in range(len(paths))]


@pytest.fixture(scope="module")
def answers():
    return {}  # each project's (the binary's answers, pagesvm's), asked once by its first test


@pytest.mark.parametrize("project, index", ASKED, ids=[f"{n}: {' '.join(PROJECTS[n][1][i])}" for n, i in ASKED])
def test_same_answer_as_pocketbase(answers, tmp_path_factory, project, index):
    if project not in answers:
        answers[project] = _answers(tmp_path_factory, *PROJECTS[project])
    theirs, ours = answers[project]
    assert ours[index] == theirs[index]
