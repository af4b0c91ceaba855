import os

import pytest

from tests.helpers import start_server, write_site

E2E = os.path.join(os.path.dirname(os.path.abspath(__file__)), "e2e") + os.sep


def pytest_collection_modifyitems(session, config, items):
    """The browser tests run last: Playwright's sync API keeps an event loop running on the main
    thread for the whole session, and tests that run their own loop there (the executor's, whose
    time limit needs the main thread's signals) cannot start one after it."""
    items.sort(key=lambda item: str(item.fspath).startswith(E2E))


@pytest.fixture
def serve(tmp_path):
    """serve(site, *flags) → a running Server; all are stopped at the end of the test."""
    servers = []

    def _serve(site, *args, env=None, data_dir=None):
        server = start_server(site, *args, data_dir=str(data_dir or tmp_path / "data"), env=env)
        servers.append(server)
        return server

    yield _serve
    for server in servers:
        server.stop()


@pytest.fixture
def serve_pages(tmp_path, serve):
    """serve_pages({path: text}, *flags, env=None) → a running Server of a site made of those files."""

    def _serve(pages, *args, env=None):
        return serve(write_site(tmp_path / "site", pages), *args, env=env)

    return _serve
