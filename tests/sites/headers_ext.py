"""Test extension for tests/sites/headers_site: a binding that sets a cookie as told."""
from bindings import binding


@binding("hdr.cookie")
def cookie(ctx, name, value, options):
    """Set a cookie through ctx.response.set_cookie with OPTIONS."""
    ctx.response.set_cookie(name, value, **options)
    return True
