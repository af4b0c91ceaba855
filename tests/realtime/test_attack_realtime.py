"""Attacks on the realtime API over real servers (pagesvm serve, and the real PocketBase where it says what should
happen): a subscription's filter used as an oracle on hidden fields, SSE framing, a stalled reader."""
from __future__ import annotations

import json
import os
import shutil
import time
import urllib.parse

import pytest

from runtime.serve.cli import main as cli_main
from tests.helpers import SITES, PocketBase, start_server
from tests.realtime.test_sse_server import SseClient

SITE = os.path.join(SITES, "realtime_flow")


def _site(tmp_path_factory, name):
    folder = tmp_path_factory.mktemp(name) / "site"
    shutil.copytree(SITE, folder)
    return str(folder)


@pytest.fixture(scope="module")
def pagesvm(tmp_path_factory):
    """(port, post, a superuser's token) of a `pagesvm serve` of the realtime_flow site."""
    folder = _site(tmp_path_factory, "pv")
    data = os.path.join(folder, "pb_data")
    srv = start_server(folder, "--workers", "1", data_dir=data)
    assert cli_main(["superuser", "upsert", "boss@example.com", "boss-pass-123", "--dir", data]) == 0
    signed = srv.post("/api/collections/_superusers/auth-with-password", headers={"Content-Type": "application/json"},
                      body=json.dumps({"identity": "boss@example.com", "password": "boss-pass-123"}))
    yield srv.port, srv.post, json.loads(signed.body)["token"]
    srv.stop()


def _events(sse, quiet: float = 1.0) -> list:
    """The names of the events that arrive until the stream is quiet for `quiet` seconds."""
    names = []
    sse.sock.settimeout(quiet)
    try:
        while True:
            names.append(sse.event()["event"])
    except (TimeoutError, OSError):
        return names
    finally:
        sse.sock.settimeout(10)


def _topic(filter_: str) -> str:
    return "posts/*?options=" + urllib.parse.quote(json.dumps({"query": {"filter": filter_}}))


def _hidden_field_oracle(port, post, token) -> list:
    """Which of two filtered subscriptions hear a public post's create: one on a visible field, one on a hidden."""
    sse = SseClient(port)
    try:
        client_id = json.loads(sse.event()["data"])["clientId"]
        visible, hidden = _topic("title = 'leak-test'"), _topic("secret = 's3cr3t'")
        answer = post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": [visible, hidden]}),
                      headers={"Content-Type": "application/json"})
        assert answer.status == 204, answer.body
        created = post("/api/collections/posts/records", body=json.dumps({"title": "leak-test", "secret": "s3cr3t"}),
                       headers={"Content-Type": "application/json", "Authorization": token})
        assert created.status == 200, created.body
        heard = _events(sse)
        return ["visible" if name == visible else "hidden" if name == hidden else name for name in heard]
    finally:
        sse.close()


def test_a_filter_on_a_hidden_field_is_no_oracle_on_the_binary(tmp_path_factory):
    folder = _site(tmp_path_factory, "pb")
    pb = PocketBase(folder, migrations=os.path.join(folder, "pb_migrations"))
    try:
        from tests.helpers import request

        def post(path, body, headers):
            return request("127.0.0.1", pb.port, "POST", path, body, headers)

        assert _hidden_field_oracle(pb.port, post, pb.token) == ["visible"]
    finally:
        pb.stop()


def test_a_filter_on_a_hidden_field_is_no_oracle(pagesvm):
    # a filter on a hidden field heard a write only when the field held the guessed value: one bit per topic, and a
    # client holds up to 1000 topics
    assert _hidden_field_oracle(*pagesvm) == ["visible"]


def test_a_stalled_reader_is_dropped_not_buffered_without_bound(pagesvm):
    """A client that stops reading while its topic is busy: the worker must not keep every event for it (memory
    grows with what others send); past a bound its stream is ended, and the others keep hearing."""
    import socket

    port, post, _ = pagesvm
    stalled = socket.create_connection(("127.0.0.1", port))
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.sendall(b"GET /api/realtime HTTP/1.1\r\nHost: x\r\n\r\n")
    head = b""
    while b"clientId" not in head:
        head += stalled.recv(4096)
    stalled_id = head.split(b'"clientId":"')[1].split(b'"')[0].decode()
    reader = SseClient(port)
    reader_id = json.loads(reader.event()["data"])["clientId"]
    try:
        for client_id in (stalled_id, reader_id):
            answer = post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": ["flood"]}),
                          headers={"Content-Type": "application/json"})
            assert answer.status == 204
        text, rounds = "x" * 40_000, 400  # 16 MB for the stalled client, which reads nothing
        for _ in range(rounds):
            answer = post("/api/flow/shout", body=json.dumps({"topic": "flood", "text": text}),
                          headers={"Content-Type": "application/json"})
            assert answer.status == 200
            assert reader.event()["event"] == "flood"  # the reading client hears each one
        ended, received, deadline = False, 0, time.monotonic() + 5
        stalled.settimeout(0.5)
        while not ended and time.monotonic() < deadline:  # (a small window: reading it all would take minutes)
            try:
                chunk = stalled.recv(1 << 20)
                ended = not chunk
                received += len(chunk)
            except ConnectionError:
                ended = True
            except TimeoutError:
                pass
        assert ended and received < len(text) * rounds // 2, "every event was kept for a client reading nothing"
        assert post("/api/flow/shout", body=json.dumps({"topic": "flood", "text": "still"}),
                    headers={"Content-Type": "application/json"}).json() == {"sent": 1}  # only the reader is left
        assert json.loads(reader.event()["data"]) == {"text": "still"}
    finally:
        stalled.close()
        reader.close()
