"""In-process render benchmark (no HTTP): µs per request through Router + Engine.

    python bench/render.py [--n 2000]

Each request does what the pipeline does for a page: route_units (file signatures) then
one Engine.render with a browser-like payload (headers, cookies, query). The last column is
the cost per request when 32 requests share one evaluation (Engine.render_batch), as they
do when a loaded worker renders the pages that arrived together. Scenarios:

* trivial   — one small page, one escaped value
* list100   — +load.js returns 100 items whose names contain & < > " ', rendered as an
              escaped list inside a +layout.ejs
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bindings import builtins  # noqa: E402
from runtime.render.engine import Engine  # noqa: E402
from runtime.render.router import Router  # noqa: E402
from runtime.render.site import Site  # noqa: E402

FILES = {
    "trivial.ejs": "<h1>Hello <%= params.name %></h1>\n",
    "+layout.ejs": (
        "<!doctype html>\n<html><head><title><%= meta('title') || 'Shop' %></title></head>\n"
        "<body>\n<nav><a href=\"/\">Home</a></nav>\n<main><%- slot %></main>\n</body></html>\n"
    ),
    "list/+load.js": (
        "module.exports = (api) => {\n"
        "  const items = []\n"
        "  for (let i = 0; i < 100; i++) {\n"
        "    items.push({ id: i, name: `Item ${i} & <Co> \"quoted\" 'single'`, price: i * 1.25 })\n"
        "  }\n"
        "  return { items }\n"
        "}\n"
    ),
    "list/index.ejs": (
        "<% meta('title', 'Items & more') %>\n<h1><%= data.items.length %> items</h1>\n<ul>\n"
        "<% data.items.forEach(function (item) { -%>\n"
        "  <li id=\"item-<%= item.id %>\"><%= item.name %> — $<%= item.price.toFixed(2) %></li>\n"
        "<% }) -%>\n</ul>\n"
    ),
}

HEADERS = {
    "host": "127.0.0.1:8090",
    "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    "accept-language": "en-GB,en;q=0.9",
    "accept-encoding": "gzip, deflate, br",
    "connection": "keep-alive",
    "upgrade-insecure-requests": "1",
    "sec-fetch-dest": "document",
    "sec-fetch-mode": "navigate",
    "sec-fetch-site": "same-origin",
    "cookie": "theme=dark; pb_consent=1; _ga=GA1.1.123456789.1700000000",
}
BATCH = 32  # requests per evaluation in the batched column (bench/run.py uses 32 connections)
COOKIES = {"theme": "dark", "pb_consent": "1", "_ga": "GA1.1.123456789.1700000000"}


def make_site() -> str:
    root = tempfile.mkdtemp(prefix="pagesvm-bench-")
    for rel, text in FILES.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return root


def make_payload(router: Router, path: str, query: dict) -> dict:
    match = router.match(path, "GET")
    route = {"page": match.file, "kind": match.route.kind, "middlewares": match.middlewares,
             "loaders": match.loaders, "layouts": match.layouts, "params": {**query, **match.params}}
    url = path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
    request = {"method": "GET", "url": url, "host": HEADERS["host"], "headers": HEADERS, "cookies": COOKIES, "body": None}
    return {"route": route, "request": request, "auth": None, "data": {}}


def request_once(engine: Engine, router: Router, path: str, query: dict) -> tuple[str, float, float, int]:
    """One request: (body, µs in route_units, µs in render, payload bytes)."""
    t0 = time.perf_counter()
    payload = make_payload(router, path, query)
    payload["units"] = engine.route_units(payload["route"])
    t1 = time.perf_counter()
    result = engine.render(payload)
    t2 = time.perf_counter()
    if result.get("error"):
        raise SystemExit(f"{path} failed: {engine.locate_error(result['error'])}")
    size = len(json.dumps({"p": payload}, ensure_ascii=False).encode("utf-8"))
    return result["body"], (t1 - t0) * 1e6, (t2 - t1) * 1e6, size


def bench(engine, router, path, query, n):
    for _ in range(min(200, n)):  # warm up: compile, JIT-free but caches filled
        request_once(engine, router, path, query)
    totals, prep, run = [], [], []
    for _ in range(n):
        t = time.perf_counter()
        _, p, r, size = request_once(engine, router, path, query)
        totals.append((time.perf_counter() - t) * 1e6)
        prep.append(p)
        run.append(r)
    body = request_once(engine, router, path, query)[0]
    return {"median": statistics.median(totals), "mean": statistics.fmean(totals),
            "p95": sorted(totals)[int(0.95 * len(totals))], "units": statistics.median(prep),
            "render": statistics.median(run), "payload": size, "body": len(body),
            "batched": bench_batched(engine, router, path, query, n)}


def bench_batched(engine, router, path, query, n, size=BATCH) -> float:
    """Median µs per request when ``size`` requests share one evaluation, as under load."""
    per_request = []
    for _ in range(max(3, n // size)):
        payloads = [make_payload(router, path, query) for _ in range(size)]
        t = time.perf_counter()
        for payload in payloads:
            payload["units"] = engine.route_units(payload["route"])
        engine.render_batch(payloads, lambda index, result: None)
        per_request.append((time.perf_counter() - t) * 1e6 / size)
    return statistics.median(per_request)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="requests per scenario (default 2000)")
    args = parser.parse_args()
    builtins.load()
    engine = Engine(Site(make_site()))
    router = Router(engine.site)
    rows = [("trivial", bench(engine, router, "/trivial", {"name": "<World>"}, args.n)),
            ("list100", bench(engine, router, "/list", {}, args.n))]
    print(f"{'scenario':<10} {'median µs':>10} {'mean µs':>9} {'p95 µs':>8} {'units µs':>9} {'render µs':>10} "
          f"{'payload B':>10} {'body B':>7} {'batched µs':>11}")
    for name, r in rows:
        print(f"{name:<10} {r['median']:>10.1f} {r['mean']:>9.1f} {r['p95']:>8.1f} {r['units']:>9.1f} "
              f"{r['render']:>10.1f} {r['payload']:>10} {r['body']:>7} {r['batched']:>11.1f}")
    print(f"compiles: {engine.units.compiles} (all on the first request of each page)")


if __name__ == "__main__":
    main()
