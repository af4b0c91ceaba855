"""`$http.send` against the real PocketBase: one snippet runs in a `routerAdd` handler on the binary and in a
page on `pagesvm serve`, both calling a small HTTP server this test starts; the answers (shape, field types,
headers, cookies, bodies, redirects and Go's error texts) must be the same."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.helpers import PocketBase, start_server, write_site


class _Peer(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, body, headers=()):
        body = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _any(self):
        size = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(size).decode() if size else ""
        path = self.path
        if path.startswith("/echo"):
            seen = {"method": self.command, "path": path, "body": body, "ct": self.headers.get("Content-Type"),
                    "x": self.headers.get("X-Test"), "ua": self.headers.get("User-Agent"), "ae": self.headers.get("Accept-Encoding")}
            return self._send(200, json.dumps(seen), [("Content-Type", "application/json"), ("X-Multi", "a"), ("X-Multi", "b"),
                                                      ("Set-Cookie", "sid=abc; Path=/; HttpOnly; Max-Age=60"), ("Set-Cookie", "other=1"),
                                                      ("Set-Cookie", 'q="v w"; Domain=.ex.com; SameSite=Strict; Secure; Odd'),
                                                      ("Set-Cookie", "e=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT; Max-Age=0; SameSite=x")])
        fixed = {"/text": (201, "plain text"), "/arr": (200, '[1,2,{"a":null}]'), "/num": (200, "42"), "/str": (200, '"s"'),
                 "/empty": (204, ""), "/e500": (500, '{"err":1}'), "/bad": (200, "{nope"), "/bytes": (200, bytes([0xff, 0x41, 0xc3, 0xa9]))}
        if path in fixed:
            return self._send(*fixed[path])
        if path.startswith("/redir/"):
            left = int(path.split("/")[2])
            return self._send(302, "", [("Location", f"/redir/{left - 1}" if left > 0 else "/echo/final")])
        if path == "/slow":
            time.sleep(3)
            try:
                return self._send(200, "late")
            except OSError:  # the client gave up, as it should
                return None
        return self._send(404, "nope")

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _any


SNIPPET = r"""
const B = __BASE__
const out = {}
const t = (f) => { try { const v = f(); return {v: v === undefined ? "undefined" : v} } catch (e) { return {name: e.name, msg: String(e.message).split(B).join("B")} } }
const r = $http.send({url: B + "/echo/x?q=1", method: "post", headers: {"content-type": "application/json", "X-Test": "yes"}, body: JSON.stringify({a: 1})})
out.keys = Object.keys(r)
out.types = Object.keys(r).map((k) => [k, typeof r[k], Array.isArray(r[k])])
out.status = r.statusCode
out.json = r.json
out.raw = r.raw
out.headers = Object.keys(r.headers).filter((k) => k !== "Date").sort().map((k) => [k, r.headers[k]])
out.headerCase = [r.headers["x-multi"], r.headers["X-Multi"]]
out.cookies = Object.keys(r.cookies).sort().map((k) => JSON.stringify(r.cookies[k]))
out.cookieKeys = Object.keys(r.cookies.sid)
out.cookieStrings = Object.keys(r.cookies).sort().map((k) => r.cookies[k].string())
out.body = [typeof r.body, Array.isArray(r.body), r.body.length, toString(r.body), JSON.stringify(r).length]
out.text = t(() => { const x = $http.send({url: B + "/text"}); return [x.statusCode, x.raw, x.json] })
out.parsed = ["/arr", "/num", "/str", "/bad", "/e500"].map((p) => t(() => $http.send({url: B + p}).json))
out.empty = t(() => { const x = $http.send({url: B + "/empty"}); return [x.statusCode, x.raw, x.json, JSON.stringify(x.body)] })
out.bytes = t(() => { const x = $http.send({url: B + "/bytes"}); return [x.raw, JSON.stringify(Array.from(x.body)), toString(x.body)] })
out.redirects = ["/redir/3", "/redir/9", "/redir/10"].map((p) => t(() => { const x = $http.send({url: B + p}); return [x.statusCode, x.json.path] }))
out.postRedirect = t(() => $http.send({url: B + "/redir/1", method: "POST", body: "zz"}).json)
out.errors = [t(() => $http.send({url: "http://127.0.0.1:1/x"})), t(() => $http.send({url: "http://127.0.0.1:1/x", method: "PUT"})),
  t(() => $http.send({url: "not a url"})), t(() => $http.send({})), t(() => $http.send({url: "ftp://x/y"})),
  t(() => $http.send({url: B + "/echo/p", method: "BAD METHOD"})), t(() => $http.send({url: "http://nosuchhost.invalid/x"}))]
out.timeout = t(() => $http.send({url: B + "/slow", timeout: 1}))
out.sent = [t(() => $http.send({url: B + "/echo/d"}).json), t(() => $http.send({url: B + "/echo/p", method: "PUT", body: "raw"}).json),
  t(() => $http.send({url: B + "/echo/h", headers: {"X-Test": 5}}).json), t(() => $http.send({url: B + "/echo/o", method: "POST", body: {a: 1}}).json),
  t(() => $http.send({url: B + "/echo/n", method: "POST", body: 12}).json), t(() => $http.send({url: B + "/echo/n", method: "POST", body: null}).json),
  t(() => $http.send({url: B + "/echo/u", headers: {"User-Agent": "mine", "accept-encoding": "identity"}}).json),
  t(() => $http.send({url: B + "/echo/m", method: "", timeout: 0}).json.method), t(() => $http.send({url: B + "/echo/m", timeout: -1}).json.method)]
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    peer = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    threading.Thread(target=peer.serve_forever, daemon=True).start()
    snippet = SNIPPET.replace("__BASE__", json.dumps(f"http://127.0.0.1:{peer.server_address[1]}"))
    pb = PocketBase(str(tmp_path_factory.mktemp("pb")), hooks={
        "oracle.pb.js": 'routerAdd("GET", "/oracle", (e) => {\n%s\nreturn e.json(200, out)\n})\n' % snippet})
    site = write_site(tmp_path_factory.mktemp("site"), {"pb_hooks/pages/oracle.ejs": "<%%\n%s\n%%><%%- JSON.stringify(out) %%>" % snippet})
    server = start_server(site, "--workers", "1", data_dir=str(tmp_path_factory.mktemp("data")))
    try:
        status, binary = pb.call("GET", "/oracle")
        assert status == 200, binary
        page = server.get("/oracle")
        assert page.status == 200, page.body
        return binary, json.loads(page.body)
    finally:
        server.stop()
        pb.stop()
        peer.shutdown()


KEYS = ["keys", "types", "status", "json", "raw", "headers", "headerCase", "cookies", "cookieKeys", "cookieStrings", "body", "text",
        "parsed", "empty", "bytes", "redirects", "postRedirect", "errors", "timeout", "sent"]


@pytest.mark.parametrize("key", KEYS)
def test_http_send_answers_as_on_the_binary(answers, key):
    binary, ours = answers
    assert ours[key] == binary[key]
