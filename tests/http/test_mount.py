"""Pages mounted with page_rules(prefix="/shop") inside a hand-written Tornado app, beside a plain
handler, served on a loopback port by an IOLoop in its own thread (the only thread that runs JS)."""
import asyncio
import os
import queue
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest
import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.web

from tests.helpers import ROOT, _LISTENING_RE, request

SITE = os.path.join(ROOT, "tests", "sites", "bind_mount")
EXT = os.path.join(ROOT, "tests", "sites", "bind_ext.py")


class Health(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


@contextmanager
def serve_in_thread(make_app):
    """Build the app and run its IOLoop in one thread; yields the loopback port."""
    ready: queue.Queue = queue.Queue()
    holder = {}

    def run():
        asyncio.set_event_loop(asyncio.new_event_loop())
        loop = tornado.ioloop.IOLoop.current()
        try:
            server = tornado.httpserver.HTTPServer(make_app())
            sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
            server.add_sockets(sockets)
        except BaseException as e:  # noqa: BLE001 - reported to the test thread
            ready.put(e)
            return
        holder["loop"] = loop
        ready.put(sockets[0].getsockname()[1])
        loop.start()
        server.stop()
        loop.close(all_fds=True)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    got = ready.get(timeout=20)
    if isinstance(got, BaseException):
        raise got
    try:
        yield got
    finally:
        holder["loop"].add_callback(holder["loop"].stop)
        thread.join(10)


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    from runtime import page_rules

    data = tmp_path_factory.mktemp("data")

    def make_app():
        return tornado.web.Application(
            [(r"/health", Health)] + page_rules(SITE, prefix="/shop", data_dir=str(data), extensions=[EXT]))

    with serve_in_thread(make_app) as p:
        yield p


def get(port, path, **kw):
    return request("127.0.0.1", port, "GET", path, **kw)


def test_plain_handler_beside_the_pages_still_answers(port):
    res = get(port, "/health")
    assert res.status == 200 and res.text == "ok"


def test_routes_are_served_under_the_prefix_only(port):
    for path in ("/shop", "/shop/"):
        res = get(port, path)
        assert res.status == 200, path
        assert '<p id="greet">Hello mount</p>' in res.text  # an extension binding, mounted
    assert get(port, "/").status == 404
    assert get(port, "/index").status == 404
    assert get(port, "/shopping").status == 404
    assert get(port, "/shop/sub/fx").status == 201


def test_statics_and_asset_urls_honour_the_prefix(port):
    assert get(port, "/shop/logo.txt").text == "logo\n"
    assert get(port, "/logo.txt").status == 404
    html = get(port, "/shop/").text
    url = html.split('<p id="asset">')[1].split("</p>")[0]
    assert url.startswith("/shop/logo.") and url.endswith(".txt")
    res = get(port, url)
    assert res.status == 200 and res.text == "logo\n"


def test_redirect_cookie_path_and_flash_honour_the_prefix(port):
    res = get(port, "/shop/go")
    assert res.status == 302
    assert res.header("Location") == "/shop/sub/there?__flash=moved"
    [cookie] = res.header_all("Set-Cookie")
    assert cookie.startswith("seen=yes") and "Path=/shop" in cookie
    follow = get(port, res.header("Location"))
    assert '<p id="flash">moved</p>' in follow.text


def test_binding_cookies_default_to_the_prefix_path(port):
    res = get(port, "/shop/sub/fx")
    [cookie] = res.header_all("Set-Cookie")
    assert cookie.startswith("py=1") and "Path=/shop" in cookie


def test_example_mount_app_runs_the_example_site_under_shop(tmp_path):
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "examples", "mount_app.py"), "--port", "0",
                             "--data", str(tmp_path / "data")], cwd=str(tmp_path), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        line = proc.stdout.readline()
        m = _LISTENING_RE.search(line)
        assert m, line
        p = int(m.group(2))
        assert get(p, "/health").text == "ok"
        page = get(p, "/shop/?name=Ann", headers={"X-Tenant": "acme"}).text
        assert "<h1>Hello Ann</h1>" in page and "Shop for acme" in page
        assert "3 cups: 7.5 USD" in page and "50 cups: out of stock" in page and "2 cups: 5" in page
        assert 'href="/shop/style.' in page
        res = request("127.0.0.1", p, "POST", "/shop/cart", body="item=tea",
                      headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://127.0.0.1:{p}"})
        assert res.status == 302 and res.header("Location").startswith("/shop/?__flash=added%20tea")
        assert "Path=/shop" in res.header("Set-Cookie")
    finally:
        proc.terminate()
        proc.wait(10)
