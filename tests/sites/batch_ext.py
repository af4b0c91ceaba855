"""Bindings for the batch tests: each reads the binding context of the request it runs for."""
from bindings.registry import binding
from runtime.render.executor import process_counters

NOTES: list[str] = []


@binding("seenBy")
def seen_by(ctx):
    """The query parameter n as Python saw it for this call's request."""
    return str(ctx.request.query.get("n"))


@binding("remember", defer=True)
def remember(ctx, value):
    NOTES.append(f"{value}:{ctx.request.query.get('n')}")


@binding("recall")
def recall(ctx):
    return ",".join(NOTES)


@binding("queueStats")
def queue_stats(ctx):
    """How many evaluations this worker ran, and how many requests they rendered."""
    return process_counters()
