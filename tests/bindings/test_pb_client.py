"""pb() in pages: the SDK's synchronous surface answered in-process by runtime/api (fake routes of the test, see
pb_client_helpers.py), errors thrown in the SDK's shape, the auth store started from the pb_auth cookie."""
import json

import pytest

from tests.bindings.pb_client_helpers import PASSWORD, pb_cookie, serve_site

SHOW = "<%- JSON.stringify(out) %>"
PAGES = {
    "register.ejs": "<% registerWithPassword(body().email, body().password) %>ok",
    "health.ejs": "<% const out = pb().health.check() %>" + SHOW,
    "list.ejs": """<%
const c = pb().collection('pbfake')
const out = {
  list: c.getList(2, 3, { filter: 'x', sort: '-created', expand: 'a,b', fields: 'id', skipTotal: true, extra: 5 }),
  defaults: c.getList(),
  full: c.getFullList({ batch: 3, sort: 'title' }).map((r) => r.id),
  fullNumber: c.getFullList(2).length,
  first: c.getFirstListItem('title = "t0"'),
  one: c.getOne('item4').title,
  created: c.create({ title: 'hello', n: 2 }),
  updated: c.update('item1', { title: 'changed' }).title,
  deleted: c.delete('item2'),
  url: pb().files.getURL({ id: 'r1', collectionId: 'col', collectionName: 'posts' }, 'a b.png', { thumb: '100x100', download: false }),
  noUrl: pb().files.getURL({ id: 'r1' }, 'a.png'),
  filter: pb().filter('a = {:a} && b = {:b} && c = {:c} && d = {:d} && e = {:e}', { a: "it's", b: 5, c: true, d: null, e: { k: 1 } }),
}
%>""" + SHOW,
    "errors.ejs": """<%
const c = pb().collection('pbfake')
function caught(fn) {
  try { fn(); return 'no error' } catch (e) {
    return { status: e.status, message: e.message, name: e.name, response: e.response, data: e.data, url: e.url,
             isAbort: e.isAbort, isError: e instanceof Error, json: JSON.parse(JSON.stringify(e)) }
  }
}
const out = {
  create: caught(() => c.create({ title: '' })),
  getOne: caught(() => c.getOne('missing')),
  noId: caught(() => c.getOne('')),
  first: caught(() => c.getFirstListItem('title = "none"', { page: 99 })),
  route: caught(() => pb().send('/api/pbtest/nothing-here')),
}
%>""" + SHOW,
    "whoami.ejs": """<%
const mine = pb({ request })
const out = {
  anon: pb().send('/api/pbtest/whoami', { query: { q: [1, 2] }, headers: { 'X-Custom': 'yes' } }),
  same: pb({ request }) === mine && pb() === pb(),
  differs: pb() !== mine,
  viaAuth: pb({ auth: request.auth }) === mine,
  me: mine.send('/api/pbtest/whoami'),
  token: mine.authStore.token,
  record: mine.authStore.record && mine.authStore.record.email,
  model: mine.authStore.model && mine.authStore.model.id,
  valid: mine.authStore.isValid,
  anonValid: pb().authStore.isValid,
  anonToken: pb().authStore.token,
  superuser: mine.authStore.isSuperuser,
}
%>""" + SHOW,
    "signin.ejs": """<%
const c = pb().collection('pbfake')
let wrong
try { c.authWithPassword(body().email, 'wrong password') } catch (e) { wrong = [e.status, e.message] }
const authData = c.authWithPassword(body().email, body().password)
const out = {
  wrong,
  keys: Object.keys(authData).sort(),
  storeMatches: pb().authStore.token === authData.token && pb().authStore.record.id === authData.record.id,
  valid: pb().authStore.isValid,
  me: pb().send('/api/pbtest/whoami').id === authData.record.id,
}
signIn(authData)
out.auth = request.auth && request.auth.email
out.requestClient = pb({ request }).send('/api/pbtest/whoami').authorization === authData.token
signOut()
out.afterSignOut = [request.auth, pb({ request }) === pb()]
%>""" + SHOW,
    "clear.ejs": """<%
const c = pb({ request })
const changes = []
c.authStore.onChange((token, record) => changes.push([token, record]))
c.authStore.clear()
const out = { token: c.authStore.token, record: c.authStore.record, valid: c.authStore.isValid, changes,
              me: c.send('/api/pbtest/whoami').id }
%>""" + SHOW,
    "post.ejs": "<% const out = pb().send('/api/pbtest/echo', { method: 'POST', body: { a: [1, 'x'], when: new Date(0) } }) %>" + SHOW,
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("pbsite")
    with serve_site(root / "site", PAGES, root / "data") as served:
        yield served


def page(site, path, cookie=None, form=None):
    res = site.post(path, form, cookie) if form is not None else site.get(path, cookie)
    assert res.status == 200, res.text
    return json.loads(res.text) if res.text.startswith("{") else res.text


def user_cookie(site, email):
    res = site.post("/register", {"email": email, "password": PASSWORD})
    assert res.status == 200, res.text
    return pb_cookie(res)


def test_health_answers_in_process(site):
    assert page(site, "/health") == {"message": "API is healthy.", "code": 200, "data": {}}


def test_record_service_methods_send_the_sdk_requests_and_return_values(site):
    out = page(site, "/list")
    listed = out["list"]
    assert listed["page"] == 2 and listed["perPage"] == 3 and [i["id"] for i in listed["items"]] == ["item3", "item4", "item5"]
    assert listed["seen"] == {"filter": ["x"], "sort": ["-created"], "expand": ["a,b"], "fields": ["id"],
                              "skipTotal": ["true"], "extra": ["5"]}
    assert out["defaults"]["page"] == 1 and out["defaults"]["perPage"] == 30
    assert out["full"] == [f"item{n}" for n in range(7)] and out["fullNumber"] == 7
    assert out["first"]["id"] == "item0" and out["one"] == "t4"
    assert out["created"] == {"id": "new1", "collectionName": "pbfake", "title": "hello", "n": 2}
    assert out["updated"] == "changed" and out["deleted"] is True
    assert out["url"] == "/api/files/col/r1/a%20b.png?thumb=100x100" and out["noUrl"] == ""
    assert out["filter"] == "a = 'it\\'s' && b = 5 && c = true && d = null && e = '{\"k\":1}'"


def test_errors_are_thrown_in_the_sdk_shape(site):
    out = page(site, "/errors")
    create = out["create"]
    body = {"data": {"title": {"code": "validation_required", "message": "Cannot be blank."}},
            "message": "Failed to create record.", "status": 400}
    assert create["status"] == 400 and create["message"] == "Failed to create record."
    assert create["response"] == body and create["data"] == body and create["isAbort"] is False
    assert create["name"] == "ClientResponseError 400" and create["isError"] is True
    assert create["url"] == "/api/collections/pbfake/records"
    assert create["json"]["status"] == 400 and create["json"]["response"] == body
    missing = {"data": {}, "message": "The requested resource wasn't found.", "status": 404}
    assert out["getOne"]["status"] == 404 and out["getOne"]["response"] == missing
    assert out["noId"]["status"] == 404 and out["noId"]["message"] == "Missing required record id."
    assert out["first"]["status"] == 404 and out["first"]["message"] == "The requested resource wasn't found."
    assert out["route"]["status"] == 404 and out["route"]["response"] == missing


def test_the_auth_store_starts_from_the_pb_auth_cookie(site):
    cookie = user_cookie(site, "store@example.com")
    token = json.loads(__import__("urllib.parse").parse.unquote(cookie))["token"]
    out = page(site, "/whoami", cookie)
    assert out["anon"]["id"] is None and out["anon"]["authorization"] == ""
    assert out["anon"]["query"] == {"q": ["1", "2"]} and out["anon"]["custom"] == "yes"
    assert out["same"] is True and out["differs"] is True and out["viaAuth"] is True
    assert out["me"]["id"] == out["model"] and out["me"]["authorization"] == token
    assert out["token"] == token and out["record"] == "store@example.com"
    assert out["valid"] is True and out["anonValid"] is False and out["anonToken"] == "" and out["superuser"] is False
    signed_out = page(site, "/whoami")  # no cookie: pb({request}) is anonymous
    assert signed_out["me"]["id"] is None and signed_out["token"] == "" and signed_out["record"] is None


def test_auth_with_password_fills_the_store_and_sign_in_sets_the_cookie(site):
    user_cookie(site, "sdk@example.com")
    res = site.post("/signin", {"email": "sdk@example.com", "password": PASSWORD})
    assert res.status == 200, res.text
    out = json.loads(res.text)
    assert out["wrong"] == [400, "Failed to authenticate."]
    assert out["keys"] == ["record", "token"] and out["storeMatches"] is True and out["valid"] is True
    assert out["me"] is True and out["auth"] == "sdk@example.com"
    assert out["requestClient"] is True and out["afterSignOut"] == [None, True]  # the sign-in of the moment
    cookie = next(v.split(";")[0][len("pb_auth="):] for k, v in res.headers
                  if k.lower() == "set-cookie" and v.startswith("pb_auth=") and "Max-Age=0" not in v)
    assert cookie and page(site, "/whoami", cookie)["record"] == "sdk@example.com"


def test_clearing_the_store_signs_the_client_out(site):
    cookie = user_cookie(site, "clear@example.com")
    out = page(site, "/clear", cookie)
    assert out["token"] == "" and out["record"] is None and out["valid"] is False
    assert out["changes"] == [["", None]] and out["me"] is None


def test_a_body_crosses_as_json(site):
    assert page(site, "/post") == {"method": "POST", "data": {"a": [1, "x"], "when": "1970-01-01T00:00:00.000Z"}}
