"""The baseline for bench/run.py: plain Tornado rendering the bench pages with its own templates.

Same markup and data as bench/site: a hello page, a 100-item escaped list inside a
layout (anonymous, or signed in with a signed cookie), and a page reading an
environment variable from Python. One process, one core; with ``--processes N``, N processes forked
the way Tornado documents, each listening on its own SO_REUSEPORT socket (one socket shared by all
lets one process take every connection: no faster than one process, measured), for bench/run.py's
scaling rows.
"""
from __future__ import annotations

import argparse
import ctypes
import os
import signal

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.process
import tornado.template
import tornado.web

SECRET = "bench-only-secret"
TEMPLATES = tornado.template.DictLoader({
    "hello.html": ("<!doctype html>\n<html><head><title>Hello</title></head>\n"
                   "<body><h1>Hello, {{ name }}!</h1></body></html>\n"),
    "binding.html": ("<!doctype html>\n<html><head><title>Binding</title></head>\n"
                     "<body><p>Greeting from Python: {{ greeting }}</p></body></html>\n"),
    "layout.html": """<!doctype html>
<html>
<head><title>{% block title %}Shop{% end %}</title></head>
<body>
<header><nav><a href="/">Home</a> <a href="/list">Items</a></nav>
{% if user %}<p class="user">Signed in as {{ user }}</p>{% else %}<p class="user">Not signed in</p>{% end %}
</header>
<main>{% block main %}{% end %}</main>
<footer>&copy; bench</footer>
</body>
</html>
""",
    "list.html": """{% extends "layout.html" %}{% block title %}Items{% end %}{% block main %}<h1>Items</h1>
<ul class="items">
{% for item in items %}
  <li><a href="/items/{{ item['id'] }}" title="{{ item['note'] }}">{{ item['name'] }}</a> <span class="price">{{ item['price'] }}</span></li>
{% end %}
</ul>
{% end %}""",
})


def items() -> list[dict]:
    return [{"id": i, "name": f'Item <{i}> & "friends"', "note": f"it's #{i}", "price": f"{i * 1.25:.2f}"}
            for i in range(100)]


class Hello(tornado.web.RequestHandler):
    def get(self):
        self.write(TEMPLATES.load("hello.html").generate(name=self.get_argument("name", "world")))


class ListPage(tornado.web.RequestHandler):
    def get(self):
        user = self.get_signed_cookie("user")
        self.write(TEMPLATES.load("list.html").generate(items=items(), user=user.decode() if user else None))


class Binding(tornado.web.RequestHandler):
    def get(self):
        self.write(TEMPLATES.load("binding.html").generate(greeting=os.environ.get("BENCH_GREETING", "")))


class Login(tornado.web.RequestHandler):
    def get(self):
        self.write(self.create_signed_value("user", "bench@example.com").decode())


class BenchJson(tornado.web.RequestHandler):
    """bench/hooks_project's `routerAdd` JSON route, as a Tornado handler (bench/versus.py's floor row)."""

    def get(self):
        items = [{"id": i, "name": f"item {i}", "price": i * 1.25} for i in range(20)]
        self.write({"ok": True, "count": len(items), "items": items})


def make_app() -> tornado.web.Application:
    return tornado.web.Application([("/hello", Hello), ("/list", ListPage), ("/binding", Binding),
                                    ("/login", Login), ("/api/bench/json", BenchJson)], cookie_secret=SECRET)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8091)
    parser.add_argument("--processes", type=int, default=1, help="serve from this many forked processes")
    args = parser.parse_args()
    if args.processes == 1:
        make_app().listen(args.port, "127.0.0.1")
    else:
        tornado.process.fork_processes(args.processes)
        # A child outlives a parent stopped by SIGTERM unless told otherwise (Linux: PR_SET_PDEATHSIG).
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
        server = tornado.httpserver.HTTPServer(make_app())
        server.add_sockets(tornado.netutil.bind_sockets(args.port, "127.0.0.1", reuse_port=True))
    print(f"listening on http://127.0.0.1:{args.port}", flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
