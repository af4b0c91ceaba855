"""The query corpus of issue 15: table-driven cases for `$app`'s find methods on tests/sites/query_project.

Each case is a plain dict the shared JavaScript runner (query_project/pb_hooks/pages/_private/query_case.js) takes
as it is: ``name`` (unique), ``category``, ``method`` (an `$app` method name, or ``expandRecords``/``expandRecord``
that find then expand), ``collection`` and, by method, ``filter``, ``sort``, ``limit``, ``offset``, ``params``
(the object passed as the last argument when present), ``exprs`` ($dbx expressions), ``ids``, ``key``/``value``,
``email``, ``expand``, ``one``, ``id``, ``random``. The runner answers ids (sorted when there is no sort),
a count, an expand tree or ``{"error": message}``; tests/data/test_query_corpus_oracle.py compares what the real
binary and pagesvm answer. A later test may compile every ``filter`` for a second SQL dialect.
"""
from __future__ import annotations

CASES: list[dict] = []


def _add(category: str, name: str, method: str, collection: str, **fields) -> None:
    case = {"name": f"{category}:{name}", "category": category, "method": method, "collection": collection}
    case.update({k: v for k, v in fields.items() if v is not None})
    CASES.append(case)


def find(category, name, filter, sort="", collection="posts", limit=None, offset=None, params=None, **extra):
    """A findRecordsByFilter case (limit and offset default to 0: everything)."""
    _add(category, name, "findRecordsByFilter", collection, filter=filter, sort=sort, limit=limit, offset=offset,
         params=params, **extra)


def group(category, collection, pairs, **common):
    """Several findRecordsByFilter cases of one category: ``[(name, filter), ...]`` or ``(name, filter, params)``."""
    for pair in pairs:
        name, filter = pair[0], pair[1]
        find(category, name, filter, collection=collection, params=pair[2] if len(pair) > 2 else None, **common)


# Comparison operators on every field type.
group("compare", "posts", [
    ("text-eq", "title = 'Hello World'"),
    ("text-eq-case", "title = 'hello world'"),
    ("text-neq", "title != 'Hello World'"),
    ("text-gt", "title > 'Hello'"),
    ("text-lte", "title <= 'HELLO WORLD'"),
    ("text-empty", "body = ''"),
    ("text-not-empty", "body != ''"),
    ("number-eq", "views = 10"),
    ("number-neq", "views != 10"),
    ("number-gt", "views > 10"),
    ("number-gte", "views >= 10"),
    ("number-lt", "views < 5"),
    ("number-lte", "views <= 5"),
    ("number-zero", "views = 0"),
    ("number-float", "rating = 4.5"),
    ("number-negative", "rating < 0"),
    ("number-float-gt", "rating > 3.2"),
    ("number-vs-string", "views = '10'"),
    ("bool-true", "published = true"),
    ("bool-false", "published = false"),
    ("bool-neq", "published != true"),
    ("bool-one", "published = 1"),
    ("date-eq", "published_at = '2001-01-01 00:00:00.000Z'"),
    ("date-gt", "published_at > '2050-01-01'"),
    ("date-lt", "published_at < '2001-01-01'"),
    ("date-empty", "published_at = ''"),
    ("date-between", "published_at >= '2000-01-01' && published_at <= '2060-01-01'"),
    ("email-eq", "contact = 'alice@example.com'"),
    ("email-empty", "contact = ''"),
    ("url-neq-empty", "link != ''"),
    ("select-eq", "status = 'published'"),
    ("select-empty", "status = ''"),
    ("select-neq", "status != 'draft'"),
    ("relation-eq", "author = 'authoralice0001'"),
    ("relation-empty", "author = ''"),
    ("field-vs-field", "views = rating"),
    ("field-gt-field", "views > rating"),
    ("id-eq", "id = 'postsnake000004'"),
    ("id-gt", "id > 'postq'"),
    ("file-eq", "cover = 'cover_abc123.png'"),
    ("file-empty", "cover = ''"),
    ("autodate-set", "created != ''"),
    ("hidden-field", "secret = 's1'"),
])
group("compare", "authors", [
    ("authors-number-neg", "age < 0"),
    ("authors-bool", "active = true"),
    ("authors-date-lt", "born < '1980-01-01'"),
    ("authors-date-empty", "born = ''"),
    ("authors-editor", "bio = '100% organic'"),
])

# Multi-value select fields, as the binary compares them (their JSON text).
group("select-multi", "posts", [
    ("eq", "labels = 'go'"),
    ("eq-json", "labels = '[\"go\"]'"),
    ("neq", "labels != 'go'"),
    ("empty", "labels = ''"),
    ("empty-array-text", "labels = '[]'"),
    ("like", "labels ~ 'go'"),
    ("not-like", "labels !~ 'go'"),
])

# JSON fields: paths into the value, and the value as text.
group("json", "posts", [
    ("path-number", "meta.a = 1"),
    ("path-number-gt", "meta.a > 1"),
    ("path-nested", "meta.nested.k = 'v'"),
    ("path-array-index", "meta.0 = 1"),
    ("path-missing", "meta.zzz = null"),
    ("path-anyof", "meta.tags ?= 'x'"),
    ("path-length", "meta.tags:length = 1"),
    ("like-text", "meta ~ 'nested'"),
    ("eq-text", "meta = 'text'"),
    ("eq-zero", "meta = 0"),
    ("neq-null", "meta != null"),
])

# LIKE: `%` added around a value with none, `%` a wildcard, `_` literal; case as SQLite LIKE has it.
group("like", "posts", [
    ("contains", "title ~ 'ello'"),
    ("contains-case", "title ~ 'hello'"),
    ("not-contains", "title !~ 'hello'"),
    ("prefix", "title ~ 'Hello%'"),
    ("suffix", "title ~ '%World'"),
    ("percent-literal-wildcard", "title ~ '100%'"),
    ("percent-only", "title ~ '%'"),
    ("underscore", "title ~ 'snake_case'"),
    ("underscore-single", "title ~ 'o_l'"),
    ("unicode", "title ~ '日本'"),
    ("unicode-case", "title ~ 'ünï'"),
    ("empty-value", "title ~ ''"),
    ("body-percent", "body ~ '50%'"),
    ("quote", "title ~ \"O'Brien\""),
    ("number-field", "views ~ '0'"),
    ("backslash", "title ~ 'back\\\\slash'"),
    ("param", "title ~ {:t}", {"t": "world"}),
    ("param-percent", "title ~ {:t}", {"t": "%"}),
    ("param-underscore", "title ~ {:t}", {"t": "e_c"}),
    ("param-prefix", "title ~ {:t}", {"t": "h%"}),
])

# Any-of operators on multiple relations, relation paths and back-relations.
group("anyof", "posts", [
    ("rel-eq", "tags ?= 'tagred000000001'"),
    ("rel-neq", "tags ?!= 'tagred000000001'"),
    ("rel-plain-eq", "tags = 'tagred000000001'"),
    ("rel-plain-neq", "tags != 'tagred000000001'"),
    ("path-eq", "tags.name ?= 'green'"),
    ("path-plain-eq", "tags.name = 'green'"),
    ("path-neq", "tags.name ?!= 'red'"),
    ("path-gt", "tags.weight ?> 2"),
    ("path-gte", "tags.weight ?>= 1"),
    ("path-lt", "tags.weight ?< 1"),
    ("path-lte", "tags.weight ?<= 0"),
    ("path-like", "tags.name ?~ 'ee'"),
    ("path-not-like", "tags.name ?!~ 're'"),
    ("path-plain-like", "tags.name ~ 're'"),
    ("select-multi-anyeq", "labels ?= 'go'"),
    ("select-multi-anyneq", "labels ?!= 'go'"),
    ("select-multi-anylike", "labels ?~ 'q'"),
    ("single-anyeq", "status ?= 'draft'"),
    ("number-anygt", "views ?> 9"),
    ("back-eq", "comments_via_post.score ?= 5"),
    ("back-plain-gt", "comments_via_post.score > 2"),
    ("back-any-gt", "comments_via_post.score ?> 2"),
    ("back-any-lt", "comments_via_post.score ?< 2"),
    ("back-like", "comments_via_post.message ?~ '%'"),
    ("back-author", "comments_via_post.author.name ?= 'bob'"),
])

# && || and parentheses, precedence included.
group("logic", "posts", [
    ("and", "published = true && views > 5"),
    ("or", "views = 0 || views = 100"),
    ("and-or", "published = true && views > 50 || views = 0"),
    ("or-and", "views = 0 || published = true && views > 50"),
    ("parens", "published = true && (views > 50 || views = 3)"),
    ("parens-nested", "((views > 1) && (views < 50)) || (title = 'hello again')"),
    ("not-via-neq", "!(views > 1)"),
    ("many-or", "id = 'posthello000001' || id = 'postagain000002' || id = 'postpercent0003'"),
    ("whitespace", "  views\t>\n5   &&published=true "),
    ("empty-filter", ""),
    ("spaces-only", "   "),
])

# Literals: quotes, escapes, numbers, true/false/null, comments.
group("literals", "posts", [
    ("double-quotes", "title = \"Hello World\""),
    ("single-in-double", "title = \"O'Brien said \\\"hi\\\"\""),
    ("escaped-single", "title = 'O\\'Brien said \"hi\"'"),
    ("backslash", "title = 'back\\\\slash 1=1'"),
    ("unicode", "title = 'Ünïcödé 日本語'"),
    ("negative", "rating = -1.5"),
    ("decimal-leading-dot", "rating = .5"),
    ("exponent", "views = 1e2"),
    ("number-string", "views = '100'"),
    ("null-eq-text", "body = null"),
    ("null-neq-text", "body != null"),
    ("null-eq-json", "meta = null"),
    ("null-eq-number", "views = null"),
    ("null-eq-relation", "author = null"),
    ("null-eq-date", "published_at = null"),
    ("true-text", "title = true"),
    ("comment-end", "views > 5 // only the busy ones"),
    ("comment-line", "views > 5 // first\n&& published = true"),
    ("comment-only", "// nothing"),
    ("comment-in-string", "title = 'a // b' || views = 0"),
])

# {:name} placeholders with every kind of value.
group("params", "posts", [
    ("string", "title = {:t}", {"t": "Hello World"}),
    ("number", "views > {:n}", {"n": 9}),
    ("float", "rating = {:r}", {"r": 4.5}),
    ("number-as-string", "views = {:n}", {"n": "10"}),
    ("bool-true", "published = {:b}", {"b": True}),
    ("bool-false", "published = {:b}", {"b": False}),
    ("null", "author = {:a}", {"a": None}),
    ("empty-string", "author = {:a}", {"a": ""}),
    ("twice", "views >= {:n} && rating >= {:n}", {"n": 4}),
    ("two", "views >= {:lo} && views <= {:hi}", {"lo": 5, "hi": 10}),
    ("unused", "views = 0", {"nobody": "x"}),
    ("unicode", "title = {:t}", {"t": "Ünïcödé 日本語"}),
    ("quote", "title = {:t}", {"t": "O'Brien said \"hi\""}),
    ("relation-path", "author.name = {:n}", {"n": "Alice"}),
    ("anyof", "tags.name ?= {:n}", {"n": "blue"}),
    ("date", "published_at > {:d}", {"d": "2040-01-01 00:00:00.000Z"}),
    ("as-field-name", "{:f} = 'Hello World'", {"f": "title"}),
    ("missing", "title = {:t}"),
    ("missing-with-other", "title = {:t}", {"x": "Hello World"}),
])

# @now and the date macros, each compared so the answer does not depend on today.
group("macros", "posts", [
    ("now-past", "published_at < @now && published_at != ''"),
    ("now-future", "published_at > @now"),
    ("now-created", "created <= @now"),
    ("yesterday", "published_at > @yesterday"),
    ("tomorrow", "published_at < @tomorrow && published_at != ''"),
    ("today-start", "published_at >= @todayStart"),
    ("today-end", "published_at <= @todayEnd && published_at != ''"),
    ("month-start", "published_at >= @monthStart"),
    ("month-end", "published_at > @monthEnd"),
    ("year-start", "published_at < @yearStart && published_at != ''"),
    ("year-end", "published_at > @yearEnd"),
    ("year", "views < @year"),
    ("month", "@month >= 1 && @month <= 12 && views = 10"),
    ("day", "@day >= 1 && views = 0"),
    ("weekday", "@weekday >= 0 && @weekday <= 6 && views = 5"),
    ("hour-minute-second", "@hour >= 0 && @minute >= 0 && @second >= 0 && views = 3"),
    ("macro-unknown", "published_at < @someday"),
])

# Relation paths, back-relations and @collection joins.
group("relations", "posts", [
    ("single-path", "author.name = 'Alice'"),
    ("single-path-number", "author.age > 20"),
    ("single-path-bool", "author.active = false"),
    ("single-path-empty", "author.email = ''"),
    ("single-path-neq", "author.name != 'Alice'"),
    ("path-id", "author.id = 'authorbob000002'"),
    ("back-single", "comments_via_post.message = 'meh'"),
    ("back-count-via-id", "comments_via_post.id != ''"),
    ("nested-back", "comments_via_post.author.name ?= 'Alice'"),
    ("collection-join", "@collection.comments.post ?= id && @collection.comments.score ?> 3"),
    ("collection-alias", "@collection.comments:c.post = id && @collection.comments:c.score = 0"),
    ("unknown-path", "author.nope = 1"),
    ("path-through-text", "title.name = 'x'"),
])
group("relations", "comments", [
    ("two-hops", "post.author.name = 'Alice'"),
    ("two-hops-multi", "post.tags.name ?= 'green'"),
    ("back-from-author", "post.author.email ~ 'example.org'"),
    ("empty-relation-path", "author.name = ''"),
])
group("relations", "authors", [
    ("back-posts", "posts_via_author.views ?> 50"),
    ("back-posts-none", "posts_via_author.id = ''"),
    ("back-comments", "comments_via_author.score ?>= 4"),
])

# The :length, :each, :isset and :lower modifiers.
group("modifiers", "posts", [
    ("length-select", "labels:length = 3"),
    ("length-select-zero", "labels:length = 0"),
    ("length-relation", "tags:length > 1"),
    ("length-back", "comments_via_post:length >= 2"),
    ("length-text", "title:length > 5"),
    ("each-select", "labels:each ?= 'go'"),
    ("each-select-all", "labels:each = 'go'"),
    ("each-select-like", "labels:each ~ 'o'"),
    ("each-select-neq", "labels:each != 'sql'"),
    ("each-relation", "tags:each ?= 'tagred000000001'"),
    ("lower", "title:lower = 'hello world'"),
    ("lower-like", "title:lower ~ 'hello'"),
    ("lower-both", "title:lower = 'HELLO WORLD':lower"),
    ("lower-path", "author.name:lower = 'bob'"),
    ("lower-unicode", "title:lower ~ 'ünï'"),
    ("isset-field", "title:isset = true"),
    ("isset-request", "@request.query.x:isset = false"),
    ("request-auth-empty", "@request.auth.id = ''"),
    ("unknown-modifier", "title:upper = 'X'"),
])

# Input pasted into a filter string, and the same input through a placeholder.
_PASTED = ["' || 1=1 //", "x' || id != '", "'; DROP TABLE posts; --", "%' OR '1'='1", "\\' || 1=1 //",
           "\" || 1=1 //", "') || (1=1", "{:t}"]
for _number, _value in enumerate(_PASTED):
    find("injection", f"pasted-{_number}", "title = '" + _value + "'")
    find("injection", f"param-{_number}", "title = {:t}", params={"t": _value})
    find("injection", f"param-like-{_number}", "title ~ {:t}", params={"t": _value})
find("injection", "param-name-sql", "title = {:t) OR 1=1}", params={"t": "x"})
find("injection", "field-name-sql", "title) OR (1=1 = 'x'")
find("injection", "sort-sql", "", sort="title; DROP TABLE posts")
find("injection", "sort-expression", "", sort="(CASE WHEN 1 THEN title END)")
find("injection", "still-there", "id != ''")

# Sorts, limits and offsets.
_SORTS = ["-views,title", "views,-title", "+title", "title", "-title", "id", "-rating,-id", "author.name,id",
          "-created,id", "published,views", "labels,id", "-published_at,id", "status,-id", "@rowid", "-@rowid"]
for _sort in _SORTS:
    find("sort", "by " + _sort, "", sort=_sort)
find("sort", "limit", "", sort="-views,id", limit=3)
find("sort", "offset", "", sort="-views,id", limit=3, offset=2)
find("sort", "offset-past-end", "", sort="id", limit=5, offset=50)
find("sort", "offset-without-limit", "", sort="id", offset=6)
find("sort", "filter-and-limit", "published = true", sort="title", limit=2)
find("sort", "random", "views > 1", sort="@random", random=True)
find("sort", "random-limited", "", sort="@random", limit=3, random=True)
find("sort", "unknown-field", "", sort="nope")
find("sort", "bad-syntax", "", sort="title,,")
find("sort", "back-relation", "", sort="comments_via_post.score,id")
find("sort", "authors-by-age", "", sort="-age", collection="authors")

# The other find methods.
_add("methods", "first-one", "findFirstRecordByFilter", "posts", filter="slug = 'snake-case'")
_add("methods", "first-param", "findFirstRecordByFilter", "posts", filter="slug = {:s}", params={"s": "unicode"})
_add("methods", "first-none", "findFirstRecordByFilter", "posts", filter="views > 1000")
_add("methods", "first-bad-filter", "findFirstRecordByFilter", "posts", filter="nope = 1")
_add("methods", "first-by-collection-id", "findFirstRecordByFilter", "tags", filter="name = 'blue'")
_add("methods", "count-all", "countRecords", "posts")
_add("methods", "count-hash", "countRecords", "posts", exprs=[{"hash": {"published": True}}])
_add("methods", "count-exp", "countRecords", "posts", exprs=[{"exp": "views > {:v}", "params": {"v": 5}}])
_add("methods", "count-two-exps", "countRecords", "posts",
     exprs=[{"hash": {"status": "draft"}}, {"exp": "views < {:v}", "params": {"v": 5}}])
_add("methods", "count-in", "countRecords", "comments", exprs=[{"in": ["post", "posthello000001", "postpercent0003"]}])
_add("methods", "count-unknown-collection", "countRecords", "nothere")
_add("methods", "ids", "findRecordsByIds", "posts", ids=["postsnake000004", "posthello000001", "nothere"])
_add("methods", "ids-empty", "findRecordsByIds", "posts", ids=[])
_add("methods", "all", "findAllRecords", "tags")
_add("methods", "all-hash", "findAllRecords", "authors", exprs=[{"hash": {"active": True}}])
_add("methods", "all-unknown", "findAllRecords", "nothere")
_add("methods", "by-data", "findFirstRecordByData", "posts", key="slug", value="hello-again")
_add("methods", "by-data-number", "findFirstRecordByData", "posts", key="views", value=42)
_add("methods", "by-data-none", "findFirstRecordByData", "posts", key="slug", value="nothere")
_add("methods", "by-data-bad-key", "findFirstRecordByData", "posts", key="nope", value="x")
_add("methods", "auth-email", "findAuthRecordByEmail", "users", email="ann@example.com")
_add("methods", "auth-email-case", "findAuthRecordByEmail", "users", email="ben@example.com")
_add("methods", "auth-email-none", "findAuthRecordByEmail", "users", email="nobody@example.com")
_add("methods", "auth-email-not-auth", "findAuthRecordByEmail", "posts", email="alice@example.com")
_add("methods", "filter-unknown-collection", "findRecordsByFilter", "nothere", filter="", sort="")

# Expands (through findRecordsByFilter + expandRecords, and findRecordById + expandRecord).
_add("expand", "single", "expandRecords", "posts", filter="views >= 10", sort="id", expand=["author"], one="author")
_add("expand", "multi", "expandRecords", "posts", filter="", sort="id", expand=["tags"])
_add("expand", "back", "expandRecords", "posts", filter="views >= 5", sort="id", expand=["comments_via_post"])
_add("expand", "nested", "expandRecords", "comments", filter="", sort="id", expand=["post.author", "post.tags"])
_add("expand", "back-nested", "expandRecords", "authors", filter="", sort="id",
     expand=["posts_via_author.tags", "comments_via_author"])
_add("expand", "unknown", "expandRecords", "posts", filter="id = 'posthello000001'", sort="id",
     expand=["nope", "author"])
_add("expand", "record", "expandRecord", "posts", id="posthello000001", expand=["author", "tags", "comments_via_post"])
_add("expand", "record-empty-relation", "expandRecord", "posts", id="postunicode0005", expand=["author"])

# Errors: PocketBase's message is the answer.
group("errors", "posts", [
    ("unknown-field", "nope = 1"),
    ("unknown-field-right", "title = nope"),
    ("missing-right", "title ="),
    ("missing-left", "= 'x'"),
    ("unknown-operator", "title == 'x'"),
    ("unclosed-string", "title = 'x"),
    ("unclosed-paren", "(title = 'x'"),
    ("extra-paren", "title = 'x')"),
    ("dangling-and", "title = 'x' &&"),
    ("double-and", "title = 'x' && && views = 1"),
    ("single-amp", "title = 'x' & views = 1"),
    ("bare-word", "hello"),
    ("number-only", "1"),
    ("placeholder-bad-name", "title = {:a-b}", {"a-b": "x"}),
    ("placeholder-open", "title = {:t", {"t": "x"}),
    ("not-operator", "views <> 1"),
    ("semicolon", "title = 'x'; views = 1"),
])
