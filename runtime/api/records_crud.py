"""`POST`, `PATCH` and `DELETE` on a collection's records, under its create, update and delete rules.

As the binary answers: a create is 200 with the record; a create rule that does not hold for the would-be
record is 400 `Failed to create record.` with no data; a record the update or delete rule hides is 404, as is
an unknown id; a refused value is 400 `Failed to create record.` / `Failed to update record.` with the
fields' errors; a delete is 204, and 400 while a required relation still points at the record. A view
collection's records cannot be written (400 `Unsupported collection type.`).
"""
from __future__ import annotations

from runtime.data.db import NotFoundError
from runtime.data.records import Record
from runtime.data.validation import ValidationError

from . import record_files, rules
from .exchange import ApiResponse, bad_request, not_found
from .export import enrich, respond
from .record_body import Form, body_data
from .router import ROUTES

CREATE_FAILED, UPDATE_FAILED = "Failed to create record.", "Failed to update record."
DELETE_FAILED = "Failed to delete record. Make sure that the record is not part of a required relation reference."


def _begin(call, collection, rule: str):
    """(collection, shape, request info) of a write the collection's `rule` ("createRule"…) may allow."""
    coll, shape = rules.collection_of(call, collection)
    if coll.type == "view":
        raise bad_request("Unsupported collection type.")
    info = rules.request_info(call, context=call.info_context)
    rules.require_rule(call, getattr(coll, rule))
    return coll, shape, info


def _load(call, coll, record: Record, info, message: str) -> dict:
    try:
        data = body_data(call, record)
    except RecursionError:  # a json value nested deeper than it can be read into the record
        raise bad_request(message) from None
    info.body = data
    return data


def _fill(call, record: Record, form: Form, data: dict):
    """Load the body into the record: the form takes the plain fields, file storage the file fields (its plan
    is returned, None when the request touches no file field)."""
    files = record_files.file_keys(record, data)
    form.load({k: v for k, v in data.items() if k not in files} if files else data)
    return record_files.stage(call, record, data)


def _save(call, record: Record, form: Form, message: str, info, plan=None):
    """Check the form, save (writing the plan's files first), answer the saved record as its requester sees it."""
    try:
        form.check()
        if plan is None:
            call.save(record)
        else:
            plan.validate(call.store)
            with plan.applied():
                call.save(record)
    except ValidationError as exc:
        raise bad_request(message, exc.data()) from None
    except (ValueError, RecursionError):  # RecursionError: a json value nested deeper than it can be stored
        raise bad_request(message) from None
    return respond(call, enrich(call, [record], info)[0])


@ROUTES.route("POST", "/api/collections/{collection}/records")
def record_create(call, collection):
    coll, shape, info = _begin(call, collection, "createRule")
    superuser = call.is_superuser
    record = Record(shape)
    data = _load(call, coll, record, info, CREATE_FAILED)
    form = Form(record, superuser)
    plan = _fill(call, record, form, data)

    def complete(_event):  # the create rule judges the record as the request hooks left it, as on the binary
        if not superuser:
            values = rules.dummy_values(record)
            if coll.createRule and not rules.matches(call, coll, info, coll.createRule, values=values):
                raise bad_request(CREATE_FAILED)
            if rules.has_manage_access(call, coll, info, values=values):
                form.manager = True
        return _save(call, record, form, CREATE_FAILED, info, plan)
    return call.hooked("onRecordCreateRequest", coll, [record], complete, info=info)


@ROUTES.route("PATCH", "/api/collections/{collection}/records/{id}")
def record_update(call, collection, id):
    coll, shape, info = _begin(call, collection, "updateRule")
    try:
        stored = call.store.find_record_by_id(coll.name, id)
    except NotFoundError:
        raise not_found() from None
    data = _load(call, coll, stored, info, UPDATE_FAILED)
    record = rules.find_with_rule(call, coll, shape, id, coll.updateRule, info)
    form = Form(record, call.is_superuser)
    plan = _fill(call, record, form, data)
    if not form.manager and rules.has_manage_access(call, coll, info, record_id=record.id):
        form.manager = True
    return call.hooked("onRecordUpdateRequest", coll, [record],
                       lambda _event: _save(call, record, form, UPDATE_FAILED, info, plan), info=info)


@ROUTES.route("DELETE", "/api/collections/{collection}/records/{id}")
def record_delete(call, collection, id):
    coll, shape, info = _begin(call, collection, "deleteRule")
    record = rules.find_with_rule(call, coll, shape, id, coll.deleteRule, info)

    def complete(_event):
        try:
            call.delete(record)
        except ValueError:
            raise bad_request(DELETE_FAILED) from None
        record_files.forget_files(call, coll.id, record.id)
        return ApiResponse.empty(204)
    return call.hooked("onRecordDeleteRequest", coll, [record], complete, info=info)
