"""`GET /api/collections/{c}/records` and `GET /api/collections/{c}/records/{id}`: reading under the rules.

A list is PocketBase's envelope (`page`, `perPage` (30 by default, at most 1000), `totalItems`, `totalPages`,
`items`; `skipTotal` answers -1 for both totals and skips the count). The list rule is one more condition of the
query, never an error; a client's filter and sort may not name `@collection.*` or `@request.*` (403), hidden
fields, or fields of a joined collection its own list rule would hide. A bad page, perPage, skipTotal, filter
or sort is the generic 400, as is a filter of more than 200 comparisons.
"""
from __future__ import annotations

import math

from runtime.data.query.cache import parse_cached
from runtime.data.query.lexer import FilterError
from runtime.data.query.parser import count_expressions
from runtime.data.records import Record

from . import rules
from .exchange import bad_request, forbidden
from .export import enrich, respond
from .router import ROUTES

DEFAULT_PER_PAGE, MAX_PER_PAGE = 30, 1000
MAX_FILTER_LENGTH, MAX_SORT_FIELDS, MAX_SORT_FIELD_LENGTH = 3500, 8, 255
MAX_FILTER_EXPRESSIONS = 200  # the binary's limit of comparisons in a client's filter
_BOOLS = {"1": True, "t": True, "T": True, "TRUE": True, "true": True, "True": True,
          "0": False, "f": False, "F": False, "FALSE": False, "false": False, "False": False}
_SUPERUSER_ONLY_FIELDS = ("@collection.", "@request.")
_INT64 = 1 << 63


def _int(text: str, default: int) -> int:
    """A query number as Go's strconv.Atoi reads it: beyond 64 bits it is no number (the generic 400)."""
    if text == "":
        return default
    try:
        value = int(text, 10)
    except ValueError:
        raise bad_request() from None
    if not -_INT64 <= value < _INT64:
        raise bad_request()
    return value


def _expressions(text: str) -> int:
    try:
        return count_expressions(parse_cached(text))
    except FilterError:
        return 0  # the query refuses it with the same 400


def _paging(call) -> tuple[int, int, bool]:
    arg = call.request.arg
    skip = arg("skipTotal")
    if skip and skip not in _BOOLS:
        raise bad_request()
    page, per_page = _int(arg("page"), 1), _int(arg("perPage"), DEFAULT_PER_PAGE)
    page = page if page > 0 else 1
    per_page = DEFAULT_PER_PAGE if per_page <= 0 else min(per_page, MAX_PER_PAGE)
    return page, per_page, bool(skip and _BOOLS[skip])


@ROUTES.route("GET", "/api/collections/{collection}/records")
def records_list(call, collection):
    coll, shape = rules.collection_of(call, collection)
    info = rules.request_info(call)
    rules.require_rule(call, coll.listRule)
    superuser = call.is_superuser
    text_filter, sort = call.request.arg("filter"), call.request.arg("sort")
    if not superuser:
        for value in (text_filter, sort):
            for name in _SUPERUSER_ONLY_FIELDS:
                if name in value:
                    raise forbidden(f"Only superusers can filter by {name}")
    page, per_page, skip_total = _paging(call)
    if len(text_filter) > MAX_FILTER_LENGTH or (sort and (len(sort.split(",")) > MAX_SORT_FIELDS or any(
            len(part.strip().lstrip("+-")) > MAX_SORT_FIELD_LENGTH for part in sort.split(",")))):
        raise bad_request()
    if text_filter and _expressions(text_filter) > MAX_FILTER_EXPRESSIONS:
        raise bad_request()
    rule = None if superuser or not coll.listRule else coll.listRule
    query = dict(rule=rule, filter=text_filter, sort=sort, allow_hidden=superuser)
    # an offset past what SQLite binds lists nothing, as the binary's page past the end
    offset = min(per_page * (page - 1), _INT64 - 1)
    text, values = rules.select(call, coll, info, limit=per_page, offset=offset, **query)
    names, rows = call.store.db.table(text, values)
    total = pages = -1
    if not skip_total:
        count_text, count_values = rules.select(call, coll, info, count=True, **query)
        total = int(call.store.db.execute(count_text, count_values).fetchone()[0])
        pages = int(math.ceil(total / per_page))
    records = Record.from_table(shape, names, rows)
    result = {"page": page, "perPage": per_page, "totalItems": total, "totalPages": pages}
    return call.hooked("onRecordsListRequest", coll, records,
                       lambda _event: respond(call, {"items": enrich(call, records, info), **result}), {"result": result}, info)


@ROUTES.route("GET", "/api/collections/{collection}/records/{id}")
def record_view(call, collection, id):
    coll, shape = rules.collection_of(call, collection)
    info = rules.request_info(call)
    rules.require_rule(call, coll.viewRule)
    record = rules.find_with_rule(call, coll, shape, id, coll.viewRule, info)
    return call.hooked("onRecordViewRequest", coll, [record], lambda _event: respond(call, enrich(call, [record], info)[0]), info=info)
