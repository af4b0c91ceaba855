"""What the realtime server tests share: a copy of the realtime_flow site served by `pagesvm serve`, the
worker processes of a server, and which worker holds a given client connection."""
from __future__ import annotations

import json
import os
import shutil

from tests.helpers import SITES, start_server


def serve_flow(tmp_path, *args):
    folder = tmp_path / "site"
    shutil.copytree(os.path.join(SITES, "realtime_flow"), folder)
    return start_server(str(folder), *args, data_dir=str(folder / "pb_data"))


def workers(server) -> list[int]:
    pid = server.proc.pid
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return [int(p) for p in f.read().split()]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def owner(server, sock) -> int | None:
    """The worker pid holding the server side of a client socket (found through /proc/net/tcp's inodes)."""
    local = sock.getsockname()[1]
    inode = None
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == server.port and int(parts[2].split(":")[1], 16) == local:
                inode = parts[9]
    for pid in workers(server):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]" for fd in os.listdir(f"/proc/{pid}/fd")):
                return pid
        except OSError:
            continue
    return None


def subscribe(server, client_id, topics):
    return server.post("/api/realtime", body=json.dumps({"clientId": client_id, "subscriptions": topics}),
                       headers={"Content-Type": "application/json"})


def shout(server, topic="posts/*", text="hi") -> int:
    """How many clients, across every worker, the site's hook route found subscribed to `topic` (and sent to)."""
    answer = server.post("/api/flow/shout", body=json.dumps({"topic": topic, "text": text}),
                         headers={"Content-Type": "application/json"})
    return json.loads(answer.body)["sent"]


def create_post(server, title):
    return server.post("/api/collections/posts/records", body=json.dumps({"title": title}),
                       headers={"Content-Type": "application/json"})
