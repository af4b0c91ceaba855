"""The control channel between the supervisor and one worker: a socket pair made per worker, carrying
one JSON object per line. The worker reports its cron table once it serves (``{"jobs": [[id, expr,
file], …]}``) and the end of each run (``{"done": id, "outcome": …}``); the supervisor sends
``{"run": id}``. Plain Python on both sides: the supervisor imports this, never an interpreter."""
from __future__ import annotations

import json
import socket


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

    def read(self) -> list[dict]:
        """The whole messages readable now (call when the socket is readable)."""
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return []
        except OSError:
            data = b""
        if not data:
            self.closed = True
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
