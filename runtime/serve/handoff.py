"""How the supervisor hands a worker its configuration.

A worker is a fresh ``python -m runtime.serve.worker`` process; its whole configuration (the
site, the app's and the server's settings, its slot's socket and readiness pipe) travels as
JSON in one environment variable, written from and rebuilt through the typed ``WorkerConfig``
(a missing or unknown key stops the worker rather than becoming a default). Kept apart from
both sides so the supervisor never imports the worker (it must not create an interpreter, nor
look like a worker to an extension) and the worker never imports the supervisor.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass

from ..http.settings import AppSettings, exact_keys, of_type
from .settings import ServerSettings

WORKER_MODULE = "runtime.serve.worker"
CONFIG_ENV = "PAGESVM_WORKER"


@dataclass(frozen=True)
class WorkerConfig:
    """Everything one worker process is started with."""

    site: str
    app: AppSettings
    server: ServerSettings
    slot: int = -1      # which listening socket of the supervisor's it serves
    fd: int = -1        # that socket, inherited
    ready_fd: int = -1  # the pipe it writes one byte to once it serves
    parent: int = 0     # the supervisor's pid
    control_fd: int = -1     # its end of the control channel (cron runs; runtime/serve/control.py)
    bootstrap: bool = False  # the first worker of a server start: it runs onBootstrap/onServe
    store: dict = dataclasses.field(default_factory=dict)  # app.store() as the start-up migrations left it

    def __post_init__(self):
        of_type("site", self.site, str, "a folder")
        of_type("app", self.app, AppSettings, "AppSettings")
        of_type("server", self.server, ServerSettings, "ServerSettings")
        for name in ("slot", "fd", "ready_fd", "parent", "control_fd"):
            of_type(name, getattr(self, name), int, "an integer")
        of_type("bootstrap", self.bootstrap, bool, "true or false")
        of_type("store", self.store, dict, "an object")

    def for_slot(self, slot: int, fd: int, ready_fd: int, parent: int, control_fd: int = -1,
                 bootstrap: bool = False) -> WorkerConfig:
        return dataclasses.replace(self, slot=slot, fd=fd, ready_fd=ready_fd, parent=parent, control_fd=control_fd,
                                   bootstrap=bootstrap)

    def to_json(self) -> str:
        return json.dumps({**{f.name: getattr(self, f.name) for f in dataclasses.fields(self)},
                           "app": self.app.to_json(), "server": self.server.to_json()})

    @classmethod
    def from_json(cls, text: str) -> WorkerConfig:
        data = exact_keys(cls, json.loads(text))  # malformed JSON: a ValueError too
        return cls(**{**data, "app": AppSettings.from_json(data["app"]),
                      "server": ServerSettings.from_json(data["server"])})


def worker_env(config: WorkerConfig) -> dict:
    """This process's environment plus the worker's configuration."""
    return {**os.environ, CONFIG_ENV: config.to_json()}


def take_config() -> WorkerConfig:
    """The configuration the supervisor passed, removed from the environment (so page code
    and anything the worker starts never see it)."""
    return WorkerConfig.from_json(os.environ.pop(CONFIG_ENV))
