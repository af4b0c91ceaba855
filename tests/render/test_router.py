"""The file-based router (runtime/render/router.py), through a real server on a loopback port."""
import hashlib
import os
import shutil
import subprocess
import sys
import time

import pytest

from runtime.render.router import Router
from runtime.render.site import Site
from tests.helpers import ROOT, SITES, wait_for

ONE = ("--workers", "1")  # one interpreter: fast start, deterministic request order

SITE = os.path.join(SITES, "pp_routes")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from tests.helpers import start_server

    s = start_server(SITE, *ONE, data_dir=str(tmp_path_factory.mktemp("data")))
    yield s
    s.stop()


def body(res):
    return res.text.strip()


@pytest.mark.parametrize("path, text", [
    ("/", "home page"),
    ("/about", "about page"),
    ("/about/", "about page"),
    ("/docs", "docs index"),
    ("/docs/", "docs index"),
    ("/pricing", "pricing in a group"),
    ("/products/42", "product 42"),
    ("/products/new", "new product form"),
    ("/fr/guide", "guide in fr"),
    ("/users/7/posts/99", "user 7 post 99"),
])
def test_file_routes_serve_their_page_inside_the_layout(server, path, text):
    res = server.get(path)
    assert res.status == 200
    assert body(res) == f'<main class="layout">{text}</main>'
    assert res.header("Content-Type") == "text/html; charset=utf-8"


def test_route_parameter_is_decoded_and_escaped(server):
    res = server.get("/products/a%20%3Cb%3E")
    assert res.status == 200
    assert "product a &lt;b&gt;" in res.text


def test_route_length_must_match_exactly(server):
    assert server.get("/about/extra").status == 404
    assert server.get("/products").status == 404
    assert server.get("/users/7/posts").status == 404


@pytest.mark.parametrize("path", ["/_private/secret", "/_private/secret.ejs", "/draft", "/-draft",
                                  "/-draft.ejs", "/+notes.txt", "/notes/-wip/page", "/notes/wip/page",
                                  "/+layout", "/+404", "/.env", "/index.ejs", "/about.ejs"])
def test_private_segments_and_sources_are_never_served(server, path):
    res = server.get(path)
    assert res.status == 404
    for secret in ("SECRET PARTIAL", "DRAFT PAGE", "PLUS FILE", "WIP PAGE", "DOTENV_SECRET", "<%"):
        assert secret not in res.text


@pytest.mark.parametrize("path", [
    "/../pp_routes/about.ejs", "/%2e%2e/%2e%2e/etc/passwd", "/img/%2e%2e/about.ejs", "/%2E%2E/x",
    "/img%2flogo.svg", "/img%2Flogo.svg", "/img%5clogo.svg", "/..%5c..%5cetc", "/style.css%00.txt",
    "/x%00", "/%5f%70rivate/secret.ejs", "/_private%2fsecret.ejs", "//_private/secret.ejs", "//etc/passwd",
    "/img//logo.svg", "/./about", "/%c0%ae%c0%ae/etc/passwd", "/" + "a" * 5000,
])
def test_traversal_in_any_encoding_is_refused(server, path):
    res = server.request("GET", path)
    assert res.status in (400, 404)
    assert b"root:" not in res.body and b"SECRET PARTIAL" not in res.body and b"<%" not in res.body


def test_backslash_in_raw_request_line_is_refused(server):
    import socket

    with socket.create_connection((server.host, server.port), timeout=5) as sock:
        sock.sendall(b"GET /img\\..\\_private\\secret.ejs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    status = int(reply.split(b" ", 2)[1])
    assert status in (400, 404)
    assert b"SECRET PARTIAL" not in reply


@pytest.mark.parametrize("path, ctype", [
    ("/style.css", "text/css; charset=utf-8"),
    ("/script.js", "application/javascript; charset=utf-8"),
    ("/data.json", "application/json; charset=utf-8"),
    ("/robots.txt", "text/plain; charset=utf-8"),
    ("/img/logo.svg", "image/svg+xml; charset=utf-8"),
    ("/img/pic.png", "image/png"),
])
def test_static_files_have_their_content_type_and_bytes(server, path, ctype):
    res = server.get(path)
    assert res.status == 200
    assert res.header("Content-Type") == ctype
    with open(os.path.join(SITE, *path.strip("/").split("/")), "rb") as f:
        assert res.body == f.read()
    assert res.header("Cache-Control") is None


def test_static_files_refuse_post(server):
    assert server.post("/style.css", form={"a": "1"}).status == 405


def _sha(rel):
    with open(os.path.join(SITE, rel), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_asset_urls_carry_the_content_hash_and_are_served_with_long_cache(server):
    page = server.get("/assets").text
    css = f"/style.{_sha('style.css')}.css"
    png = f"/img/pic.{_sha('img/pic.png')}.png"
    assert f'href="{css}"' in page
    assert f'src="{png}"' in page
    assert 'href="/missing.css"' in page  # no such file: unchanged
    res = server.get(css)
    assert res.status == 200 and res.body == b"body { color: red; }\n"
    assert res.header("Content-Type") == "text/css; charset=utf-8"
    assert "max-age=31536000" in res.header("Cache-Control") and "immutable" in res.header("Cache-Control")
    assert server.get(png).header("Content-Type") == "image/png"


def test_asset_relative_to_page_folder(server):
    page = server.get("/sub/page").text
    assert f"/sub/pic.{_sha('sub/pic.txt')}.txt" in page


def test_stale_asset_hash_is_not_found(server):
    assert server.get("/style." + "0" * 64 + ".css").status == 404


def test_site_404_page_renders_in_layouts_with_status_404(server):
    res = server.get("/no/such/page?x=1")
    assert res.status == 404
    assert res.text.startswith('<main class="layout"><h1>Custom not found</h1>')
    assert "No page at /no/such/page" in res.text
    assert server.get("/_private/secret").status == 404
    assert "Custom not found" in server.get("/_private/secret").text


def test_plain_404_without_site_page(serve):
    res = serve(os.path.join(SITES, "hello"), *ONE).get("/nope")
    assert res.status == 404
    assert "Not Found" in res.text


def test_routes_command_prints_pattern_and_file():
    out = subprocess.run([sys.executable, "-m", "runtime.serve.cli", "routes", SITE], cwd=ROOT,
                         capture_output=True, text=True, timeout=20)
    assert out.returncode == 0, out.stderr
    rows = [line.split() for line in out.stdout.splitlines()]
    table = {r[0]: (r[1], r[2]) for r in rows}
    assert table["/products/new"] == ("template", "products/new.ejs")
    assert table["/products/[id]"] == ("template", "products/[id].ejs")
    assert table["/pricing"] == ("template", "(marketing)/pricing.ejs")
    assert table["/style.css"] == ("static", "style.css")
    assert rows[-1][-1] == "+404.ejs"  # the not-found page is listed last
    patterns = [r[0] for r in rows[:-1]]
    assert patterns.index("/products/new") < patterns.index("/products/[id]")
    assert not any("_private" in p or "-draft" in p or ".env" in p or "+" in p for p in patterns)


def _copy_site(tmp_path):
    dst = tmp_path / "site"
    shutil.copytree(os.path.join(SITES, "hello"), dst)
    return dst


def test_dev_server_picks_up_a_new_page(serve, tmp_path):
    site = _copy_site(tmp_path)
    server = serve(str(site), *ONE, "--dev")
    assert server.get("/fresh").status == 404
    (site / "fresh.ejs").write_text("fresh page")
    assert wait_for(lambda: server.get("/fresh").status == 200, timeout=5)
    os.remove(site / "fresh.ejs")
    assert wait_for(lambda: server.get("/fresh").status == 404, timeout=5)


def test_production_server_builds_routes_once(serve, tmp_path):
    site = _copy_site(tmp_path)
    server = serve(str(site), *ONE)
    (site / "late.ejs").write_text("late page")
    time.sleep(0.7)
    assert server.get("/late").status == 404


def test_refresh_rebuilds_only_after_a_folder_changes(tmp_path):
    site = _copy_site(tmp_path)
    router = Router(Site(str(site)))
    assert router.builds == 1
    time.sleep(0.6)
    assert router.refresh() is False  # nothing changed
    (site / "deep").mkdir()
    time.sleep(0.6)
    assert router.refresh() is True and router.builds == 2
    (site / "deep" / "x.ejs").write_text("x")
    assert router.refresh() is False  # checked less than 0.5 s ago
    time.sleep(0.6)
    assert router.refresh() is True
    assert router.match("/deep/x").file == "deep/x.ejs"


def test_symlink_out_of_the_root_is_not_served(serve, tmp_path):
    site = _copy_site(tmp_path)
    outside = tmp_path / "outside.txt"
    outside.write_text("OUTSIDE SECRET")
    os.symlink(outside, site / "link.txt")
    server = serve(str(site), *ONE)
    res = server.get("/link.txt")
    assert res.status == 404 and b"OUTSIDE SECRET" not in res.body


def test_markdown_is_static_without_the_marked_plugin(tmp_path):
    site = _copy_site(tmp_path)
    (site / "readme.md").write_text("# Hi")
    router = Router(Site(str(site)), {".ejs": "template"})
    assert router.match("/readme.md").route.kind == "static"
    assert router.match("/readme") is None
