"""The official JS SDK (node) stays subscribed across pagesvm's worker changes: after SIGHUP (the old worker's
streams end) and after the worker holding its stream is SIGKILLed, it reconnects to a worker still serving, gets
a new client id, sends its subscriptions again (POST /api/realtime) and receives the events after that."""
from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import threading

import pytest

from tests.helpers import SITES, node_sdk, wait_for
from tests.realtime.serve_helpers import create_post, serve_flow, workers
from tests.realtime.test_realtime_transcript import eventsource_modules

SCRIPT = os.path.join(SITES, "realtime_flow", "reconnect.mjs")


class SdkClient:
    """reconnect.mjs running: its JSON lines read as they come."""

    def __init__(self, base_url: str):
        node, sdk = node_sdk()
        self.proc = subprocess.Popen([node, SCRIPT, base_url, sdk, eventsource_modules(node)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: queue.Queue = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def next(self, key: str, timeout: float = 15.0):
        """The value of the next line holding ``key`` (others are skipped)."""
        while True:
            line = self.lines.get(timeout=timeout)
            if key in line:
                return line[key]

    def stop(self):
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _server_sockets(server) -> set:
    """The inodes of the established connections on the server's side of its port."""
    inodes = set()
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            parts = line.split()
            if int(parts[1].split(":")[1], 16) == server.port and parts[3] == "01":
                inodes.add(f"socket:[{parts[9]}]")
    return inodes


def _stream_owner(server) -> int | None:
    """The worker holding the SDK's stream: once --idle-timeout closed its idle keep-alive connection, the stream
    (which that timeout does not close) is the one connection left on the server's port."""
    assert wait_for(lambda: len(_server_sockets(server)) == 1, timeout=10)
    inodes = _server_sockets(server)
    for pid in workers(server):
        try:
            if any(os.readlink(f"/proc/{pid}/fd/{fd}") in inodes for fd in os.listdir(f"/proc/{pid}/fd")):
                return pid
        except OSError:
            continue
    return None


def _subscriptions_posted(server) -> int:
    return server.log.count("POST /api/realtime 204")


@pytest.fixture
def sdk_on_two_workers(tmp_path):
    server = serve_flow(tmp_path, "--workers", "2", "--idle-timeout", "1")
    client = SdkClient(server.url)
    try:
        yield server, client
    finally:
        client.stop()
        server.stop()


def _event_arrives(server, client, title):
    create_post(server, title)
    assert client.next("post") == title


def _an_event_arrives(server, client, title, tries=10):
    """A post made while the SDK is subscribed reaches it: one made while it is between two streams is lost (as on
    PocketBase), so another is made after each wait, and the SDK must report one of them."""
    for n in range(tries):
        create_post(server, f"{title} {n}")
        try:
            got = client.next("post", timeout=2)
        except queue.Empty:
            continue
        assert got.startswith(title)
        return
    pytest.fail(f"no post reached the SDK in {tries} tries\n{server.log[-2000:]}")


def _subscribed(server, client) -> tuple[str, int]:
    """(the SDK's first client id, subscription requests so far) once it is subscribed and gets events."""
    first = client.next("connect")
    client.next("subscribed")
    _event_arrives(server, client, "before")
    return first, _subscriptions_posted(server)


def test_the_sdk_resubscribes_after_a_reload(sdk_on_two_workers):
    server, client = sdk_on_two_workers
    first, posted = _subscribed(server, client)
    old = set(workers(server))
    server.proc.send_signal(signal.SIGHUP)
    second = client.next("connect", timeout=30)
    assert second != first
    assert wait_for(lambda: _subscriptions_posted(server) > posted, timeout=10), server.log[-2000:]
    # The reload replaces the workers one slot at a time: the SDK may first reach an old worker not yet told to
    # drain, and reconnect once more when it is. Once every old worker is gone, its stream stays where it is.
    assert wait_for(lambda: not old & set(workers(server)), timeout=30)
    _an_event_arrives(server, client, "after the reload")


def test_the_sdk_resubscribes_after_its_worker_is_killed(sdk_on_two_workers):
    server, client = sdk_on_two_workers
    first, posted = _subscribed(server, client)
    pid = _stream_owner(server)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    second = client.next("connect", timeout=30)
    assert second != first
    assert wait_for(lambda: _subscriptions_posted(server) > posted, timeout=10), server.log[-2000:]
    _event_arrives(server, client, "after the kill")
