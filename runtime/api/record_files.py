"""The seam where a create or update hands its uploaded files to file storage (another part of the API).

Until storage is connected, a body with files is refused as the binary refuses what it cannot store.
"""
from __future__ import annotations

from .exchange import bad_request


def apply_uploads(call, record, collection, data: dict, uploads: dict) -> None:
    """Put `uploads` ({key: [UploadedFile]}, keys may carry `+` modifiers) into the record's file fields."""
    raise bad_request("Failed to load the submitted data due to invalid formatting.")
