"""Attacks on the realtime API over real servers (pagesvm serve, and the real PocketBase where it says what should
happen): a subscription's filter used as an oracle on hidden fields, SSE framing, a stalled reader."""
from __future__ import annotations

import json
import os
import shutil
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
