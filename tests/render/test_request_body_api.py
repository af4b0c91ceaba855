"""`request.body()`/`request.formData()` exist as in PocketPages, and a request without a body reads as `{}`
(PocketBase's requestInfo().body): the auth starter's OTP page reads `request.body().otpId` on a GET."""
from __future__ import annotations

import json

from bindings import builtins
from runtime.render.engine import Engine
from runtime.render.router import Router
from runtime.render.site import Site
from tests.render.test_units import write

PAGE = """<%- JSON.stringify({
  otpId: request.body().otpId || null,
  same: request.body() === body() && request.formData() === body() && formData() === body(),
  body: body(),
  field: formData.mode,
}) %>"""


def render(tmp_path, request_body):
    builtins.load()
    engine = Engine(Site(write(tmp_path, {"otp.ejs": PAGE})))
    match = Router(engine.site).match("/otp", "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": dict(match.params)}
    request = {"method": "POST" if request_body else "GET", "url": "/otp", "host": "", "headers": {},
               "cookies": {}, "body": request_body}
    payload = {"route": route, "request": request, "auth": None, "data": {}}
    payload["units"] = engine.route_units(route)
    result = engine.render(payload)
    assert not result.get("error"), result["error"]
    return json.loads(result["body"])


def test_a_get_without_a_body_reads_an_empty_object(tmp_path):
    assert render(tmp_path, None) == {"otpId": None, "same": True, "body": {}}


def test_a_posted_form_is_the_same_object_through_every_name(tmp_path):
    assert render(tmp_path, {"otpId": "abc", "mode": "otp-confirm"}) == {
        "otpId": "abc", "same": True, "body": {"otpId": "abc", "mode": "otp-confirm"}, "field": "otp-confirm"}
