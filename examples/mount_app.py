"""PocketPages-style pages inside an existing Tornado application.

    python examples/mount_app.py --port 8888
    curl localhost:8888/health      → ok (a plain Tornado handler)
    curl localhost:8888/shop/       → the example site, with the shop_ext bindings
"""
from __future__ import annotations

import argparse
import os
import sys

import tornado.httpserver
import tornado.ioloop
import tornado.netutil
import tornado.web

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # pagesvm itself, when run from a checkout
sys.path.insert(0, HERE)  # so that extensions=["shop_ext"] finds the example module

from runtime import page_rules  # noqa: E402


class Health(tornado.web.RequestHandler):
    def get(self):
        self.write("ok")


def make_app(data_dir: str = "pagesvm_data") -> tornado.web.Application:
    site = os.path.join(HERE, "site")
    return tornado.web.Application(
        [(r"/health", Health)] + page_rules(site, prefix="/shop", data_dir=data_dir, extensions=["shop_ext"]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8888)
    parser.add_argument("--data", default="pagesvm_data")
    args = parser.parse_args()
    app = make_app(args.data)
    sockets = tornado.netutil.bind_sockets(args.port, args.host)
    server = tornado.httpserver.HTTPServer(app)
    server.add_sockets(sockets)
    print(f"listening on http://{args.host}:{sockets[0].getsockname()[1]}", flush=True)
    tornado.ioloop.IOLoop.current().start()


if __name__ == "__main__":
    main()
