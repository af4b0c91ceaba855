"""The realtime hooks against the real PocketBase 0.40.6: one hook file (tests/sites/realtime_hooks) on the binary
and on `pagesvm serve`, the same raw SSE clients and requests on both, and what the clients received and what the
hooks noted compared: onRealtimeConnectRequest refusing (no e.next(): 200 and an empty body), throwing (its error)
onRealtimeSubscribeRequest throwing, not calling e.next() (200,
nothing subscribed) and adding a topic; onRealtimeMessageSend dropping, changing and renaming messages (PB_CONNECT
included; e.message.data is bytes); onRecordEnrich on record events (context "realtime"; hide, unhide, custom data,
a throw keeps the event from the client)."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket

import pytest

from tests.helpers import SITES, PocketBase, request, start_server
from tests.realtime.test_sse_server import SseClient

HOOKS = os.path.join(SITES, "realtime_hooks", "realtime_hooks.pb.js")
MIGRATIONS = os.path.join(SITES, "realtime_flow", "pb_migrations")


def _raw(port: int, path: str) -> dict:
    """A GET read to its end: status, the headers that matter, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return {"status": int(lines[0].split()[1]), "length": headers.get("content-length"), "body": body.decode()}


def _flow(port: int) -> dict:
    def post(path, body):
        answer = request("127.0.0.1", port, "POST", path, json.dumps(body), {"Content-Type": "application/json"})
        return [answer.status, answer.body.decode()]

    out = {}
    post("/api/rtmode", {"mode": "refuse"})
    out["refused"] = _raw(port, "/api/realtime")
    post("/api/rtmode", {"mode": "throw"})
    out["thrown"] = _raw(port, "/api/realtime")
    post("/api/rtmode", {"mode": ""})
    client = SseClient(port)
    first = client.event()
    out["connect"] = first["event"]
    cid = first["id"]
    subscribe = lambda topics: post("/api/realtime", {"clientId": cid, "subscriptions": topics})  # noqa: E731
    out["sub forbidden"] = subscribe(["forbidden"])
    out["sub quiet"] = subscribe(["quiet", "a"])
    out["after quiet"] = post("/api/rtsend", {"client": cid, "name": "x0", "data": "d0"})
    out["x0"] = client.event()["data"]
    out["sub posts"] = subscribe(["posts/*", "drop", "change", "rename", "x"])
    events = []
    for name in ("drop", "change", "rename", "x"):
        out["send " + name] = post("/api/rtsend", {"client": cid, "name": name, "data": "d-" + name})
    for _ in range(3):
        event = client.event()
        events.append([event["event"], event["data"]])
    ids = {}
    for title in ("hideme", "secret", "custom", "boom", "plain"):
        ids[json.loads(post("/api/rtcreate", {"title": title})[1])["id"]] = title
        if title != "boom":
            event = client.event()
            events.append([event["event"], event["data"]])
    client.close()
    out["events"] = events
    out["log"] = json.loads(request("127.0.0.1", port, "GET", "/api/rtlog").body)
    text = json.dumps(out, sort_keys=True)
    for rid, title in ids.items():
        text = text.replace(rid, "ID-" + title)
    return json.loads(re.sub(r'"pbc_\d+"', '"COLLECTION"', text))


def _folder(tmp_path_factory, name: str) -> str:
    folder = tmp_path_factory.mktemp(name) / "site"
    os.makedirs(folder / "pb_hooks")
    shutil.copy(HOOKS, folder / "pb_hooks")
    shutil.copytree(MIGRATIONS, folder / "pb_migrations")
    return str(folder)


@pytest.fixture(scope="module")
def binary(tmp_path_factory):
    folder = _folder(tmp_path_factory, "pb")
    pb = PocketBase(folder, hooks={"realtime_hooks.pb.js": open(HOOKS, encoding="utf-8").read()},
                    migrations=os.path.join(folder, "pb_migrations"))
    try:
        return _flow(pb.port)
    finally:
        pb.stop()


def test_the_binary_fires_the_realtime_hooks_as_pinned(binary):
    assert binary["refused"] == {"status": 200, "length": "0", "body": ""}
    assert binary["thrown"]["status"] == 400 and json.loads(binary["thrown"]["body"])["message"] == "No stream for you."
    assert binary["sub forbidden"][0] == 403 and binary["sub quiet"] == [200, ""] and binary["sub posts"] == [204, ""]
    assert json.loads(binary["send x"][1]) == {"extra": True, "quiet": False}
    assert [e[0] for e in binary["events"]] == ["change", "renamed", "x"] + ["posts/*"] * 4
    hidden, unhidden, custom = (json.loads(e[1])["record"] for e in binary["events"][3:6])
    assert "title" not in hidden and unhidden["secret"] == "s" and custom["extra"] == 7
    enrich = [n for n in binary["log"] if n["hook"] == "enrich"]
    assert {n["ctx"] for n in enrich} == {"realtime"} and len(enrich) == 5
    assert {n["type"] for n in binary["log"] if n["hook"] == "message"} == {"object"}


def test_pagesvm_fires_the_realtime_hooks_as_pocketbase(binary, tmp_path_factory):
    folder = _folder(tmp_path_factory, "pagesvm")
    server = start_server(folder, "--workers", "1", data_dir=os.path.join(folder, "pb_data"))
    try:
        ours = _flow(server.port)
    finally:
        server.stop()
    binary = json.loads(json.dumps(binary))  # the module's fixture stays as the binary answered
    binary["thrown"].pop("length"), ours["thrown"].pop("length")
    for side in (binary, ours):  # a hook route's JSON object: the binary writes its keys in no fixed order
        for name in [k for k in side if k.startswith("send ") or k == "after quiet"]:  # /api/rtsend's answers
            side[name] = [side[name][0], json.loads(side[name][1])]
    assert ours == binary
