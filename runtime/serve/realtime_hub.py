"""Realtime across workers: the supervisor's part, passing what one worker's broker posts to the others.

Each worker's broker (runtime/realtime/broker.py) delivers its own payloads to its own clients at once and posts
over its control channel only what concerns another worker's clients; the hub passes it on, so nothing is
delivered twice and no delivery waits for the supervisor (only the answer of the request that sent it, see
Order below). Messages (JSON, runtime/serve/control.py):

* ``{"rt": payload}``: a payload to deliver (a record write, a topic or client message, an act on a client):
  passed to every other worker, or, when it names a client (``payload["client"]``), to that client's owner only;
* ``{"rtc": entry}``: a client of the sender connected or changed (directory.py's entry): kept, passed on;
* ``{"rtc_gone": id}``: that client left: forgotten, passed on.

Order: a request that sent payloads to other workers is answered only once they are in those workers'
channels (``{"rt": payload, "seq": n}`` from the sender is confirmed with ``{"rt_ok": n}``, once the line is
written into every target's socket, not merely queued in its Outbox). Each worker queues what its channel holds
before it queues a payload of its own for delivery (runtime/serve/worker_control.py), so a payload whose request
was answered is delivered everywhere before any payload of a request that began after that answer, as in
PocketBase's one process. Confirmations go back in each sender's order (the worker counts them as "all up to
n"); a target that exits counts as written, so a dead worker never holds the others' answers (and the
senders stop waiting after a bound of their own: a worker alive but not reading).

The hub keeps every worker's entries, so a worker that joins (a replacement, a reload's new worker) is told of
all the clients at once, and a worker that exits (killed mid-stream, drained) has its clients announced gone to
the others: its own clients lose their streams and reconnect (the SDK does), nobody else notices.
Everything stays on the supervisor's control channels (socket pairs), never on a network socket.

A worker here is any hashable the supervisor uses for one; ``post(worker, message)`` is its way to write.
"""
from __future__ import annotations

from collections import deque


class RealtimeHub:
    def __init__(self, post, outbox=None):
        self.post = post
        # worker -> its Outbox (control.py), whose ``written`` says when a line has left; None: posted is written
        self.outbox = outbox or (lambda worker: None)
        self.entries: dict = {}  # worker -> {client id: entry}
        self.owner: dict = {}  # client id -> worker
        self.unconfirmed: dict = {}  # sender -> deque of (seq, [(target, where its line ends)]) still being written

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
        self.unconfirmed.pop(worker, None)
        self.flushed()  # what waited only for its channel is confirmed

    def received(self, worker, message: dict) -> bool:
        """Pass on one realtime message of ``worker``'s; False when it is none of the hub's business."""
        if "rt" in message:
            payload = message["rt"]
            target = payload.get("client") if isinstance(payload, dict) else None
            if target is not None:
                owner = self.owner.get(target)
                targets = [owner] if owner is not None and owner is not worker else []
            else:
                targets = [other for other in self.entries if other is not worker]
            unwritten = []
            for other in targets:
                if self.post(other, message):
                    box = self.outbox(other)
                    if box is not None and box.pending:
                        unwritten.append((other, box.end))
            if isinstance(message.get("seq"), int):  # confirmed by ``flushed``, at the end of the supervisor's turn
                self.unconfirmed.setdefault(worker, deque()).append((message["seq"], unwritten))
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

    def flushed(self) -> None:
        """Confirm, in each sender's order, its payloads now written to all their targets: one ``rt_ok`` for
        the last, meaning all up to it (the supervisor calls this once a turn, after reading and writing, so a
        request that sent to many clients is confirmed once)."""
        for worker in list(self.unconfirmed):
            waiting, last = self.unconfirmed[worker], None
            while waiting and all(self._written(other, end) for other, end in waiting[0][1]):
                last = waiting.popleft()[0]
            if not waiting:
                del self.unconfirmed[worker]
            if last is not None:
                self.post(worker, {"rt_ok": last})

    def _written(self, worker, end: int) -> bool:
        box = self.outbox(worker)
        return box is None or box.closed or box.written >= end

    def _others(self, worker, message: dict) -> None:
        for other in list(self.entries):
            if other is not worker:
                self.post(other, message)

    def total(self) -> int:
        return len(self.owner)
