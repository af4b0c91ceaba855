import pytest

from tests.helpers import start_server, write_site


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
