"""Test extension: one binding per behaviour the bindings tests pin."""
import itertools

from bindings import BindingError, binding, on_request

CALLS = {"counter": 0, "plain": 0}


@binding("greet")
def greet(ctx, name):
    """Say hello to NAME."""
    return f"Hello {name}"


@binding("shop.price")
def price(ctx, qty, *, currency="EUR"):
    """Price for QTY items."""
    if qty > 10:
        raise BindingError("out of stock", status=409)
    return {"qty": qty, "total": qty * 2.5, "currency": currency}


@binding("echoValue")
def echo_value(ctx, value):
    """Return VALUE unchanged (a JSON round trip)."""
    return value


@binding("pyValues")
def py_values(ctx):
    """Values made in Python that must arrive in JS deep-equal."""
    return {"text": "ünïcødé ✓ 😀 \u2028", "nested": [1, [2, [3, [None, {"k": []}]]]], "big": 2 ** 53 - 1,
            "neg": -(2 ** 53 - 1), "none": None, "float": 0.1, "tuple": (1, 2), "empty": {}}


@binding("badReturn")
def bad_return(ctx):
    """Returns something that is not JSON."""
    return object()


@binding("tooBig")
def too_big(ctx):
    """Returns an integer JavaScript cannot hold exactly."""
    return 2 ** 64


@binding("boom")
def boom(ctx):
    """Fails with an unexpected exception."""
    raise RuntimeError("secret detail 7f3a")


@binding("fail")
def fail(ctx, message, status=400):
    """Fails with a BindingError."""
    raise BindingError(message, status=status)


@binding("counter", cache=True)
def counter(ctx, key):
    """Pure (cache=True): counts how often Python really ran."""
    CALLS["counter"] += 1
    return {"key": key, "items": [1, 2, 3]}


@binding("plain")
def plain(ctx, key):
    """Not cached: counts how often Python ran."""
    CALLS["plain"] += 1
    return key


@binding("calls")
def calls(ctx):
    """How often counter and plain ran in Python so far."""
    return dict(CALLS)


@binding("ctxInfo")
def ctx_info(ctx):
    """What a binding sees of the request."""
    r = ctx.request
    return {"method": r.method, "path": r.path, "url": r.url, "headers": r.headers, "cookies": r.cookies,
            "query": r.query, "body": r.body, "auth": ctx.auth, "data_dir": ctx.data_dir, "site": ctx.site,
            "data": ctx.data}


@binding("setResponse")
def set_response(ctx):
    """Sets a status, a header and a cookie from Python."""
    ctx.response.set_status(201)
    ctx.response.set_header("X-From-Python", "yes")
    ctx.response.set_cookie("py", "1")
    return True


_ids = itertools.count(1)


@binding("ticket", defer=True)
def ticket(ctx, label):
    """Deferred: no round trip of its own."""
    CALLS[f"ticket:{label}"] = next(_ids)


@on_request
def tenant(ctx):
    """Adds data.tenant from the X-Tenant header."""
    return {"tenant": ctx.request.headers.get("x-tenant", "public")}


@on_request
def hook_effects(ctx):
    """With an X-Hook-Effects header: a status, a header and a cookie set before any page code."""
    if ctx.request.headers.get("x-hook-effects"):
        ctx.response.set_status(203)
        ctx.response.set_header("X-From-Hook", "yes")
        ctx.response.set_cookie("hooked", "1")
