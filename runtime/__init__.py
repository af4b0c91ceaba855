"""pagesvm's engine: EJS compiler, interpreter, router, pipeline, Tornado app; the CLI is in ``runtime.serve``.

``create_app`` and ``page_rules`` load ``tornado.web`` on first use only: a worker serves
through ``runtime.http.connection`` and never needs it (about 1.7 MiB less per worker).
"""

__all__ = ["create_app", "page_rules"]


def __getattr__(name: str):
    if name in __all__:
        from .http import app

        return getattr(app, name)
    raise AttributeError(f"module 'runtime' has no attribute {name!r}")
