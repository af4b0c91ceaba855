"""An extension that loads in the supervisor but fails in a worker: a start-up error the
supervisor's own checks cannot see, to test how the supervisor handles a worker that dies
before it is ready."""
import sys

# A worker is the process run as `python -m runtime.serve.worker`; the supervisor never imports it.
if getattr(getattr(sys.modules.get("__main__"), "__spec__", None), "name", None) == "runtime.serve.worker":
    raise RuntimeError("this extension refuses to load in a worker")
