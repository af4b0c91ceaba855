"""pb() keeps requests apart: a client, its auth store and its token belong to the request that made it. Kept in
`$app.store()` (which outlives requests in a worker) and used by the next request, a client refuses to send or
show its token; stashed on globals or shared objects, it is gone; the family's shared values are frozen."""
import json
import urllib.parse

import pytest

from tests.bindings.pb_client_helpers import PASSWORD, pb_cookie, serve_site

PAGES = {
    "register.ejs": "<% registerWithPassword(body().email, body().password) %>ok",
    "keep.ejs": """<%
const mine = pb({ request })
const token = mine.authStore.token
$app.store().set('kept', mine)
$app.store().set('keptStore', mine.authStore)
$app.store().set('keptService', mine.collection('pbfake'))
globalThis.keptClient = mine
try { Object.prototype.keptClient = mine } catch (e) {}
try { pb.kept = mine } catch (e) {}
let err
try { mine.collection('pbfake').getOne('') } catch (e) { err = e }
const proto = Object.getPrototypeOf(err)
try { proto.kept = mine } catch (e) {}
%><%- JSON.stringify({ me: mine.send('/api/pbtest/whoami').id, token, frozen: Object.isFrozen(pb) && Object.isFrozen(proto) }) %>""",
    "reuse.ejs": """<%
function attempt(fn) { try { return ['ok', fn()] } catch (e) { return ['refused', e.message] } }
const kept = $app.store().get('kept')
const out = {
  send: attempt(() => kept.send('/api/pbtest/whoami')),
  list: attempt(() => $app.store().get('keptService').getList()),
  token: attempt(() => $app.store().get('keptStore').token),
  record: attempt(() => kept.authStore.record),
  valid: attempt(() => kept.authStore.isValid),
  save: attempt(() => kept.authStore.save('x', null)),
  global: typeof keptClient,
  proto: typeof ({}).keptClient,
  onPb: typeof pb.kept,
  mine: pb({ request }).send('/api/pbtest/whoami').id,
  mineToken: pb({ request }).authStore.token,
  fresh: pb({ request }) !== kept,
}
%><%- JSON.stringify(out) %>""",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("pbiso")
    with serve_site(root / "site", PAGES, root / "data") as served:
        yield served


def register(site, email):
    res = site.post("/register", {"email": email, "password": PASSWORD})
    assert res.status == 200, res.text
    cookie = pb_cookie(res)
    return cookie, json.loads(urllib.parse.unquote(cookie))["token"]


@pytest.mark.parametrize("second", ["other user", "anonymous"])
def test_a_client_kept_from_another_request_is_refused_and_its_token_unreachable(site, second):
    cookie_a, token_a = register(site, f"a-{second[0]}@example.com")
    kept = site.get("/keep", cookie_a)
    assert kept.status == 200, kept.text
    first = json.loads(kept.text)
    assert first["token"] == token_a and first["me"] and first["frozen"] is True
    cookie_b, token_b = register(site, f"b-{second[0]}@example.com") if second == "other user" else (None, "")
    res = site.get("/reuse", cookie_b)
    assert res.status == 200, res.text
    assert token_a not in res.text
    out = json.loads(res.text)
    refused = ["refused", "pagesvm: a pb() client belongs to the request that made it"]
    for key in ("send", "list", "token", "record", "valid", "save"):
        assert out[key] == refused, (key, out)
    assert out["global"] == "undefined" and out["proto"] == "undefined" and out["onPb"] == "undefined"
    assert out["fresh"] is True and out["mineToken"] == token_b
    assert (out["mine"] is None) == (second == "anonymous")
