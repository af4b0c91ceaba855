"""store_for: one store per data folder in a process, a fresh one in a forked child."""
from __future__ import annotations

import os

from runtime.data.process import forget, store_for


def test_one_store_per_folder_and_a_fresh_one_after_fork(tmp_path):
    first = store_for(str(tmp_path / "a"))
    try:
        assert store_for(str(tmp_path / "a")) is first
        assert store_for(str(tmp_path / "b")) is not first
        assert (tmp_path / "a" / "data.db").is_file()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child must not reuse the parent's connection
            child = store_for(str(tmp_path / "a"))
            os.write(write, b"1" if child is not first and child.find_collection_by_name_or_id("users") else b"0")
            os._exit(0)
        os.close(write)
        assert os.read(read, 1) == b"1"
        os.waitpid(pid, 0)
        assert store_for(str(tmp_path / "a")) is first
    finally:
        forget()
