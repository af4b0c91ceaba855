"""Where a create or update hands the record's file fields to file storage (runtime/data/uploads.py).

The request's file-field keys (``field``, ``field+``, ``+field``, ``field-``, already folded into final
names by the body reader for plain names) and its uploads become a FilePlan: the record's new values, the
files to write before the save and the ones to delete after it. A request that touches no file field
plans nothing.
"""
from __future__ import annotations

from runtime.data.db import new_record_id
from runtime.data.uploads import FilePlan, data_dir_of, delete_record_files, stage_files


def file_keys(record, data: dict) -> set:
    """The body keys that name a file field (with or without a modifier): the plan's, not the form's."""
    names = {name for name, field in record.fields.items() if field.get("type") == "file"}
    return {key for key in data if key.strip("+-") in names} if names else set()


def stage(call, record, data: dict) -> FilePlan | None:
    """The record's file plan, or None when the request touches no file field."""
    uploads = call.request.files()
    if not uploads and not file_keys(record, data):
        return None
    if not record.id:  # its files go under its id
        record.id = new_record_id()
    return stage_files(data_dir_of(call.store), record, data, uploads)


def forget_files(call, collection_id: str, record_id: str) -> None:
    """A deleted record's files, once the delete committed."""
    delete_record_files(data_dir_of(call.store), collection_id, record_id)
