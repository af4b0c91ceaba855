"""pagesvm's engine: EJS compiler, interpreter, router, pipeline, Tornado app, CLI."""
from .app import create_app, page_rules

__all__ = ["create_app", "page_rules"]
