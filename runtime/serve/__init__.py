"""The ``serve`` layer: the ``pagesvm`` command line and the processes that serve a site.

``cli`` parses the command and checks what it can before anything starts, ``supervisor`` binds
the port and keeps N workers running, and each ``worker`` (a separate process, started through
``handoff``) builds the site's runtime from the layers below and serves it. Imports only go
downwards: cli → supervisor → handoff ← worker → ``runtime`` core → ``bindings``; nothing
outside this package imports it.
"""
