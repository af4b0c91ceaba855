"""How the supervisor hands a worker its configuration.

A worker is a fresh ``python -m runtime.serve.worker`` process; its whole configuration (the
site, the app's options, its slot's socket and readiness pipe) travels as JSON in one
environment variable. Kept apart from both sides so the supervisor never imports the worker
(it must not create an interpreter, nor look like a worker to an extension) and the worker
never imports the supervisor.
"""
from __future__ import annotations

import json
import os

WORKER_MODULE = "runtime.serve.worker"
CONFIG_ENV = "PAGESVM_WORKER"


def worker_env(config: dict) -> dict:
    """This process's environment plus the worker's configuration."""
    return {**os.environ, CONFIG_ENV: json.dumps(config)}


def take_config() -> dict:
    """The configuration the supervisor passed, removed from the environment (so page code
    and anything the worker starts never see it)."""
    return json.loads(os.environ.pop(CONFIG_ENV))
