"""`PROJECT/pb_public/` against the real PocketBase 0.40.6 (its `--publicDir`): a project of hook files only,
served by the binary and by `pagesvm serve`, the same requests to both; status, Content-Type, Location and
body compared. A hook route comes first; what neither a route nor a file answers is PocketBase's JSON 404.
(There is no root index.html: for a missing path the binary would answer with it, its SPA fallback, which
pagesvm does not do.)"""
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


def _ask(host, port):
    out = []
    for method, path in PATHS:
        r = request(host, port, method, path)
        headers = {k.lower(): v for k, v in r.headers if k.lower() in KEPT}
        out.append((method, path, r.status, headers, r.body))
    return out


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    project = write_site(tmp_path_factory.mktemp("project"), FILES)
    return project_on_both(project, _ask, tmp_path_factory, public=project + "/pb_public")


@pytest.mark.parametrize("index", range(len(PATHS)), ids=[f"{m} {p}" for m, p in PATHS])
def test_same_answer_as_pocketbase(answers, index):
    theirs, ours = answers
    assert ours[index] == theirs[index]
