"""Uploads to a record's file fields: the new value, the binary's checks, and files written around the commit.

What the records API calls (it knows nothing of disk):

    plan = stage_files(data_dir, record, data, uploads)  # the record's file fields now hold their new names
    plan.validate(store)        # one ValidationError for the whole record, file errors as the binary words them
    with plan.applied():        # new files placed (atomically) before the save ...
        store.save(record)      # ... old ones deleted only once it committed; new ones removed if it raised

`data` is the request's fields, `uploads` its files (`{key: [UploadedFile-like with .filename, .content]}`);
keys are a file field's name (set: the plain names kept plus the uploads), `+name`/`name+` (prepend/append)
and `name-` (remove the listed names). `plan.consumed` lists the keys handled here (the caller sets no
others of the file fields). Observed on the binary, a field's first failing check answers: blank when
required, plain names that were not already the record's (`validation_invalid_file`), more than maxSelect
(`validation_too_many_files`), then each upload's size (naming the original name) and sniffed type (naming
the stored name). A replaced or removed file is deleted after the commit; a deleted record's folder too
(`delete_record_files`). Deleting after the commit (never before) means a crash in between leaves an
unreferenced file, never a referenced file missing.
"""
from __future__ import annotations

import contextlib
import json
import os

from .fields import is_multiple
from .files import FileStorage, base_name, stored_name
from .sniff import detect, type_is
from .validation import REQUIRED, ValidationError

DEFAULT_MAX_SIZE = 5 << 20


def _strings(value) -> list:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and v != ""]
    return [str(value)]


def _error(code: str, message: str, **params) -> dict:
    item = {"code": code, "message": message}
    if params:
        item["params"] = params
    return item


class Upload:
    """One staged upload: its stored name, original name, bytes and sniffed type."""

    __slots__ = ("name", "original", "content", "content_type")

    def __init__(self, original: str, content: bytes):
        self.original = base_name(original or "")
        self.content = content
        self.name = stored_name(self.original, content)
        self.content_type = detect(content)[0]


class FilePlan:
    """The files one save writes and deletes, and the file fields' errors."""

    def __init__(self, storage: FileStorage, collection_id: str, record):
        self.storage, self.collection_id, self.record = storage, collection_id, record
        self.new: list[Upload] = []  # uploads the record keeps
        self.old: list[str] = []  # names the record held and no longer does
        self.errors: dict = {}
        self.consumed: set = set()
        self._written: list[str] = []

    # -- validation ----------------------------------------------------------------------------------------
    def validate(self, store) -> None:
        """Raise one ValidationError with the record's other errors and the file fields' (which win)."""
        try:
            store.validate(self.record)
        except ValidationError as exc:
            exc.errors.update(self.errors)
            raise
        if self.errors:
            raise ValidationError(dict(self.errors))

    # -- around the save -----------------------------------------------------------------------------------
    def write(self) -> None:
        """Place the new files (before the save: a record never names a file that is not there)."""
        record_id = self.record.id
        for upload in self.new:
            self.storage.write(self.collection_id, record_id, upload.name, upload.content, upload.original,
                               upload.content_type)
            self._written.append(upload.name)

    def commit(self) -> None:
        """The save committed: delete the files the record let go of."""
        for name in self.old:
            self._quiet_delete(name)

    def rollback(self) -> None:
        """The save failed: remove the files written for it."""
        for name in self._written:
            self._quiet_delete(name)
        self._written = []

    @contextlib.contextmanager
    def applied(self):
        self.write()
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def _quiet_delete(self, name: str) -> None:
        try:
            self.storage.delete(self.collection_id, self.record.id, name)
        except (OSError, ValueError):
            pass  # an orphan file is harmless; the record is what counts


def _field_value(field: dict, old: list, data: dict, uploads: dict, consumed: set) -> tuple[list, list]:
    """(names of the field after the request, its staged uploads in order)."""
    name = field["name"]
    current, staged = list(old), []

    def take(key: str, files: bool = True) -> list:
        names = []
        if key in data:
            consumed.add(key)
            names.extend(_strings(data[key]))
        if files and uploads.get(key):
            consumed.add(key)
            for item in uploads[key]:
                upload = Upload(item.filename, item.content)
                staged.append(upload)
                names.append(upload.name)
        return names

    if name in data or uploads.get(name):
        current = take(name)
    prepend, append = take("+" + name), take(name + "+")
    current = prepend + current + append
    removed = set(take(name + "-", files=False))
    current = [n for n in current if n not in removed]
    if not is_multiple(field) and len(current) > 1:
        current = current[-1:]
    return current, staged


def _field_error(field: dict, value: list, old: list, staged: dict):
    if not value:
        return REQUIRED if field.get("required") else None
    invalid = [n for n in value if n not in staged and n not in old]
    if invalid:
        shown = [n[:250] for n in invalid]
        return _error("validation_invalid_file", f"Invalid new files: [{' '.join(shown)}].", invalidFiles=shown)
    high = max(field.get("maxSelect") or 0, 1)
    if len(value) > high:
        return _error("validation_too_many_files", f"The maximum allowed files is {high}.", maxSelect=high)
    limit = field.get("maxSize") or DEFAULT_MAX_SIZE
    allowed = field.get("mimeTypes") or []
    for name in value:
        upload = staged.get(name)
        if upload is None:
            continue
        if len(upload.content) > limit:
            return _error("validation_file_size_limit", f"Failed to upload {upload.original} - the maximum allowed "
                          f"file size is {limit} bytes.", file=upload.original, maxSize=limit)
        if allowed and not any(type_is(upload.content_type, wanted) for wanted in allowed):
            return _error("validation_invalid_mime_type",
                          f"\"{upload.name}\" mime type must be one of: {', '.join(allowed)}.")
    return None


def _stored_names(field: dict, column) -> list:
    """The names a stored record's column holds (JSON text for a multiple field)."""
    if is_multiple(field):
        try:
            return _strings(json.loads(column or "[]"))
        except (TypeError, ValueError):
            return []
    return _strings(column)


def stage_files(data_dir: str, record, data: dict | None, uploads: dict | None) -> FilePlan:
    """Set the record's file fields from the request and plan the writes and deletes (nothing touched yet).

    The record needs its id already (a new record: set one first) since its files go under it."""
    data, uploads = data or {}, uploads or {}
    collection = record.collection
    plan = FilePlan(FileStorage(data_dir), collection.get("id", ""), record)
    original = None if record.is_new else record.original
    for field in collection.get("fields") or []:
        if field.get("type") != "file":
            continue
        name = field["name"]
        old = _stored_names(field, original.get(name)) if original is not None else []
        value, staged = _field_value(field, old, data, uploads, plan.consumed)
        kept = {upload.name: upload for upload in staged if upload.name in value}
        record.set(name, value if is_multiple(field) else (value[-1] if value else ""))
        problem = _field_error(field, value, old, kept)
        if problem:
            plan.errors[name] = problem
        plan.new.extend(kept.values())
        plan.old.extend(n for n in old if n not in value)
    return plan


def delete_record_files(data_dir: str, collection_id: str, record_id: str) -> None:
    """Remove a deleted record's files (call once its delete committed)."""
    try:
        FileStorage(data_dir).delete_record(collection_id, record_id)
    except (OSError, ValueError):
        pass


def data_dir_of(store) -> str:
    """The data folder of a DataStore (data.db's folder)."""
    return os.path.dirname(os.path.abspath(store.db.path))
