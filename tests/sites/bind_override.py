"""Replaces built-ins with override=True: a Python one (env) and a JavaScript one (stringify)."""
from bindings import binding


@binding("env", override=True)
def env(ctx, name):
    """env, replaced."""
    return f"overridden {name}"


@binding("stringify", override=True)
def stringify(ctx, value, *rest):
    """stringify, replaced by Python."""
    return "py:" + ",".join(sorted(value))
