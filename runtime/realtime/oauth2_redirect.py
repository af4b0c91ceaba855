"""`/api/oauth2-redirect`: the end of the SDK's popup OAuth2 flow, as PocketBase's oauth2SubscriptionRedirect.

The provider sends the browser back here (GET with a query, or POST with a form: `state`, `code`, `error`); the
`state` is the id of the realtime client that started the flow (`pb.collection(..).authWithOAuth2({provider})`
subscribes to `@oauth2` first). That client, on any worker (directory.py), is sent one `@oauth2` message
`{"state", "code"[, "error"]}` and unsubscribed from `@oauth2`; the popup is redirected to the admin UI's
`../_/#/auth/oauth2-redirect-success` (or `-failure` when the state names no such client, the client connected
from another IP, or the provider answered an error or no code): 307 for a GET, 303 for a POST, as the binary.
pagesvm serves no admin UI, but the SDK closes the popup itself once the message arrived.
"""
from __future__ import annotations

import json

from runtime.api import ApiRequest, ApiResponse

from .clients import IP_KEY, Message

TOPIC = "@oauth2"
SUCCESS, FAILURE = "../_/#/auth/oauth2-redirect-success", "../_/#/auth/oauth2-redirect-failure"


def _go_json(value: dict) -> str:
    """Go's json.Marshal text (HTML characters escaped as it does)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fields(request: ApiRequest) -> dict | None:
    if request.method != "POST":
        return {k: request.arg(k) or "" for k in ("state", "code", "error")}
    try:
        data = request.data()
    except Exception:  # noqa: BLE001 - a body that cannot be read: the failure page, as the binary
        return None
    if not isinstance(data, dict):
        return None
    out = {}
    for key in ("state", "code", "error"):
        value = data.get(key, "")
        if isinstance(value, list):
            value = value[0] if value else ""
        if not isinstance(value, str):
            return None
        out[key] = value
    return out


def oauth2_redirect(broker, request: ApiRequest) -> ApiResponse:
    """The answer to one GET or POST `/api/oauth2-redirect` (`broker`: the worker's realtime Broker)."""
    status = 307 if request.method == "GET" else 303
    fields = _fields(request)
    client = broker.client_by_id(fields["state"]) if fields and fields["state"] else None
    if client is None or client.discarded or not client.has_subscription(TOPIC):
        return _redirect(status, FAILURE)
    ip = client.get(IP_KEY)
    if ip and ip != request.remote_ip:
        client.unsubscribe(TOPIC)
        return _redirect(status, FAILURE)
    data = {"state": fields["state"], "code": fields["code"]}
    if fields["error"]:
        data["error"] = fields["error"]
    client.send(Message(TOPIC, _go_json(data)))
    client.unsubscribe(TOPIC)
    return _redirect(status, FAILURE if fields["error"] or not fields["code"] else SUCCESS)


def _redirect(status: int, where: str) -> ApiResponse:
    return ApiResponse(status, b"", [("Location", where)])
