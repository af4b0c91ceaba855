"""The control channel between the supervisor and one worker: a socket pair made per worker, carrying
one JSON object per line. The worker reports its cron table once it serves (``{"jobs": [[id, expr,
file], …]}``) and the end of each run (``{"done": id, "outcome": …}``); the supervisor sends
``{"run": id}``. Realtime rides on it too (runtime/serve/realtime_hub.py): ``{"rt": payload}``,
``{"rtc": entry}``, ``{"rtc_gone": id}`` both ways, and ``{"rt_ok": seq}`` to the worker that sent a
numbered ``rt``. Plain Python on both sides: the supervisor imports this, never an interpreter.

Both sides write through an ``Outbox``: never blocking, what the socket does not take now waits, whole
lines in order, and is written when the socket is writable again (a busy peer holds nobody up)."""
from __future__ import annotations

import json
import logging
import socket

log = logging.getLogger("pagesvm")
MAX_PENDING = 32 * 1024 * 1024  # bytes waiting for a peer that does not read; past this, messages are dropped


def send(sock: socket.socket, message: dict) -> bool:
    """Write one message; False when the other side is gone (or not reading: never block on it)."""
    try:
        sock.sendall(json.dumps(message, separators=(",", ":")).encode() + b"\n")
        return True
    except OSError:
        return False


class Reader:
    """Splits what arrives on a socket into messages; ``closed`` once the other side has gone."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.closed = False
        self._buffer = b""

    def read(self, everything: bool = False) -> list[dict]:
        """The whole messages readable now (call when the socket is readable). ``everything``: read until the
        socket has nothing more, not just what one read takes (a worker draining its channel before it
        delivers a message of its own, runtime/serve/worker_control.py)."""
        data = b""
        while not self.closed:
            try:
                chunk = self.sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                chunk = b""
            if not chunk:
                self.closed = True
                break
            data += chunk
            if not everything:
                break
        if not data:
            return []
        self._buffer += data
        *lines, self._buffer = self._buffer.split(b"\n")
        messages = []
        for line in lines:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                messages.append(message)
        return messages


class Outbox:
    """Messages to one peer, written without blocking (``flush`` when the socket is writable)."""

    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.pending = b""
        self.closed = False
        self.dropped = 0
        self.written = 0  # bytes handed to the socket so far: a line posted is written once this passes its end

    @property
    def end(self) -> int:
        """Where the last line posted ends, counted as ``written`` is."""
        return self.written + len(self.pending)

    def post(self, message: dict) -> bool:
        """Queue one message and write what the socket takes; False when it cannot go (the peer is gone or
        has read nothing for too long)."""
        if self.closed:
            return False
        line = json.dumps(message, separators=(",", ":")).encode() + b"\n"
        if len(self.pending) + len(line) > MAX_PENDING:
            if not self.dropped:
                log.error("control channel: the peer reads nothing; dropping messages")
            self.dropped += 1
            return False
        self.pending += line
        self.flush()
        return not self.closed

    def flush(self) -> bool:
        """Write what the socket takes now; True while something still waits."""
        while self.pending and not self.closed:
            try:
                sent = self.sock.send(self.pending, socket.MSG_DONTWAIT)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self.closed, self.pending = True, b""
                break
            self.pending = self.pending[sent:]
            self.written += sent
        return bool(self.pending)
