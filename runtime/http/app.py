"""Tornado glue: ``page_rules`` (mount a site inside an existing Tornado application),
``create_app`` (the site alone as an Application) and ``build_runtime`` (what both, and
``pagesvm serve``'s workers, are built on)."""
from __future__ import annotations

import re

import tornado.web

from .admission import Admission
from .build import PACKAGE_PAGES, build_runtime  # noqa: F401 - PACKAGE_PAGES: where the bundled site lives
from .connection import log_request
from .pipeline import PagesRuntime
from .response import Refusal, Response, has_body


@tornado.web.stream_request_body
class PageHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")

    def initialize(self, runtime: PagesRuntime, admission: Admission | None = None):
        self.runtime = runtime
        self.admission = admission or Admission()
        self._chunks: list[bytes] = []

    def prepare(self):
        # Streaming the body lets a too-large upload be refused (413) before it is read.
        self.admission.enter(self)
        try:
            self.admission.check(self.request)
        except Refusal as e:
            self.runtime.refuse(self, e.status, e.reason)

    def on_finish(self) -> None:
        self.admission.leave(self)

    def on_connection_close(self) -> None:
        self.admission.leave(self)

    def data_received(self, chunk: bytes) -> None:
        self._chunks.append(chunk)

    def _serve(self, *args, **kwargs):
        if self._chunks:
            self.request.body = b"".join(self._chunks)
            self._chunks = []
        job = self.runtime.serve(self)  # a page waits for the interpreter's next turn
        return job.waiter() if job is not None else None

    get = head = post = put = patch = delete = options = _serve

    def send(self, response: Response) -> None:
        """Apply the pipeline's answer; RequestHandler.finish adds Content-Length, drops a HEAD
        answer's body and the representation headers of a 204/304 itself."""
        for value in response.cookies:
            self.add_header("Set-Cookie", value)
        for name, value in response.headers:
            self.set_header(name, value)
        self.set_status(response.status)
        self.finish(response.body if has_body(response.status) else None)

    def compute_etag(self):
        return None if self.request.method != "GET" else super().compute_etag()

    def check_xsrf_cookie(self):  # pagesvm's own cross-site guard runs in the pipeline
        return None


def page_rules(site: str | None = None, *, prefix: str = "", extensions=(), **options) -> list:
    """Tornado rules serving ``site`` under ``prefix`` (e.g. "/shop"), to add to any Application.

    ``extensions``: modules or ``.py`` files whose bindings pages may call (like ``--ext``).
    Other options are the fields of ``settings.AppSettings`` (the CLI flags, with their defaults):
    data_dir, debug (``dev`` also works), max_output, max_fields, timeout, auth_ttl; ``registry``
    takes a ``bindings.Registry``.
    """
    runtime, admission = build_runtime(site, prefix=prefix, extensions=extensions, **options)
    pattern = re.escape(runtime.prefix) + r"(?:/.*)?" if runtime.prefix else r"/.*"
    return [tornado.web.url(pattern, PageHandler, {"runtime": runtime, "admission": admission})]


def create_app(site: str | None = None, *, extensions=(), **options) -> tornado.web.Application:
    """The site as a Tornado Application (``pagesvm serve`` serves the same pipeline through the
    leaner ``runtime.http.connection``); options mirror the CLI flags."""
    return tornado.web.Application(page_rules(site, extensions=extensions, **options), log_function=log_request)
