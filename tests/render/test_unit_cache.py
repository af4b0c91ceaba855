"""The unit cache (runtime/render/units.py) as a plain object: what it hands to the interpreter and
when, and how a stack line maps back to a file line. No interpreter runs here: the records are
what the engine would send."""
from __future__ import annotations

import os

import pytest

from runtime.render.ejs_compiler import TemplateSyntaxError
from runtime.render.site import Site
from runtime.render.units import MAX_VARIANTS, UnitCache, split_front_matter, template_words, unit_id
from tests.helpers import write_site

FILES = {
    "page.ejs": "first\n<%= title %>\n<% if (flag) { %>yes<% } %>\nend",
    "card.ejs": "<%= name %> <%= price %>",
    "lib.js": "module.exports = 1",
    "data.json": '{"a": 1}',
    "broken.json": "{",
    "unclosed-tag.ejs": "line one\n<% oops",
    "open-bracket.ejs": "a\n<% if (x) { %>\nb",
    "post.md": "---\ntitle: Hello\ntags: [a, b]\n---\n# <%= 1 + 1 %>",
    "bad-front.md": "---\n: [\n---\nbody",
}


@pytest.fixture
def root(tmp_path):
    return write_site(tmp_path / "site", FILES)


@pytest.fixture
def cache(root):
    return UnitCache(Site(root), ("request", "params"))


def _rewrite(root, rel, text):
    """Change a file so that its signature changes whatever the clock does (another size)."""
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        assert len(f.read()) != len(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


# -- handing units out ---------------------------------------------------------------------------
def test_ensure_hands_a_unit_out_once_while_it_is_held(cache):
    records = cache.ensure("page.ejs", "template")
    assert len(records) == 1
    uid, kind, base, source, path, words, frame = records[0]
    assert (uid, kind, base, path) == ("template:page.ejs", "template", 0, "page.ejs")
    # the words it uses go with it even without include data: a later include with data is narrowed by them
    assert {"title", "flag"} <= set(words) and "request" not in words
    params, start, tail = frame
    assert params == "__api,__locals" and "function(__api,__locals){" in source[:start]
    assert "__esc( title )" in source[start:-tail] and "title" not in source[:start] + source[-tail:]
    assert cache.ensure("page.ejs", "template") == []
    assert cache.compiles == 1


def test_changed_file_is_compiled_and_sent_again(cache, root):
    first = cache.ensure("page.ejs", "template")[0]
    _rewrite(root, "page.ejs", "edited <%= title %>")
    again = cache.ensure("page.ejs", "template")
    assert len(again) == 1 and again[0][0] == first[0]
    assert again[0][2] > first[2]  # a fresh line range: the old one still locates until the next batch
    assert "edited" in again[0][3] and cache.compiles == 2
    assert cache.ensure("page.ejs", "template") == []


def test_kind_is_part_of_the_unit(cache):
    assert cache.ensure("lib.js", "module")[0][0] == "module:lib.js"
    assert cache.ensure("lib.js", "template")[0][0] == "template:lib.js"
    assert unit_id("card.ejs", "template", ("name",)) == "template:card.ejs|name"


def test_forget_interpreter_sends_everything_again(cache):
    cache.ensure("page.ejs", "template")
    cache.ensure("lib.js", "module")
    cache.forget_interpreter()
    assert cache.units == {}
    assert [r[0] for r in cache.ensure("page.ejs", "template")] == ["template:page.ejs"]
    assert [r[0] for r in cache.ensure("lib.js", "module")] == ["module:lib.js"]


def test_unsent_units_are_handed_out_again(cache):
    cache.ensure("page.ejs", "template")
    cache.ensure("lib.js", "module")
    cache.unsent(["template:page.ejs", "template:never-held"])
    assert len(cache.ensure("page.ejs", "template")) == 1
    assert cache.ensure("lib.js", "module") == []  # not listed: still held


def test_missing_or_outside_file_is_not_found(cache, root, tmp_path):
    with pytest.raises(FileNotFoundError):
        cache.ensure("missing.ejs", "template")
    (tmp_path / "outside.ejs").write_text("outside")
    os.symlink(tmp_path / "outside.ejs", os.path.join(root, "link.ejs"))
    with pytest.raises(FileNotFoundError):
        cache.ensure("link.ejs", "template")
    with pytest.raises(FileNotFoundError):
        cache.ensure("../outside.ejs", "template")


def test_module_units_wrap_the_file_as_a_function(cache):
    _, _, _, source, _, words, (params, start, tail) = cache.ensure("lib.js", "module")[0]
    assert params == "module,exports,require,__filename,__dirname"
    assert source[start:-tail].strip() == "module.exports = 1" and words is None
    json_source = cache.ensure("data.json", "module")[0]
    assert json_source[6][0] == "module" and '{"a": 1}' in json_source[3]


# -- include-data variants -----------------------------------------------------------------------
def test_include_keys_are_narrowed_to_the_words_the_template_uses(cache):
    records = cache.ensure("card.ejs", "template", ("price", "unused", "name"))
    assert records[0][0] == "template:card.ejs|price,name"
    assert "name" in records[0][5] and "unused" not in records[0][5]
    assert cache.ensure("card.ejs", "template", ("price", "name", "other")) == []  # same narrowed keys: held
    assert cache.ensure("card.ejs", "template", ("name", "price"))[0][0] == "template:card.ejs|name,price"
    assert cache.ensure("card.ejs", "template", ("nothing",))[0][0] == "template:card.ejs"


def test_variants_past_the_cap_drop_the_oldest(root):
    keys = [f"k{i}" for i in range(MAX_VARIANTS + 1)]
    write_site(root, {"many.ejs": " ".join(f"<%= typeof {k} %>" for k in keys)})
    cache = UnitCache(Site(root), ())
    for key in keys[:MAX_VARIANTS]:
        assert len(cache.ensure("many.ejs", "template", (key,))) == 1
    records = cache.ensure("many.ejs", "template", (keys[-1],))
    assert records[0] == ["template:many.ejs|k0", "template", 0, None]  # the drop comes first
    assert records[1][0] == f"template:many.ejs|{keys[-1]}"
    assert "template:many.ejs|k0" not in cache.units
    assert len(cache.ensure("many.ejs", "template", ("k0",))) >= 1  # asked again: made again


def test_ensure_variants_drops_a_variant_the_edited_file_no_longer_needs(cache, root):
    cache.ensure("card.ejs", "template", ("name", "price"))
    _rewrite(root, "card.ejs", "<%= name %> only")
    records = cache.ensure_variants("card.ejs", "template")
    ids = [r[0] for r in records]
    assert "template:card.ejs|name,price" in ids
    assert ["template:card.ejs|name,price", "template", 0, None] in records


@pytest.mark.parametrize("text, words", [
    ("<%= a.b %> c_d $e", {"a", "b", "c_d", "$e"}),
    ("<%= eval('x') %>", None),  # any name may be built: every key stays bound
    ("<%= \\u0061 %>", None),
])
def test_template_words(text, words):
    found = template_words(text)
    if words is None:
        assert found is None
    else:
        assert words <= found


# -- errors ---------------------------------------------------------------------------------------
def test_unclosed_tag_raises_the_compilers_error_with_file_and_line(cache):
    with pytest.raises(TemplateSyntaxError) as caught:
        cache.ensure("unclosed-tag.ejs", "template")
    assert (caught.value.path, caught.value.line) == ("unclosed-tag.ejs", 2)
    assert str(caught.value).startswith("unclosed-tag.ejs:2: ")
    assert "unclosed-tag.ejs" not in [u.path for u in cache.units.values()]


def test_bad_front_matter_is_a_template_error_at_its_line(cache):
    with pytest.raises(TemplateSyntaxError) as caught:
        cache.ensure("bad-front.md", "markdown")
    assert caught.value.path == "bad-front.md" and caught.value.line == 2
    assert "front matter" in caught.value.message


def test_broken_json_module_is_refused(cache):
    with pytest.raises(TemplateSyntaxError):
        cache.ensure("broken.json", "module")
    assert cache.units == {}


def test_broken_json_module_error_names_the_file(cache):
    """Like a template that does not compile: the error is located in the JSON file itself."""
    with pytest.raises(TemplateSyntaxError) as caught:
        cache.ensure("broken.json", "module")
    assert caught.value.path == "broken.json" and caught.value.line == 1
    assert "invalid JSON" in caught.value.message


def test_a_page_requiring_broken_json_is_told_the_json_file_and_line(tmp_path):
    from bindings import builtins
    from runtime.render.engine import Engine, RenderError

    root = write_site(tmp_path / "site", {"page.ejs": "<%= require('./data.json').a %>",
                                          "data.json": '{\n  "a": 1,\n}\n'})
    builtins.load()
    with pytest.raises(RenderError) as caught:
        Engine(Site(str(root))).render_file("page.ejs")
    assert caught.value.error.location == "data.json:3"


# -- markdown ------------------------------------------------------------------------------------
def test_markdown_front_matter_is_kept_and_its_lines_stay(cache):
    record = cache.ensure("post.md", "markdown")[0]
    assert cache.front_matter("post.md") == {"title": "Hello", "tags": ["a", "b"]}
    assert "title: Hello" not in record[3]
    unit = cache.units["markdown:post.md"]
    assert unit.front_matter == {"title": "Hello", "tags": ["a", "b"]}
    code_line = next(i for i, line in enumerate(record[3].split("\n"), 1) if "1 + 1" in line)
    assert cache.locate(unit.base + code_line) == (unit, 5)  # the heading is line 5 of the file


def test_markdown_without_ejs_keeps_tags_as_text(root):
    cache = UnitCache(Site(root), (), ejs_in_markdown=False)
    source = cache.ensure("post.md", "markdown")[0][3]
    assert "__esc( 1 + 1 )" not in source and "= 1 + 1 " in source
    assert "__esc( 1 + 1 )" in UnitCache(Site(root), ()).ensure("post.md", "markdown")[0][3]


def test_split_front_matter_blanks_the_block():
    meta, body = split_front_matter("---\na: 1\n---\nbody")
    assert meta == {"a": 1} and body == "\n\n\nbody"
    assert split_front_matter("no front matter") == ({}, "no front matter")


# -- locating stack lines -----------------------------------------------------------------------
def test_locate_maps_stack_lines_back_to_template_lines(cache):
    cache.ensure("page.ejs", "template")
    unit = cache.units["template:page.ejs"]
    source_lines = unit.source.split("\n")
    title = next(i for i, line in enumerate(source_lines, 1) if "__esc( title )" in line)
    flag = next(i for i, line in enumerate(source_lines, 1) if "if (flag)" in line)
    assert cache.locate(unit.base + title) == (unit, 2)
    assert cache.locate(unit.base + flag) == (unit, 3)
    assert cache.locate(unit.base) is None  # the padding line before the unit
    assert cache.locate(unit.base + unit.lines + 1) is None  # the gap after it
    assert cache.locate(-1) is None


def test_locate_tells_units_apart(cache):
    cache.ensure("page.ejs", "template")
    cache.ensure("lib.js", "module")
    page, lib = cache.units["template:page.ejs"], cache.units["module:lib.js"]
    assert lib.base > page.base + page.lines
    assert cache.locate(lib.base + 1) == (lib, 1)
    assert cache.locate(page.base + 1)[0] is page


def test_an_unclosed_bracket_is_blamed_for_the_closing_line(cache):
    cache.ensure("open-bracket.ejs", "template")
    unit = cache.units["template:open-bracket.ejs"]
    assert cache.locate(unit.base + unit.lines) == (unit, 2)  # the `{` opened on line 2


def test_replaced_unit_still_locates_until_the_next_batch(cache, root):
    cache.ensure("page.ejs", "template")
    old = cache.units["template:page.ejs"]
    _rewrite(root, "page.ejs", "new\n<%= title %>")
    cache.ensure("page.ejs", "template")
    assert cache.locate(old.base + 1)[0] is old  # an error of a render still running the old code
    with cache.one_check_per_file():
        assert cache.locate(old.base + 1) is None
    new = cache.units["template:page.ejs"]
    assert cache.locate(new.base + 1)[0] is new


# -- one stat per batch --------------------------------------------------------------------------
def test_one_check_per_file_reads_each_signature_once(cache, root):
    cache.ensure("page.ejs", "template")
    with cache.one_check_per_file():
        assert cache.ensure("page.ejs", "template") == []
        _rewrite(root, "page.ejs", "changed within the batch")
        assert cache.ensure("page.ejs", "template") == []  # the batch already looked at this file
    assert len(cache.ensure("page.ejs", "template")) == 1  # outside it, the change is seen


def test_one_check_per_file_still_sees_a_file_first_looked_at_in_the_block(cache, root):
    with cache.one_check_per_file():
        assert len(cache.ensure("lib.js", "module")) == 1
        os.remove(os.path.join(root, "card.ejs"))
        with pytest.raises(FileNotFoundError):
            cache.ensure("card.ejs", "template")


def test_a_unit_first_made_without_keys_still_tells_the_words_it_uses(cache):
    # The interpreter narrows a later include's keys by these words; without them it asked for a
    # "card.ejs|slot,slots" variant that this cache, narrowing to "card.ejs", reported as held
    # (a partial included by a page, then by a layout: "could not load").
    records = cache.ensure("card.ejs", "template")
    assert records[0][0] == "template:card.ejs" and "name" in records[0][5] and "slot" not in records[0][5]
    assert cache.ensure("card.ejs", "template", ("slot", "slots")) == []
