"""Bindings for the limits tests: a sleep (interruptible) and a C-level wedge (not)."""
import hashlib
import os
import time

from bindings.registry import binding


@binding("nap")
def nap(ctx, seconds):
    time.sleep(float(seconds))
    return True


@binding("wedge")
def wedge(ctx):
    # One long C call: Python signal handlers cannot run until it returns.
    hashlib.pbkdf2_hmac("sha256", b"x", b"y", 10 ** 9)
    return True


@binding("pid")
def pid(ctx):
    return os.getpid()


@binding("client")
def client(ctx):
    """The client address and scheme as pagesvm decided them (proxy headers applied)."""
    return {"ip": ctx.request.remote_ip, "scheme": ctx.request.scheme}
