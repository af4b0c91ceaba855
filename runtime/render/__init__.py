"""The render layer, pure of HTTP: site, router, EJS compiler, unit cache, the engine around QuickJS and the executor."""
