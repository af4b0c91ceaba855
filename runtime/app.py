"""Tornado glue: ``create_app`` (what ``pagesvm serve`` runs) and ``page_rules`` (mount a
site inside an existing Tornado application)."""
from __future__ import annotations

import logging
import os

import tornado.web

from .pipeline import PagesRuntime

access_log = logging.getLogger("pagesvm.access")
PACKAGE_PAGES = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pages")
DEFAULTS = {"data_dir": "pagesvm_data", "debug": False, "prefix": "", "max_output": 16 * 1024 * 1024}


class PageHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, runtime: PagesRuntime):
        self.runtime = runtime

    def _serve(self, *args, **kwargs):
        self.runtime.serve(self)

    get = head = post = put = patch = delete = options = _serve

    def compute_etag(self):
        return None if self.request.method != "GET" else super().compute_etag()

    def check_xsrf_cookie(self):  # pagesvm's own cross-site guard runs in the pipeline
        return None


def log_request(handler) -> None:
    """One line per request: method, path (no query string), status, ms. Never headers or cookies."""
    status = handler.get_status()
    level = logging.INFO if status < 500 else logging.ERROR
    access_log.log(level, "%s %s %d %.1fms", handler.request.method, handler.request.path, status,
                   1000.0 * handler.request.request_time())


def page_rules(site: str | None = None, *, prefix: str = "", extensions=(), **options) -> list:
    """Tornado rules serving ``site`` under ``prefix`` (e.g. "/shop")."""
    from .extensions import load_extensions

    load_extensions(extensions)
    settings = {**DEFAULTS, **options, "prefix": prefix.rstrip("/")}
    runtime = PagesRuntime(site or PACKAGE_PAGES, **settings)
    pattern = (settings["prefix"] or "") + r"(?:/.*)?" if settings["prefix"] else r"/.*"
    return [tornado.web.url(pattern, PageHandler, {"runtime": runtime})]


def create_app(site: str | None = None, *, extensions=(), **options) -> tornado.web.Application:
    """The whole application ``pagesvm serve`` runs; options mirror the CLI flags."""
    return tornado.web.Application(page_rules(site, extensions=extensions, **options), log_function=log_request)
