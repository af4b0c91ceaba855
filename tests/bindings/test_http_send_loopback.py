"""`$http.send` to this same server is served in-process: with one worker, a page calling its own address
(by the Host it was reached at, by `localhost` or `127.0.0.1` on the listening port) answers instead of
waiting on itself; the nested page sees the method, headers and body sent, sets cookies, redirects; a page
calling itself endlessly stops with a clear error; and the call counts against --timeout."""
import json

from tests.helpers import served

SITE_PAGES = {
    "pb_hooks/pages/inner.ejs": "<% response.header('X-Inner', 'yes'); response.cookie('k', 'v') %>"
                                "<%- JSON.stringify({method: request.method, body: body(), x: request.header('X-Test')}) %>",
    "pb_hooks/pages/outer.ejs": """<%
const port = request.header('Host').split(':')[1]
const out = {}
for (const base of ['http://' + request.header('Host'), 'http://localhost:' + port, 'http://127.0.0.1:' + port]) {
  const r = $http.send({url: base + '/inner', method: 'POST', headers: {'X-Test': 't', 'Content-Type': 'application/json'}, body: '{"a":1}'})
  out[base.split('//')[1].split(':')[0]] = [r.statusCode, r.json, r.headers['X-Inner'], r.cookies.k && r.cookies.k.value]
}
const missing = $http.send({url: 'http://localhost:' + port + '/nowhere'})
out.missing = missing.statusCode
out.redirect = $http.send({url: 'http://localhost:' + port + '/go'}).json.method
%><%- JSON.stringify(out) %>""",
    "pb_hooks/pages/go.ejs": "<% redirect('/inner') %>",
    "pb_hooks/pages/forever.ejs": "<% const port = request.header('Host').split(':')[1]; let msg = ''\n"
                                  "try { msg = 'ok>' + $http.send({url: 'http://127.0.0.1:' + port + '/forever'}).headers['X-Depth'][0] } catch (e) { msg = e.message }\n"
                                  "response.header('X-Depth', msg) %>done",
    "pb_hooks/pages/slow.ejs": "<% sleep(5000) %>late",
    "pb_hooks/pages/waits.ejs": "<% const port = request.header('Host').split(':')[1]\n"
                                "$http.send({url: 'http://127.0.0.1:' + port + '/slow'}) %>never",
}


def _site(tmp_path_factory):
    from tests.helpers import write_site

    return write_site(tmp_path_factory.mktemp("loopsite"), SITE_PAGES)


def test_a_page_calling_its_own_server_answers_with_one_worker(tmp_path_factory):
    from tests.helpers import start_server

    server = start_server(_site(tmp_path_factory), "--workers", "1", "--timeout", "2",
                          data_dir=str(tmp_path_factory.mktemp("data")))
    try:
        page = server.get("/outer", timeout=10)
        assert page.status == 200, page.body
        out = json.loads(page.body)
        expected = [200, {"method": "POST", "body": {"a": 1}, "x": "t"}, ["yes"], "v"]
        assert out["127.0.0.1"] == expected
        assert out["localhost"] == expected
        assert out["missing"] == 404
        assert out["redirect"] == "GET"
        forever = server.get("/forever", timeout=10)
        assert forever.status == 200
        assert forever.header("X-Depth").startswith("ok>ok>ok>Get ")
        assert forever.header("X-Depth").endswith("pagesvm: $http.send to this same server nested more than 3 deep")
        waits = server.get("/waits", timeout=10)  # the nested page sleeps past --timeout: the caller is stopped
        assert waits.status == 504
        assert server.get("/inner").status == 200  # and the worker serves on
    finally:
        server.stop()
