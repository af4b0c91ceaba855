"""Attack on c4d5d29 (the access lines of a turn flushed once, by ``call_soon``): a page answered from the time
limit's alarm while a slower page of its batch still runs (executor.py send_held) had its access line written
into stdout's buffer, to be flushed when the batch's turn ends. Had the worker died before (the CPU watchdog's
SIGPROF, a kill), the client had its answer and the log never said so; before c4d5d29 the line was out at once.
"""
import asyncio
import io
import os
import signal
import socket
import time

from runtime.http.logline import WorkerHandler
from tests.helpers import start_server, wait_for, write_site

PAGES = {
    "block.ejs": "<% const t = Date.now(); while (Date.now() - t < 600) {} %>block",
    "fast.ejs": "fast",
    "held.ejs": "held",
    "slow.ejs": "<% const t = Date.now(); while (Date.now() - t < 8000) {} %>slow",
}


def _worker_of(supervisor: int) -> int:
    with open(f"/proc/{supervisor}/task/{supervisor}/children") as f:
        children = [int(pid) for pid in f.read().split()]
    assert len(children) == 1, children
    return children[0]


def _send(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    return sock


def test_a_held_answer_is_logged_before_its_batch_goes_on(tmp_path):
    site = write_site(tmp_path / "site", PAGES)
    # stdout block-buffered, as a service's is (PYTHONUNBUFFERED would write every line through)
    server = start_server(site, "--workers", "1", "--timeout", "30", data_dir=str(tmp_path / "data"),
                          env={"PYTHONUNBUFFERED": ""})
    try:
        assert server.get("/fast").text == "fast"  # the worker's limits (and its watchdog) are installed
        worker = _worker_of(server.proc.pid)
        blocker = _send(server.port, "/block")
        time.sleep(0.2)  # the worker is in /block's evaluation: the next two arrive together, one batch
        fast, slow = _send(server.port, "/held"), _send(server.port, "/slow")
        fast.settimeout(5)
        answer = b""
        while b"held" not in answer:
            chunk = fast.recv(4096)
            assert chunk, answer
            answer += chunk
        time.sleep(0.3)  # /slow still runs: the worker is in the middle of the batch
        os.kill(worker, signal.SIGPROF)  # what the CPU watchdog sends (limits.py): default action, the end
        assert wait_for(lambda: "Fatal Python error" in server.log or "SIGPROF" in server.log
                        or not os.path.exists(f"/proc/{worker}/status"), 5)
        time.sleep(0.3)
        lines = server.log.splitlines()
        assert any("GET /block 200" in line for line in lines), server.log
        assert any("GET /held 200" in line for line in lines), server.log  # the held answer's line
        for sock in (blocker, fast, slow):
            sock.close()
    finally:
        server.stop()


class _Raw(io.RawIOBase):
    """A pipe's end: records the size of each write the buffered stream makes."""

    def __init__(self):
        self.writes = []

    def writable(self):
        return True

    def write(self, data):
        self.writes.append(len(data))
        return len(data)



def test_lines_of_one_turn_leave_in_writes_a_pipe_keeps_whole():
    """Workers share stdout (a pipe): a write of at most PIPE_BUF bytes is never interleaved with another
    worker's, a longer one may be once the pipe is full. Each line was its own write; a turn's lines must not
    go as one write longer than that."""
    raw = _Raw()
    stream = io.TextIOWrapper(io.BufferedWriter(raw), encoding="utf-8")
    handler = WorkerHandler(stream)

    async def turn():
        for i in range(200):
            handler.write_access(20, ("127.0.0.1", "GET", f"/page/{i}", 200, 1.25))
        await asyncio.sleep(0)
        await asyncio.sleep(0)

    asyncio.run(turn())
    assert sum(raw.writes) > 200 * 60
    assert max(raw.writes) <= 4096, raw.writes  # PIPE_BUF on Linux
