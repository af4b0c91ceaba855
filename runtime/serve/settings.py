"""The server's own settings (the port, the workers, their limits), as one typed, frozen value:
``pagesvm serve``'s flags take their defaults from it and a worker receives it typed (``handoff``).
What a site's runtime is built with is ``runtime.http.settings.AppSettings``."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields

from ..http.settings import exact_keys, of_type, seconds
from ..render.limits import MIGRATION_TIMEOUT


def _cpu_count() -> int:
    return os.cpu_count() or 1


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8090
    workers: int = field(default_factory=_cpu_count)
    grace: float = 10.0
    max_body: int = 10 * 1024 * 1024
    max_connections: int = 1000
    max_sse: int = 10000  # open realtime streams per worker (runtime/http/realtime_routes.py)
    idle_timeout: float = 30.0
    proxy_headers: bool = False
    forwarded_allow_ips: str = "127.0.0.1"
    migration_timeout: float = MIGRATION_TIMEOUT  # per pb_migrations file, at start-up (0: no limit)

    def __post_init__(self):
        from ..http.admission import ProxyTrust

        set_ = object.__setattr__  # frozen: normalised once, here
        of_type("host", self.host, str, "an address")
        of_type("forwarded_allow_ips", self.forwarded_allow_ips, str, "a list of addresses")
        of_type("proxy_headers", self.proxy_headers, bool, "true or false")
        if not 0 <= of_type("port", self.port, int, "a number") <= 65535:
            raise ValueError(f"port must be between 0 and 65535, got {self.port}")
        for name in ("workers", "max_body", "max_connections", "max_sse"):
            if of_type(name, getattr(self, name), int, "an integer") < 1:
                raise ValueError(f"{name} must be at least 1")
        set_(self, "grace", seconds("grace", self.grace))
        set_(self, "idle_timeout", seconds("idle_timeout", self.idle_timeout, zero=False))
        set_(self, "migration_timeout", seconds("migration_timeout", self.migration_timeout))
        ProxyTrust(self.proxy_headers, self.forwarded_allow_ips)  # a ValueError names the bad address

    def to_json(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_json(cls, data: dict) -> ServerSettings:
        """Rebuilt from ``to_json``: a missing or unknown key is an error, not a silent default."""
        return cls(**exact_keys(cls, data))


def flag_message(error: ValueError) -> str:
    """A settings error worded with the command-line flag (``max_fields …`` → ``--max-fields …``)."""
    from ..http.settings import ALIASES

    text = str(error)
    name, _, rest = text.partition(" ")
    flags = {field_name: alias for alias, field_name in ALIASES.items()}
    if name.isidentifier() and name.islower() and rest:
        return f"--{flags.get(name, name).replace('_', '-')} {rest}"
    return text
