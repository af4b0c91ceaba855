"""`GET /api/realtime` over a real `pagesvm serve` with a raw HTTP client: the stream's head and PB_CONNECT, a
record event after POST /api/realtime, a custom topic sent by a hook route, a stream outside --max-connections,
and a client that hangs up forgotten."""
from __future__ import annotations

import json
import os
import shutil
import socket
import time

import pytest

from tests.helpers import SITES, start_server


class SseClient:
    """A raw HTTP/1.1 client reading one SSE answer event by event."""

    def __init__(self, port: int, path: str = "/api/realtime"):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        self.buffer = b""
        head = self._until(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        self.status = int(lines[0].split()[1])
        self.headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        self.text = ""

    def _until(self, mark: bytes) -> bytes:
        while mark not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("closed")
            self.buffer += chunk
        found, _, self.buffer = self.buffer.partition(mark)
        return found

    def event(self) -> dict:
        """The next event as {id, event, data} (the chunked framing taken off)."""
        while "\n\n" not in self.text:
            size = int(self._until(b"\r\n"), 16)
            while len(self.buffer) < size + 2:
                chunk = self.sock.recv(65536)
                if not chunk:
                    raise EOFError("closed")
                self.buffer += chunk
            self.text += self.buffer[:size].decode()
            self.buffer = self.buffer[size + 2:]
        raw, _, self.text = self.text.partition("\n\n")
        return dict(line.split(":", 1) for line in raw.split("\n"))

    def nothing_for(self, seconds: float) -> bool:
        self.sock.settimeout(seconds)
        try:
            self.event()
        except (socket.timeout, TimeoutError):
            return True
        finally:
            self.sock.settimeout(10)
        return False

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sse") / "site"
    shutil.copytree(os.path.join(SITES, "realtime_flow"), folder)
    srv = start_server(str(folder), "--workers", "1", "--max-connections", "2", data_dir=str(folder / "pb_data"))
    yield srv
    srv.stop()


def _subscribe(server, client_id, topics, token=""):
    headers = {"Content-Type": "application/json", **({"Authorization": token} if token else {})}
    return server.post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": topics}),
                       headers=headers)


def test_the_stream_opens_with_pb_connect_and_carries_record_events(server):
    sse = SseClient(server.port)
    try:
        assert sse.status == 200
        assert sse.headers["content-type"] == "text/event-stream"
        assert sse.headers["cache-control"] == "no-store" and sse.headers["x-accel-buffering"] == "no"
        assert sse.headers["transfer-encoding"] == "chunked"
        first = sse.event()
        client_id = first["id"]
        assert first["event"] == "PB_CONNECT" and json.loads(first["data"]) == {"clientId": client_id}
        assert len(client_id) == 40
        assert _subscribe(server, "unknown", []).status == 404
        assert _subscribe(server, client_id, ["posts/*"]).status == 204
        made = server.post("/api/collections/posts/records", body=json.dumps({"title": "live", "secret": "s"}),
                           headers={"Content-Type": "application/json"})
        assert made.status == 200
        event = sse.event()
        data = json.loads(event["data"])
        assert (event["id"], event["event"], data["action"]) == (client_id, "posts/*", "create")
        assert data["record"]["title"] == "live" and "secret" not in data["record"]
        shout = server.post("/api/flow/shout", body=json.dumps({"topic": "posts/*", "text": "hi"}),
                            headers={"Content-Type": "application/json"})
        assert json.loads(shout.body) == {"sent": 1}
        event = sse.event()
        assert (event["event"], json.loads(event["data"])) == ("posts/*", {"text": "hi"})
        assert _subscribe(server, client_id, []).status == 204
        server.post("/api/collections/posts/records", body=json.dumps({"title": "unheard"}),
                    headers={"Content-Type": "application/json"})
        assert sse.nothing_for(0.5)
    finally:
        sse.close()


def test_streams_do_not_count_against_max_connections_and_leavers_are_forgotten(server):
    streams = [SseClient(server.port) for _ in range(3)]  # --max-connections 2
    try:
        ids = [s.event()["id"] for s in streams]
        assert server.get("/api/health").status == 200
        streams[0].close()
        time.sleep(0.3)
        assert _subscribe(server, ids[0], []).status == 404  # its client is gone with its connection
        assert _subscribe(server, ids[1], []).status == 204
    finally:
        for s in streams:
            s.close()
    # the streams gone, the cap counts ordinary connections again: two idle ones fill it, a third is refused
    time.sleep(0.3)
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(2)]
    try:
        time.sleep(0.2)
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as third:
            assert third.recv(200).startswith(b"HTTP/1.1 503 Service Unavailable")
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)


# What PocketBase 0.40.6 answered to these bodies (observed on the binary; the same bodies sent to pagesvm).
GENERIC = "Something went wrong while processing your request."


def _length(code, message, low, high):
    return {"code": code, "message": message, "params": {"max": high, "min": low}}


def test_refused_subscription_bodies_are_answered_as_pocketbase(server):
    sse = SseClient(server.port)
    try:
        client_id = sse.event()["id"]
        cases = [
            ({"clientId": "", "subscriptions": ["x" * 2501]}, 400, {
                "clientId": {"code": "validation_required", "message": "Cannot be blank."},
                "subscriptions": {"0": _length("validation_length_too_long", "The length must be no more than 2500.",
                                               0, 2500)}}),
            ({"clientId": "a" * 256, "subscriptions": ["a"] * 1001}, 400, {
                "clientId": _length("validation_length_out_of_range", "The length must be between 1 and 255.", 1, 255),
                "subscriptions": _length("validation_length_too_long", "The length must be no more than 1000.",
                                         0, 1000)}),
            ({"clientId": client_id, "subscriptions": "posts"}, 400, {}),
            ("notjson", 400, {}),
        ]
        for body, status, data in cases:
            raw = body if isinstance(body, str) else json.dumps(body)
            answer = server.post("/api/realtime", body=raw, headers={"Content-Type": "application/json"})
            assert (answer.status, json.loads(answer.body)) == (status, {"data": data, "message": GENERIC,
                                                                        "status": status}), body
        assert _subscribe(server, client_id, ["", "a"]).status == 204
        answer = server.request("DELETE", "/api/realtime")
        assert (answer.status, json.loads(answer.body)["message"]) == (404, "The requested resource wasn't found.")
    finally:
        sse.close()
