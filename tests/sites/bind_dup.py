"""Registers `greet` again, without override=True: the server must refuse to start."""
from bindings import binding


@binding("greet")
def greet_again(ctx, name):
    return name
