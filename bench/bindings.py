"""Micro-benchmark: what a Python binding call costs a page (in-process, no HTTP).

    python bench/bindings.py [--rounds N]

Renders pages through the real Engine (one evaljs per page, as in a request) and prints:
the cost of one synchronous binding call (µs), and the cost of a page making 100 calls
plainly, with ``cache=True`` (same arguments), and with ``defer=True``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bindings import binding  # noqa: E402
from bindings.context import Context, RequestInfo, ResponseEffects  # noqa: E402
from runtime.render.engine import Engine  # noqa: E402
from runtime.render.site import Site  # noqa: E402


@binding("bench.add")
def add(ctx, a, b):
    """Plain: one round trip per call."""
    return a + b


@binding("bench.price", cache=True)
def price(ctx, item):
    """Pure: memoised per request."""
    return {"item": item, "price": 2.5}


@binding("bench.rate", cache=True)
def rate(ctx, currency):
    """Pure, returning a number."""
    return 1.1


@binding("bench.note", defer=True)
def note(ctx, text):
    """Fire-and-forget: queued, sent with the next call."""


PAGES = {
    "empty.ejs": "<% let s = 0 %><%= s %>",
    "cachednum100.ejs": "<% let s = 0; for (let i = 0; i < 100; i++) s += bench.rate('USD') %><%= s %>",
    "plain100.ejs": "<% let s = 0; for (let i = 0; i < 100; i++) s += bench.add(i, 1) %><%= s %>",
    "cached100.ejs": "<% let s = 0; for (let i = 0; i < 100; i++) s += bench.price('tea').price %><%= s %>",
    "deferred100.ejs": "<% for (let i = 0; i < 100; i++) bench.note('n' + i) %><%= bench.add(1, 1) %>",
    "kw100.ejs": "<% let s = 0; for (let i = 0; i < 100; i++) s += bench.price('tea' + i).price %><%= s %>",
}


def make_engine(root: str) -> Engine:
    for name, text in PAGES.items():
        with open(os.path.join(root, name), "w", encoding="utf-8") as f:
            f.write(text)
    engine = Engine(Site(root))
    info = RequestInfo("GET", "/", "/", {}, {}, {}, None)
    engine.ctx = Context(request=info, response=ResponseEffects(), data_dir=root, site=root)
    return engine


def per_page_us(engine: Engine, page: str, rounds: int) -> float:
    engine.render_file(page)  # compile once
    best, batch = float("inf"), max(1, rounds // 20)
    for _ in range(20):  # the fastest batch: least disturbed by other work on the machine
        start = time.perf_counter()
        for _ in range(batch):
            engine.render_file(page)
        best = min(best, (time.perf_counter() - start) / batch)
    return best * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        engine = make_engine(root)
        t = {name[:-4]: per_page_us(engine, name, args.rounds) for name in PAGES}
    result = {
        "empty_page_us": round(t["empty"], 1),
        "per_call_plain_us": round((t["plain100"] - t["empty"]) / 100, 2),
        "page_100_plain_us": round(t["plain100"], 1),
        "page_100_cached_same_args_us": round(t["cached100"], 1),
        "page_100_cached_number_us": round(t["cachednum100"], 1),
        "page_100_cached_distinct_args_us": round(t["kw100"], 1),
        "page_100_deferred_us": round(t["deferred100"], 1),
    }
    if args.json:
        print(json.dumps(result))
        return
    print(f"empty page                          {result['empty_page_us']:>9.1f} µs")
    print(f"per call, 100 plain calls           {result['per_call_plain_us']:>9.2f} µs")
    print(f"page with 100 plain calls           {result['page_100_plain_us']:>9.1f} µs   (100 round trips)")
    print(f"page with 100 cache=True calls      {result['page_100_cached_same_args_us']:>9.1f} µs   (same args: 1 round trip)")
    print(f"  … returning a number              {result['page_100_cached_number_us']:>9.1f} µs   (same args: 1 round trip)")
    print(f"  … with 100 distinct arguments     {result['page_100_cached_distinct_args_us']:>9.1f} µs   (100 round trips)")
    print(f"page with 100 defer=True calls      {result['page_100_deferred_us']:>9.1f} µs   (queued: 1 round trip)")


if __name__ == "__main__":
    main()
