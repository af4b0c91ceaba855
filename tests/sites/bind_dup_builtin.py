"""Registers the built-in `redirect` again without override=True."""
from bindings import binding


@binding("redirect")
def my_redirect(ctx, path):
    return path
