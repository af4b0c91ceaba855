"""Realtime across workers: the supervisor's part, passing what one worker's broker posts to the others.

Each worker's broker (runtime/realtime/broker.py) delivers its own payloads to its own clients at once and posts
over its control channel only what concerns another worker's clients; the hub passes it on, so nothing is
delivered twice and the sender never waits for the supervisor. Messages (JSON, runtime/serve/control.py):

* ``{"rt": payload}``: a payload to deliver (a record write, a topic or client message, an act on a client):
  passed to every other worker, or, when it names a client (``payload["client"]``), to that client's owner only;
* ``{"rtc": entry}``: a client of the sender connected or changed (directory.py's entry): kept, passed on;
* ``{"rtc_gone": id}``: that client left: forgotten, passed on.

The hub keeps every worker's entries, so a worker that joins (a replacement, a reload's new worker) is told of
all the clients at once, and a worker that exits (killed mid-stream, drained) has its clients announced gone to
the others: its own clients lose their streams and reconnect (the SDK does), nobody else notices.
Everything stays on the supervisor's control channels (socket pairs), never on a network socket.

A worker here is any hashable the supervisor uses for one; ``post(worker, message)`` is its way to write.
"""
from __future__ import annotations


class RealtimeHub:
    def __init__(self, post):
        self.post = post
        self.entries: dict = {}  # worker -> {client id: entry}
        self.owner: dict = {}  # client id -> worker

    def joined(self, worker) -> None:
        """A new worker is on the fan-out: tell it of every other worker's clients."""
        self.entries.setdefault(worker, {})
        for other, entries in self.entries.items():
            if other is not worker:
                for entry in entries.values():
                    self.post(worker, {"rtc": entry})

    def left(self, worker) -> None:
        """A worker exited (or its channel closed): its clients are gone for the others."""
        entries = self.entries.pop(worker, None) or {}
        for client_id in entries:
            self.owner.pop(client_id, None)
            self._others(worker, {"rtc_gone": client_id})

    def received(self, worker, message: dict) -> bool:
        """Pass on one realtime message of ``worker``'s; False when it is none of the hub's business."""
        if "rt" in message:
            payload = message["rt"]
            target = payload.get("client") if isinstance(payload, dict) else None
            if target is not None:
                owner = self.owner.get(target)
                if owner is not None and owner is not worker:
                    self.post(owner, message)
            else:
                self._others(worker, message)
        elif isinstance(message.get("rtc"), dict) and isinstance(message["rtc"].get("id"), str):
            client_id = message["rtc"]["id"]
            self.entries.setdefault(worker, {})[client_id] = message["rtc"]
            self.owner[client_id] = worker
            self._others(worker, message)
        elif isinstance(message.get("rtc_gone"), str):
            client_id = message["rtc_gone"]
            if self.entries.get(worker, {}).pop(client_id, None) is not None:
                self.owner.pop(client_id, None)
                self._others(worker, message)
        else:
            return False
        return True

    def _others(self, worker, message: dict) -> None:
        for other in list(self.entries):
            if other is not worker:
                self.post(other, message)

    def total(self) -> int:
        return len(self.owner)
