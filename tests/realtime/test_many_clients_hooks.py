"""What the realtime hooks cost: one record event delivered to 1,000 clients of one worker, once on the realtime_flow
site as it is and once with a hook file adding onRecordEnrich (posts) and onRealtimeMessageSend (both calling
e.next()). Every client gets the event either way; the two times are printed (README, "Realtime")."""
from __future__ import annotations

import http.client
import json
import os
import resource
import shutil
import socket
import time

from tests.helpers import SITES, start_server
from tests.realtime.serve_helpers import create_post
from tests.realtime.test_many_clients import _open_files, _read_until, _Sock

CLIENTS = 1000
HOOKS = """onRecordEnrich((e) => { e.record.withCustomData(true); e.record.set("seen", 1); e.next(); }, "posts");
onRealtimeMessageSend((e) => { e.next(); });
"""


def _deliver(tmp_path, hooks: str | None) -> float:
    """Seconds from a create's answer until all clients had the event (each checked to have got it)."""
    site = tmp_path / "site"
    shutil.copytree(os.path.join(SITES, "realtime_flow"), site)
    if hooks is not None:
        (site / "pb_hooks" / "zz_cost.pb.js").write_text(hooks)
    server = start_server(str(site), "--workers", "1", "--max-sse", str(CLIENTS), data_dir=str(site / "pb_data"))
    socks: list = []
    try:
        for _ in range(CLIENTS):
            sock = _Sock(socket.AF_INET, socket.SOCK_STREAM)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(b"GET /api/realtime HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
            socks.append(sock)
        _read_until(socks, lambda s: b"event:PB_CONNECT" in s.buffer and s.buffer.endswith(b"\n\n\r\n"), 60)
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for s in socks:
            client_id = s.buffer.split(b"id:", 1)[1].split(b"\n", 1)[0].decode()
            conn.request("POST", "/api/realtime", json.dumps({"clientId": client_id, "subscriptions": ["posts/*"]}),
                         {"Content-Type": "application/json"})
            assert conn.getresponse().read() == b""
        conn.close()
        for s in socks:
            s.buffer = b""
        wanted = b'"seen":1' if hooks else b'"title":"to all"'
        assert create_post(server, "to all").status == 200
        sent = time.monotonic()
        _read_until(socks, lambda s: wanted in s.buffer and s.buffer.endswith(b"\n\n\r\n"), 60)
        return time.monotonic() - sent
    finally:
        for s in socks:
            s.close()
        server.stop()


def test_a_record_event_to_a_thousand_clients_with_and_without_hooks(tmp_path_factory):
    before = _open_files()
    try:
        plain = _deliver(tmp_path_factory.mktemp("plain"), None)
        hooked = _deliver(tmp_path_factory.mktemp("hooked"), HOOKS)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, before)
    print(f"\none create to {CLIENTS} clients: {1000 * plain:.0f} ms without realtime hooks, {1000 * hooked:.0f} ms "
          f"with onRecordEnrich and onRealtimeMessageSend")
