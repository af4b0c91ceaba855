"""Steps Python leaves for runtime JavaScript to call back: one hidden binding, `pv_step.run`.

Python cannot call a JavaScript closure, so where a JavaScript chain wraps a Python action (the pb_hooks
request hooks around PocketBase's REST API, runtime/hooks/api_hooks.py) Python pushes the action on the
request's context (`push`), runs the chain (a Job or a nested evaluation), and the chain's last `e.next()`
calls `pv_step.run`, which runs the innermost action pushed with what JavaScript sends. Page code never
reaches it (hidden), and a request sees only the steps pushed on its own context.
"""
from __future__ import annotations

from .registry import BindingError, Registry

FAMILY = Registry()
_SLOT = "_pv_steps"


def push(ctx, step) -> None:
    """Make ``step(*args) -> JSON value`` the one `pv_step.run` calls, until ``pop``."""
    found = ctx.__dict__.get(_SLOT)
    if found is None:
        found = []
        setattr(ctx, _SLOT, found)
    found.append(step)


def pop(ctx) -> None:
    ctx.__dict__[_SLOT].pop()


def _run(ctx, *args):
    steps = ctx.__dict__.get(_SLOT) if ctx is not None else None
    if not steps:
        raise BindingError("pagesvm: no step is waiting for JavaScript", 500)
    return steps[-1](*args)


FAMILY.add("pv_step.run", _run, hidden=True)
