"""bindings/auth.js: the record class is shared by every request of an interpreter and page code
reaches it (`Object.getPrototypeOf(auth).constructor`), so it must hold nothing a request can write
and a later one read: only the runtime makes records, and the class with its methods is frozen."""
from __future__ import annotations

import pytest

PAGES = {
    "reg.ejs": "<% registerWithPassword(formData().email, formData().password) %>ok",
    # Each way page code could call the constructor itself: all refused with a TypeError.
    "make.ejs": """<%
const Rec = Object.getPrototypeOf(auth).constructor;
const tries = [() => Rec.call({}, { id: 'x' }), () => new Rec({ id: 'x' }), () => Reflect.construct(Rec, [{ id: 'x' }]),
  () => Reflect.construct(Rec, [{}, { id: 'x' }], Object), () => Rec.prototype.get.call({}, 'id')];
const out = tries.map((f) => { try { f(); return 'made'; } catch (e) { return e.name; } });
%><%= out.join(',') %>|<%= auth.get('email') %>|<%= JSON.parse(JSON.stringify(auth)).email %>""",
    # A property put on the class, its prototype, a method or a getter; then read back.
    "stamp.ejs": """<%
const Rec = Object.getPrototypeOf(auth).constructor;
const idGetter = Object.getOwnPropertyDescriptor(Rec.prototype, 'id').get;
const targets = [Rec, Rec.prototype, Rec.prototype.get, Rec.prototype.toJSON, idGetter];
if (params.w) for (const t of targets) { try { t.stamp = 'STAMP'; } catch (e) {} }
%><%= targets.map((t) => String(t.stamp)).join(',') %>""",
}


@pytest.fixture
def signed_in(serve_pages):
    running = serve_pages(PAGES, "--workers", "1", env={"PAGESVM_BCRYPT_ROUNDS": "4"})
    res = running.post("/reg", form={"email": "rec@example.com", "password": "password123"},
                       headers={"Origin": running.url})
    assert res.status == 200, res.text
    return running, {"Cookie": res.header("Set-Cookie").split(";")[0]}


def test_only_the_runtime_makes_auth_records(signed_in):
    server, cookie = signed_in
    res = server.get("/make", headers=cookie)
    assert res.status == 200, res.text
    assert res.text.strip() == "TypeError,TypeError,TypeError,TypeError,TypeError|rec@example.com|rec@example.com"


def test_nothing_put_on_the_record_class_reaches_the_next_request(signed_in):
    server, cookie = signed_in
    server.get("/stamp?w=1", headers=cookie)
    res = server.get("/stamp", headers=cookie)
    assert res.status == 200, res.text
    assert "STAMP" not in res.text, res.text
