"""An extension that loads in the supervisor but fails in a worker: a start-up error the
supervisor's own checks cannot see, to test how the supervisor handles a worker that dies
before it is ready."""
import sys

if "runtime.worker_main" in sys.modules:
    raise RuntimeError("this extension refuses to load in a worker")
