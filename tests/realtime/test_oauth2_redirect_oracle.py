"""`/api/oauth2-redirect` compared with the real PocketBase 0.40.6: the same steps (a realtime client subscribed
to `@oauth2`, the provider's redirect as a GET and as a form POST, an unknown state) give the same status,
Location, body and `@oauth2` message on both."""
from __future__ import annotations

import json

from tests.helpers import PocketBase, request, start_server
from tests.realtime.test_sse_server import SseClient


def _steps(port: int) -> list:
    sse = SseClient(port)
    try:
        client_id = sse.event()["id"]

        def subscribe():
            request("127.0.0.1", port, "POST", "/api/realtime", json.dumps({"clientId": client_id,
                                                                         "subscriptions": ["@oauth2"]}),
                    {"Content-Type": "application/json"})

        def seen(answer, with_event=True):
            event = sse.event() if with_event else None
            data = json.loads(event["data"]) if event else None
            if data:
                data["state"] = data["state"] == client_id
            return (answer.status, answer.header("Location"), answer.body,
                    event and event["event"], data)

        out = []
        subscribe()
        out.append(seen(request("127.0.0.1", port, "GET", f"/api/oauth2-redirect?state={client_id}&code=c1")))
        out.append(seen(request("127.0.0.1", port, "GET", f"/api/oauth2-redirect?state={client_id}&code=c2"), False))
        subscribe()
        out.append(seen(request("127.0.0.1", port, "POST", "/api/oauth2-redirect",
                                f"state={client_id}&error=access_denied",
                                {"Content-Type": "application/x-www-form-urlencoded"})))
        subscribe()
        out.append(seen(request("127.0.0.1", port, "POST", "/api/oauth2-redirect", f"state={client_id}&code=c3",
                                {"Content-Type": "application/x-www-form-urlencoded"})))
        out.append(seen(request("127.0.0.1", port, "GET", "/api/oauth2-redirect?state=nobody&code=c4"), False))
        out.append(seen(request("127.0.0.1", port, "GET", "/api/oauth2-redirect"), False))
        return out
    finally:
        sse.close()


def test_oauth2_redirect_answers_as_the_binary(tmp_path):
    pb = PocketBase(str(tmp_path / "pb"))
    try:
        expected = _steps(pb.port)
    finally:
        pb.stop()
    server = start_server(None, "--workers", "1", data_dir=str(tmp_path / "pv"))
    try:
        assert _steps(server.port) == expected
    finally:
        server.stop()
    assert expected[0][:2] == (307, "../_/#/auth/oauth2-redirect-success")
