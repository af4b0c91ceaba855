"""bindings/auth.js keeps each record's fields in one WeakMap (`fieldsOf`) shared by every request.
The record's constructor is reachable (`Object.getPrototypeOf(auth).constructor`) and can be called
on any object, so a signed-in page can key an entry on a shared frozen object (Object.prototype)
that outlives its request, and read it back from a later one: a cross-request channel."""
from __future__ import annotations

import pytest


PAGES = {
    "reg.ejs": "<% registerWithPassword(formData().email, formData().password) %>ok",
    "wm.ejs": """<%
const Rec = Object.getPrototypeOf(auth).constructor;
let out = 'none';
try {
  if (params.w) { Rec.call(Object.prototype, { id: String(params.w) }); out = 'written'; }
  else out = String(Rec.prototype.get.call(Object.prototype, 'id'));
} catch (e) { out = 'refused' }
%><%= out %>""",
}


@pytest.fixture
def server(serve_pages):
    return serve_pages(PAGES, "--workers", "1", env={"PAGESVM_BCRYPT_ROUNDS": "4"})


def test_the_auth_record_store_is_no_channel_between_requests(server):
    res = server.post("/reg", form={"email": "wm@example.com", "password": "password123"},
                      headers={"Origin": server.url})
    assert res.status == 200, res.text
    cookie = res.header("Set-Cookie").split(";")[0]
    server.get("/wm?w=SECRET-WM", headers={"Cookie": cookie})
    res = server.get("/wm", headers={"Cookie": cookie})
    assert res.status == 200
    assert "SECRET-WM" not in res.text, res.text
