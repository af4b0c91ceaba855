"""HTTP throughput of pagesvm against bare Tornado on the same pages (bench/site, bench/bare_tornado.py).

    python bench/run.py [--duration 5] [--connections 32] [--out results.md] [--against REF]

Servers are pinned to core 0 and wrk to the last core (taskset). Rows: hello page,
100-item escaped list in a layout, the same list signed in, a page calling a Python
binding, pagesvm and bare Tornado served side by side and measured in turns, page by page (the
machine's load drifts over minutes, which would otherwise fall on one side only); then the list with
1 worker against N workers (all cores; wrk shares the last one), also in turns, and the same for
bare Tornado in 1 and N processes (what the machine gives any Tornado server); then pagesvm against
the real PocketBase on the same projects (bench/versus.py: 50
records with a relation expanded, a hook JSON route, a $template page; skipped with one line when
the `pocketbase` binary is absent). With
--against REF (a commit, branch or tag), the same pages are also served by
pagesvm as of REF (checked out into a temporary git worktree) beside this tree, both measured in
turns, and a before/after table compares the two. Prints one Markdown table (and writes it to --out when given). CI runs it once
with --duration 1 as a smoke test (tests/test_readme.py); the numbers come from a full run.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import versus  # noqa: E402 - bench/versus.py, beside this script

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = os.path.join(ROOT, "bench", "site")
PAGES = [("hello", "/hello", False), ("list in layout", "/list", False),
         ("list, signed in", "/list", True), ("Python binding", "/binding", False)]
ENV = {**os.environ, "BENCH_GREETING": "hi <there>"}


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    print("installing wrk (apt-get)…", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_listening(port: int, proc: subprocess.Popen, timeout: float = 30, probe: str = "/hello") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"server exited early with {proc.returncode}")
        try:  # an answer, not just a connection: pagesvm's socket listens before its workers are up
            urllib.request.urlopen(f"http://127.0.0.1:{port}{probe}", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("server did not start")


def start(cmd: list[str], port: int, cores: str, cwd: str = ROOT, probe: str = "/hello",
          env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen(["taskset", "-c", cores, *cmd], cwd=cwd, env={**ENV, **(env or {})},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_listening(port, proc, probe=probe)
    return proc


def _port_flag(port: int) -> list[str]:
    return ["--port", str(port)]


@contextlib.contextmanager
def running(cmd: list[str], cores: str, cwd: str = ROOT, probe: str = "/hello", address=_port_flag,
            env: dict | None = None):
    """A server on a free port (``address(port)``: its flags), pinned to ``cores``, answering ``probe``;
    always stopped afterwards."""
    port = free_port()
    proc = start(cmd + address(port), port, cores, cwd, probe, env)
    try:
        yield proc, f"http://127.0.0.1:{port}"
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(wrk_bin: str, url: str, seconds: float, connections: int, core: str, cookie: str | None) -> dict:
    cmd = ["taskset", "-c", core, wrk_bin, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--latency", url]
    if cookie:
        cmd[4:4] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = dict((p, _ms(v, u)) for p, v, u in re.findall(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)", out)
    return {"rps": rps, "p50": lat.get("50", 0.0), "p99": lat.get("99", 0.0), "errors": errors.group(0) if errors else ""}


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        kb = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
    return kb / 1024


def worker_pids(supervisor: subprocess.Popen) -> list[int]:
    # taskset execs the command, so the Popen pid is the supervisor itself.
    with open(f"/proc/{supervisor.pid}/task/{supervisor.pid}/children") as f:
        return [int(p) for p in f.read().split()]


def sign_in_cookie(data_dir: str) -> str:
    sys.path.insert(0, ROOT)
    from bindings.tokens import AUTH_COOKIE, auth_duration, encode_auth_cookie, issue_token
    from bindings.users import UserStore

    store = UserStore(data_dir, bcrypt_rounds=4)
    record = store.create("bench@example.com", "bench-password-1")
    token = issue_token(store.collection, record["id"], record["tokenKey"], auth_duration(store.collection))
    store.close()
    return f"{AUTH_COOKIE}={encode_auth_cookie(token, record)}"


ROUNDS = 3  # each side of a comparison (``interleaved``) is measured this many times per row, in turns


def check_signed_in(base: str, cookie: str) -> None:
    """The signed-in rows must measure a signed-in page: stop with the reason when the cookie is refused."""
    request = urllib.request.Request(base + "/list", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=10) as answer:
        if "Signed in as" not in answer.read().decode("utf-8", "replace"):
            raise SystemExit(f"bench: {base} did not take the signed-in cookie; the signed-in row would be wrong")


def cookie_for(tree: str, data_dir: str) -> str:
    """A signed-in cookie made by TREE's own bench code on its data folder."""
    code = "import sys; sys.path.insert(0, '.'); from bench.run import sign_in_cookie; print(sign_in_cookie(sys.argv[1]))"
    done = subprocess.run([sys.executable, "-c", code, data_dir], cwd=tree, capture_output=True, text=True, check=True)
    return done.stdout.strip().splitlines()[-1]


def interleaved(wrk_bin, old_base, new_base, args, core, cookies, pages=PAGES) -> tuple[list[dict], list[dict]]:
    """Two servers side by side; per page they take turns, the first to go changing each round (old, new,
    new, old, old, new), so a change in the machine's load falls on both alike. Each row is the turns'
    mean. ``cookies``: each server's signed-in cookie, by its base URL."""
    before, after = [], []
    for name, path, signed in pages:
        for base in (old_base, new_base):
            wrk(wrk_bin, base + path, 1, args.connections, core, cookies[base] if signed else None)  # warm up
        turns = {old_base: [], new_base: []}
        for turn in range(ROUNDS):
            for base in (old_base, new_base) if turn % 2 == 0 else (new_base, old_base):
                turns[base].append(wrk(wrk_bin, base + path, args.duration, args.connections, core,
                                       cookies[base] if signed else None))
        for base, rows in ((old_base, before), (new_base, after)):
            runs = turns[base]
            rows.append({"page": name, **{k: sum(r[k] for r in runs) / len(runs) for k in ("rps", "p50", "p99")},
                         "errors": " ".join(r["errors"] for r in runs if r["errors"])})
    return before, after


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement (default 5)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--out", default=None, help="also write the table to this file")
    parser.add_argument("--against", default=None, metavar="REF",
                        help="also measure pagesvm as of this git commit/branch, in the same run")
    args = parser.parse_args()
    wrk_bin = ensure_wrk()
    load_before = os.getloadavg()[0]
    cores = os.cpu_count() or 1
    last = str(cores - 1)
    data_dir = tempfile.mkdtemp(prefix="pagesvm-bench-")
    try:
        cookie = sign_in_cookie(data_dir)
        serve = serve_command(ROOT, data_dir)

        # pagesvm and bare Tornado side by side on core 0, measured in turns page by page (``interleaved``).
        with running(serve + ["--workers", "1"], "0") as (proc, base), \
                running([sys.executable, "bench/bare_tornado.py"], "0") as (bare_proc, bare_base):
            check_signed_in(base, cookie)
            bare_cookie = "user=" + subprocess.run(["curl", "-s", bare_base + "/login"], capture_output=True,
                                                   text=True).stdout
            bare, ours = interleaved(wrk_bin, bare_base, base, args, last, {base: cookie, bare_base: bare_cookie})
            rss = [rss_mib(pid) for pid in worker_pids(proc)]
            bare_rss = rss_mib(bare_proc.pid)
        before = after = None
        if args.against:
            # Each tree signs in with its own code on its own data folder: the cookie's format and the
            # users' storage may differ between them.
            old_data = tempfile.mkdtemp(prefix="pagesvm-bench-ref-data-")
            with checkout(args.against) as tree, \
                    running(serve_command(tree, old_data) + ["--workers", "1"], "0", cwd=tree) as (old, old_base), \
                    running(serve + ["--workers", "1"], "0") as (new, new_base):
                cookies = {old_base: cookie_for(tree, old_data), new_base: cookie}
                for base, value in cookies.items():
                    check_signed_in(base, value)
                before, after = interleaved(wrk_bin, old_base, new_base, args, last, cookies)
                before_rss = [rss_mib(pid) for pid in worker_pids(old)]
                after_rss = [rss_mib(pid) for pid in worker_pids(new)]
        versus_table = versus.measure(sys.modules[__name__], wrk_bin, args, last, ROUNDS)
        # One worker on core 0 against one per core, the list page, in turns as above.
        with running(serve + ["--workers", "1"], "0") as (_, one_base), \
                running(serve + ["--workers", str(cores)], f"0-{last}") as (proc, base):
            single, scaled = interleaved(wrk_bin, one_base, base, args, last, {}, pages=PAGES[1:2])
            single, scaled = single[0], scaled[0]
            rss_n = [rss_mib(pid) for pid in worker_pids(proc)]
        # The same for bare Tornado (one process per core, bench/bare_tornado.py --processes): what this
        # machine gives any Tornado server from a second core while wrk shares it.
        tornado_cmd = [sys.executable, "bench/bare_tornado.py"]
        with running(tornado_cmd, "0") as (_, one_base), \
                running(tornado_cmd + ["--processes", str(cores)], f"0-{last}") as (_, base):
            bare_single, bare_scaled = interleaved(wrk_bin, one_base, base, args, last, {}, pages=PAGES[1:2])
            scaling = (single, scaled, bare_single[0], bare_scaled[0])
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.against:
            shutil.rmtree(old_data, ignore_errors=True)

    table = render(ours, bare, rss, bare_rss, scaling, rss_n, cores, args) + versus_table
    if before:
        table += compare(before, after, args.against)
        table += (f"RSS per worker after the run, one worker: {', '.join(f'{r:.1f}' for r in before_rss)} MiB "
                  f"as of {args.against}, {', '.join(f'{r:.1f}' for r in after_rss)} MiB this tree.\n\n")
    table += (f"Load average (1 min) before/after: {load_before:.2f} / {os.getloadavg()[0]:.2f} — "
              "other processes on the machine skew the numbers; rerun when it is idle.\n")
    print(table)
    if args.out:
        with open(args.out, "w") as f:
            f.write(table)
    return 0


def serve_command(tree: str, data_dir: str) -> list[str]:
    """`pagesvm serve` of the bench site as TREE runs it (the command line moved to runtime/serve/)."""
    module = "runtime.serve.cli" if os.path.exists(os.path.join(tree, "runtime", "serve", "cli.py")) else "runtime.cli"
    return [sys.executable, "-m", module, "serve", SITE, "--data", data_dir]


@contextlib.contextmanager
def checkout(ref: str):
    """A temporary git worktree of REF (the bench site itself always comes from this tree)."""
    tree = tempfile.mkdtemp(prefix="pagesvm-bench-ref-")
    subprocess.run(["git", "worktree", "add", "-q", "--detach", tree, ref], cwd=ROOT, check=True)
    try:
        yield tree
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", tree], cwd=ROOT, check=False)
        shutil.rmtree(tree, ignore_errors=True)


def compare(before, after, ref) -> str:
    lines = [f"pagesvm as of {ref} against this tree, one worker each, served side by side and measured in turns "
             f"({ROUNDS} runs a side, mean):", "",
             f"| page | {ref} req/s | p99 ms | this tree req/s | p99 ms | after/before |",
             "|---|---:|---:|---:|---:|---:|"]
    for b, a in zip(before, after):
        lines.append(f"| {a['page']} | {b['rps']:.0f} | {b['p99']:.2f} | {a['rps']:.0f} | {a['p99']:.2f} | "
                     f"{a['rps'] / b['rps']:.2f}× |")
    return "\n".join(lines) + "\n\n"


def render(ours, bare, rss, bare_rss, scaling, rss_n, cores, args) -> str:
    """The Markdown tables; ``scaling``: the list with one worker and with ``cores``, then the same for bare
    Tornado's processes."""
    single, scaled, bare_single, bare_scaled = scaling
    lines = [
        f"pagesvm vs bare Tornado — {cores} cores ({os.uname().machine}), wrk 1 thread, {args.connections} connections; "
        f"servers pinned to core 0 side by side, wrk to core {cores - 1}; each row is the mean of {ROUNDS} turns "
        f"of {args.duration:g} s a side, the two taking turns.",
        "",
        "| page | pagesvm req/s | p50 ms | p99 ms | bare Tornado req/s | p50 ms | p99 ms | ratio |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for o, b in zip(ours, bare):
        note = f" ({o['errors']})" if o["errors"] else ""
        lines.append(f"| {o['page']}{note} | {o['rps']:.0f} | {o['p50']:.2f} | {o['p99']:.2f} | {b['rps']:.0f} | "
                     f"{b['p50']:.2f} | {b['p99']:.2f} | {o['rps'] / b['rps']:.2f}× |")
    one = single["rps"]
    lines += [
        "",
        f"RSS per worker after the run: {', '.join(f'{r:.1f}' for r in rss)} MiB (1 worker); "
        f"{', '.join(f'{r:.1f}' for r in rss_n)} MiB ({cores} workers); bare Tornado {bare_rss:.1f} MiB.",
        "",
        "| list in layout | req/s | p50 ms | p99 ms | scaling |",
        "|---|---:|---:|---:|---:|",
        f"| 1 worker (core 0) | {one:.0f} | {single['p50']:.2f} | {single['p99']:.2f} | 1.00× |",
        f"| {cores} workers (cores 0-{cores - 1}, wrk shares core {cores - 1}) | {scaled['rps']:.0f} | "
        f"{scaled['p50']:.2f} | {scaled['p99']:.2f} | {scaled['rps'] / one:.2f}× |",
        f"| bare Tornado, 1 process (core 0) | {bare_single['rps']:.0f} | {bare_single['p50']:.2f} | "
        f"{bare_single['p99']:.2f} | 1.00× |",
        f"| bare Tornado, {cores} processes (cores 0-{cores - 1}, wrk shares core {cores - 1}) | "
        f"{bare_scaled['rps']:.0f} | {bare_scaled['p50']:.2f} | {bare_scaled['p99']:.2f} | "
        f"{bare_scaled['rps'] / bare_single['rps']:.2f}× |",
        "",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
