"""A user extension for the auth tests: what Python bindings see of the signed-in user."""
from bindings.registry import binding


@binding("pyAuth")
def py_auth(ctx):
    """The signed-in user's email as ctx.auth has it (None when signed out)."""
    return None if ctx.auth is None else {"email": ctx.auth["email"], "private": sorted(k for k in ("password", "tokenKey") if k in ctx.auth)}
