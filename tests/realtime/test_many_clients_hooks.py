"""What the realtime hooks cost: one record event delivered to 1,000 clients of one worker, once on the realtime_flow
site as it is and once with a hook file adding onRecordEnrich (posts) and onRealtimeMessageSend (both calling
e.next()). Every client gets the event either way; the two times are printed (README, "Realtime")."""
from __future__ import annotations

import os
import resource
import shutil
import time

from tests.helpers import SITES, start_server
from tests.realtime.serve_helpers import create_post
from tests.realtime.test_many_clients import _open_files, _open_streams, _read_until, _subscribe_all

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
        _open_streams(server.port, CLIENTS, socks, 60)
        _subscribe_all(server.port, socks, ["posts/*"])
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
