"""Attack: `$http.send` treated a URL as "this same server" when its host matched the calling request's `Host`
header, which the client chooses. A visitor sending `Host: api.partner.invalid` made a page's call to
`http://api.partner.invalid/...` (an outside API, with its secret key in a header) be served in-process by this
site instead: the key reached the site's own routes (here one that echoes it) and the page read this site's answer
as the partner's. A name the client chose is only believed when it names this machine."""
import json

import pytest

PAGES = {
    "pb_hooks/main.pb.js": 'routerAdd("GET", "/v1/verify", (e) => e.json(200, {paid: true, key: e.request.header.get("X-Api-Key")}))\n',
    "pb_hooks/pages/pay.ejs": """<%
let out
try {
  const r = $http.send({url: 'http://api.partner.invalid/v1/verify', headers: {'X-Api-Key': 'SECRET'}, timeout: 2})
  out = {status: r.statusCode, json: r.json}
} catch (e) { out = {error: String(e.message)} }
%><%- JSON.stringify(out) %>""",
    "pb_hooks/pages/self.ejs": """<%
const r = $http.send({url: 'http://' + request.header('Host') + '/v1/verify', timeout: 2})
%><%- JSON.stringify({status: r.statusCode, paid: r.json.paid}) %>""",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1", "--timeout", "5")


def test_a_forged_host_header_does_not_turn_an_outside_call_into_a_local_one(server):
    forged = json.loads(server.get("/pay", headers={"Host": "api.partner.invalid"}).text)
    assert "error" in forged, forged  # the call went out (and the name does not resolve), never to this site
    assert "SECRET" not in json.dumps(forged)
    plain = json.loads(server.get("/pay").text)
    assert "error" in plain


def test_a_page_calling_the_host_it_was_reached_at_is_still_served_in_process(server):
    assert json.loads(server.get("/self").text) == {"status": 200, "paid": True}


def test_only_names_of_this_machine_are_believed_from_the_host_header():
    from runtime.http.loopback import Loopback

    loop = Loopback(runtime=None)
    assert not loop.is_self("http://api.partner.invalid/x", "api.partner.invalid")
    assert not loop.is_self("https://example.invalid/x", "example.invalid")
    assert loop.is_self("http://127.0.0.1:8123/x", "127.0.0.1:8123")
    assert loop.is_self("http://localhost:8123/x", "localhost:8123")
