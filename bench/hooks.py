"""In-process hook-route benchmark (no sockets): CPU µs per request through the real pipeline.

    python bench/hooks.py [--rounds 25] [--tree PATH]

Serves bench/hooks_project the way a worker does (routing, the hook's JavaScript, the response), one evaluation
per request, and prints the least CPU time per request over ``--rounds`` rounds of 100 requests (the least is
the one other work on the machine disturbed least). ``--tree`` measures another checkout of pagesvm (a git
worktree of an older commit) on the same project, for a before/after. Rows:

* json      — bench.pb.js's `routerAdd` JSON route (20 items), a file of two routes
* many      — a route of many.pb.js, a file of 41 routes (40 behind `$apis.requireAuth()`)
* template  — bench.pb.js's `$template` page (100 escaped items)
* 404       — a URL no route has: every route is tried, then pb_public, then PocketBase's JSON 404
* public    — a file of `pb_public/` (a stylesheet), served after every route was tried
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "hooks_project")
ROWS = [("json", "/api/bench/json", 200), ("many", "/api/many/open/abc", 200), ("template", "/bench/template", 200),
        ("404", "/api/nothing/here", 404), ("public", "/app.css", 200)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--tree", default=os.path.dirname(HERE), help="the pagesvm checkout to measure")
    args = parser.parse_args()
    tree = os.path.abspath(args.tree)
    sys.path.insert(0, tree)
    with tempfile.TemporaryDirectory(prefix="pagesvm-bench-hooks-") as data:
        measure(tree, data, args.rounds)


def measure(tree: str, data: str, rounds: int) -> None:
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    from runtime.http.build import build_runtime
    from runtime.http.loopback import _Capture as Capture  # what the pipeline answers through, keeping the response
    from runtime.render.executor import RenderQueue
    from runtime.render.limits import RequestLimits

    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", PROJECT, "--data", data], cwd=tree,
                   check=True, capture_output=True)
    runtime, _ = build_runtime(PROJECT, data_dir=data)
    # Each request rendered as it is served (no batching, no time limit): the same work every time.
    runtime.queue = RenderQueue(runtime.queue.engine, RequestLimits(0, watchdog=False), runtime.answer, immediate=True)

    def one(path: str):
        headers = HTTPHeaders({"Host": "127.0.0.1:8090", "Accept": "application/json"})
        request = HTTPServerRequest(headers=headers, body=b"", start_line=RequestStartLine("GET", path, "HTTP/1.1"))
        request.protocol, request.remote_ip = "http", "127.0.0.1"
        capture = Capture(request)
        runtime.serve(capture)
        return capture.response

    import runtime.http as measured

    print(f"pagesvm at {os.path.dirname(os.path.dirname(os.path.dirname(measured.__file__)))}: CPU µs per request, in-process, least of {rounds} rounds of 100")
    for name, path, status in ROWS:
        response = one(path)
        if response is None or response.status != status:
            raise SystemExit(f"{path}: expected {status}, got {response and response.status}")
        best = float("inf")
        for _ in range(rounds):
            start = time.process_time()
            for _ in range(100):
                one(path)
            best = min(best, (time.process_time() - start) / 100)
        print(f"{name:10} {path:22} {best * 1e6:9.1f}")


if __name__ == "__main__":
    main()
