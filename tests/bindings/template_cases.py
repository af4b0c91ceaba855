"""The `$template` oracle table: (name, template text, data) rendered by `$template.loadString(t).render(data)` on
the real PocketBase and on pagesvm. Every escaping context appears, with values holding <>&'" , unicode, numbers,
nested data, missing keys, and templates that fail to parse or to execute (the binary's messages)."""

EVIL = "<b>\"Tom\" & 'Jerry'</b>"
DATA = {"s": EVIL, "n": 42, "f": 1.5, "big": 1e21, "neg": -3, "t": True, "no": False, "nil": None,
        "u": "héllo wörld ✓ 日本 \u2028", "js": "javascript:alert(1)", "url": "http://x.test/a b?q=1&r=<2>",
        "rel": "/path/to x?y=1&z=2#frag", "items": ["a", "<b>", "c&d"], "empty": [],
        "obj": {"a": {"b": "deep"}, "list": [1, 2, 3], "name": "O'Brien"},
        "users": [{"name": "Ann", "age": 30}, {"name": "<Bob>", "age": 7}], "css": "red; background: url(x)",
        "color": "#fff", "mailto": "mailto:a@b.c", "zero": 0, "quote": "a\"b'c`d", "nl": "line1\nline2\t</script>"}

CASES = [
    ("text", "<p>{{.s}}</p>", DATA),
    ("text_number", "{{.n}} {{.f}} {{.big}} {{.neg}} {{.zero}}", DATA),
    ("text_bool_nil", "{{.t}} {{.no}} [{{.nil}}]", DATA),
    ("text_unicode", "<p>{{.u}}</p>", DATA),
    ("missing_key", "[{{.missing}}] [{{.obj.missing}}]", DATA),
    ("nested", "{{.obj.a.b}} {{.obj.name}}", DATA),
    ("dot_map", "{{.}}", {"a": 1}),
    ("dot_list", "{{.items}}", DATA),
    ("dot_nil", "[{{.}}]", None),
    ("attr_quoted", '<input value="{{.s}}">', DATA),
    ("attr_single", "<input value='{{.quote}}'>", DATA),
    ("attr_unquoted", "<input value={{.s}}>", DATA),
    ("attr_unquoted_space", "<input value={{.u}} name=x>", DATA),
    ("attr_title_unicode", '<p title="{{.u}}">x</p>', DATA),
    ("href_js", '<a href="{{.js}}">x</a>', DATA),
    ("href_url", '<a href="{{.url}}">x</a>', DATA),
    ("href_rel", '<a href="{{.rel}}">x</a>', DATA),
    ("href_mailto", '<a href="{{.mailto}}">x</a>', DATA),
    ("href_query", '<a href="/search?q={{.s}}&n={{.n}}">x</a>', DATA),
    ("href_path_part", '<a href="/users/{{.rel}}">x</a>', DATA),
    ("href_unquoted", "<a href={{.url}}>x</a>", DATA),
    ("src_js", "<img src='{{.js}}'>", DATA),
    ("href_unicode", '<a href="/{{.u}}">x</a>', DATA),
    ("script_string", "<script>var s = {{.s}};</script>", DATA),
    ("script_number", "<script>var n = {{.n}}, f = {{.f}}, t = {{.t}}, z = {{.nil}};</script>", DATA),
    ("script_object", "<script>var o = {{.obj}};</script>", DATA),
    ("script_list", "<script>var l = {{.users}};</script>", DATA),
    ("script_in_string", "<script>var s = \"{{.s}}\";</script>", DATA),
    ("script_in_single", "<script>var s = '{{.quote}}';</script>", DATA),
    ("script_nl", "<script>var s = '{{.nl}}'; var t = {{.nl}};</script>", DATA),
    ("script_unicode", "<script>var u = {{.u}}; var v = '{{.u}}';</script>", DATA),
    ("script_template_literal", "<script>var s = `{{.quote}}`;</script>", DATA),
    ("script_missing", "<script>var m = {{.missing}};</script>", DATA),
    ("onclick", '<button onclick="go({{.s}})">x</button>', DATA),
    ("onclick_string", "<button onclick=\"go('{{.quote}}')\">x</button>", DATA),
    ("style_value", "<style>p { color: {{.color}} }</style>", DATA),
    ("style_unsafe", "<style>p { color: {{.css}} }</style>", DATA),
    ("style_attr", '<p style="color: {{.color}}">x</p>', DATA),
    ("style_attr_unsafe", '<p style="color: {{.s}}">x</p>', DATA),
    ("style_string", "<style>p { font-family: \"{{.s}}\" }</style>", DATA),
    ("style_url", "<style>p { background: url({{.url}}) }</style>", DATA),
    ("textarea", "<textarea>{{.s}}</textarea>", DATA),
    ("title", "<title>{{.s}}</title>", DATA),
    ("html_comment", "<!-- a comment -->{{.n}}<!-- {{.s}} -->", DATA),
    ("stray_lt", "a < b {{.n}}", DATA),
    ("if_else", "{{if .t}}yes{{else}}no{{end}} {{if .no}}yes{{else if .n}}n{{else}}no{{end}}", DATA),
    ("if_empty", "{{if .empty}}full{{else}}empty{{end}}{{if .missing}}m{{end}}{{if .zero}}z{{end}}", DATA),
    ("range", "<ul>{{range .items}}<li>{{.}}</li>{{end}}</ul>", DATA),
    ("range_vars", "{{range $i, $v := .items}}{{$i}}={{$v}};{{end}}", DATA),
    ("range_else", "{{range .empty}}x{{else}}none{{end}}", DATA),
    ("range_map", "{{range $k, $v := .obj.a}}{{$k}}:{{$v}}{{end}}", DATA),
    ("range_users", "{{range .users}}<b title=\"{{.name}}\">{{.age}}</b>{{end}}", DATA),
    ("with", "{{with .obj}}{{.name}}{{end}}{{with .missing}}x{{else}}none{{end}}", DATA),
    ("define_template", '{{define "row"}}<td>{{.}}</td>{{end}}<tr>{{template "row" .s}}</tr>', DATA),
    ("block", '{{block "b" .n}}default {{.}}{{end}}', DATA),
    ("variables", "{{$x := .n}}{{$x}} {{$x = 7}}{{$x}} {{$}}", {"n": 1}),
    ("pipeline_printf", '{{.s | printf "%s!"}} {{printf "%d-%v-%q" .n .f .s}}', DATA),
    ("funcs_cmp", "{{eq .n 42}} {{ne .n 1}} {{lt 1 2}} {{le 2 2}} {{gt 3 2}} {{ge 1 2}} {{eq .obj.name \"O'Brien\" \"x\"}}", DATA),
    ("funcs_logic", "{{and 1 0}} {{or 0 \"x\"}} {{not .t}} {{and .t .n}} {{or .missing .s}}", DATA),
    ("funcs_len_index", "{{len .items}} {{index .items 1}} {{index .obj \"name\"}} {{len .s}} {{index .obj.list 2}}", DATA),
    ("funcs_print", "{{print .n .s}} {{print 1 2}} {{println .n}}|{{print \"a\" \"b\"}}", DATA),
    ("funcs_escape", "{{html .s}} {{js .s}} {{urlquery .s}}", DATA),
    ("funcs_slice", "{{slice .items 1}} {{slice .items 0 2}} {{slice \"hello\" 1 3}}", DATA),
    ("raw", "{{raw .s}} <a href=\"{{raw .js}}\">x</a>", DATA),
    ("trim", "a  {{- .n -}}  b {{- /* comment */ -}} c", DATA),
    ("comment", "x{{/* a comment */}}y", DATA),
    ("literals", "{{\"q\"}} {{`raw`}} {{1.5}} {{0x10}} {{'a'}} {{true}} {{\"a\" | printf \"%s-%s\" \"b\"}}", DATA),
    ("nil_command", "{{nil}}", DATA),
    ("floats", "{{.a}} {{.b}} {{.c}} {{.d}} {{.e}} {{.g}}", {"a": 1234567.5, "b": 123456.5, "c": 0.0001, "d": 0.00001, "e": 1e20, "g": 2.5e-7}),
    ("href_two_actions", '<a href="{{.a}}{{.b}}">x</a>', {"a": "/x", "b": "javascript:y"}),
    ("href_empty_unquoted", "<a title={{.e}}>x</a>", {"e": ""}),
    ("script_tmpl_dollar", "<script>var s = `${x} {{.s}}`;</script>", {"s": "${a}{b}`"}),
    ("missing_nested", "{{.missing.x}}", DATA),
    ("range_break", "{{range .items}}{{if eq . \"c&d\"}}{{break}}{{end}}{{.}}{{end}}", DATA),
    ("parse_error_unclosed", "{{if .t}}x", DATA),
    ("parse_error_bad", "{{.s", DATA),
    ("parse_error_func", "{{nosuch .s}}", DATA),
    ("parse_error_end", "{{end}}", DATA),
    ("undefined_template", '{{template "nope" .}}', DATA),
    ("exec_error_index", "{{index .items 10}}", DATA),
    ("exec_error_field_of_string", "{{.s.x}}", DATA),
    ("exec_error_cmp", "{{lt .n .s}}", DATA),
    ("unquoted_attr_name", "<p {{.s}}>x</p>", {"s": "title"}),
    ("attr_name_unsafe", "<p {{.s}}=x>x</p>", {"s": "onclick"}),
    ("data_attr", '<p data-x="{{.s}}">x</p>', DATA),
    ("srcset", '<img srcset="{{.url}} 2x">', DATA),
    ("json_ld", '<script type="application/ld+json">{{.obj}}</script>', DATA),
    ("script_regexp", "<script>var r = /{{.s}}/;</script>", DATA),
    ("empty_template", "", DATA),
    ("no_data", "static <b>text</b> {{.}}", None),
]

# Harder corners: attributes with entities, comments and regexps in scripts, typed printf, raw markup
# in attributes, redefined blocks, range over numbers and maps, and more of the binary's error texts.
CASES += [
    ("onclick_entity_text", '<a onclick="x(&quot;{{.s}}&quot;)">x</a>', DATA),
    ("script_type_template", '<script type="text/template">{{.s}}</script>', DATA),
    ("style_attr_url", "<p style=\"background: url('{{.url}}')\">x</p>", DATA),
    ("srcset_ok", '<img srcset="{{.rel}}, /b.png 2x">', {"rel": "/a.png 1x"}),
    ("href_query_after", '<a href="{{.rel}}?x={{.s}}">x</a>', DATA),
    ("href_fragment", '<a href="#{{.s}}">x</a>', DATA),
    ("onclick_single", "<a onclick='f({{.n}}, {{.s}})'>x</a>", DATA),
    ("onerror_unquoted", "<img src=x onerror={{.s}}>", DATA),
    ("title_unquoted", "<div title={{.quote}}>x</div>", DATA),
    ("xmlns", '<svg xmlns:xlink="{{.js}}" xlink:href="{{.js}}"></svg>', DATA),
    ("data_url_attr", '<div data-url="{{.js}}" data-src="{{.rel}}" data-x-uri="{{.js}}">x</div>', DATA),
    ("script_comments", "<script>// {{.s}}\nvar a = 1; /* {{.s}} */ var b = {{.n}};</script>", DATA),
    ("script_html_comment", "<script><!-- \nvar a = {{.s}}; --></script>", DATA),
    ("script_div", "<script>var x = (1) / {{.n}} / 2; var y = a / {{.f}};</script>", DATA),
    ("script_regexp_after_eq", "<script>var r = /a/.test('{{.s}}') ? {{.t}} : /{{.n}}/g;</script>", DATA),
    ("script_end_in_string", "<script>var s = '</script>{{.n}}';</script>", DATA),
    ("doctype", "<!DOCTYPE html><p>{{.n}}</p>", DATA),
    ("raw_in_attr", '<p title="{{raw .s}}">{{raw .u}}</p>', DATA),
    ("raw_in_script", "<script>var h = {{raw .s}};</script>", DATA),
    ("printf_verbs", '{{printf "%05d|%-5s|%5.2f|%x|%t|%c|%e" .n "ab" .f 255 .t 65 .f}}', DATA),
    ("printf_wrong", '{{printf "%d %s" .s .n}} {{printf "%d"}} {{printf "x" 1}}', DATA),
    ("len_map_index_missing", "{{len .obj}} [{{index .obj \"nope\"}}] {{index .users 1 \"name\"}}", DATA),
    ("eq_nil", "{{eq .nil .missing}} {{eq .missing 1}} {{ne .s \"x\"}} {{eq 1.5 .f}}", DATA),
    ("with_var", "{{with $o := .obj}}{{$o.name}} {{.a.b}}{{end}}", DATA),
    ("else_with", "{{with .missing}}a{{else with .obj}}{{.name}}{{end}}", DATA),
    ("range_int", "{{range 3}}{{.}}{{end}} {{range $i, $e := .obj.list}}{{$i}}{{$e}}{{end}}", DATA),
    ("range_continue", "{{range .obj.list}}{{if eq . 2}}{{continue}}{{end}}{{.}}{{end}}", DATA),
    ("recursion", '{{define "t"}}{{if .}}({{template "t" slice . 1}}){{end}}{{end}}{{template "t" .items}}', DATA),
    ("block_redefined", '{{block "b" .}}one{{end}}{{define "b"}}two {{.n}}{{end}}', DATA),
    ("if_in_attr", '<p class="{{if .t}}on{{else}}off{{end}} {{.s}}">x</p>', DATA),
    ("attr_value_name_dynamic", '<input {{.k}}="{{.v}}">', {"k": "value", "v": "<x>"}),
    ("parens_and_chain", "{{(index .users 0).name}} {{(.obj).a.b}} {{len (slice .items 1)}}", DATA),
    ("variable_field", "{{$u := index .users 1}}{{$u.name}} {{$.n}}", DATA),
    ("print_nil_list", "{{print .nil}} {{print .items .nil}} {{.obj}}", DATA),
    ("unicode_css_js", "<style>p:before { content: '{{.u}}' }</style><script>var x='{{.u}}'</script>", DATA),
    ("big_numbers", "{{.a}} {{.b}} <script>var a = {{.a}}, b = {{.b}}, c = {{.c}};</script>",
     {"a": 9007199254740991, "b": 1e300, "c": -0.000001}),
    ("err_undefined_var", "{{$nope}}", DATA),
    ("err_else_top", "x{{else}}y", DATA),
    ("err_define_in_if", '{{if .t}}{{define "x"}}{{end}}{{end}}', DATA),
    ("err_unterminated_string", '{{"abc}}', DATA),
    ("err_unclosed_comment", "{{/* never closed", DATA),
    ("err_bad_arg_type", "{{len .n}}", DATA),
    ("err_range_string", "{{range .s}}x{{end}}", DATA),
    ("err_nil_field", "{{.nil.x}}", DATA),
    ("err_not_args", "{{not}}", DATA),
    ("err_template_no_name", "{{template .x}}", DATA),
    ("err_non_text_end", '<a href="{{.s}}', DATA),
    ("err_branch_contexts", '{{if .t}}<a href="{{else}}<b>{{end}}x', DATA),
    ("err_unquoted_bad", "<a title={{.s}}x=\"y\">x</a>", DATA),
    ("err_field_args", "{{.s 1}}", DATA),
    ("err_empty_pipe", "{{}}", DATA),
    ("err_slice_range", "{{slice .items 2 1}}", DATA),
]


# A seeded random corpus: actions of many shapes in every context, alone, nested in branches and loops,
# and through {{template}}, over values chosen to trip escapers (compared with the binary as a whole).
_VALUES = ["<b>", "a\"b'c", "javascript:alert(1)", "http://x/y?a=1&b=2#f", "/p a/t?q=<1>", "é✓\u2028", "", " ",
           "a b", "-->", "</script>", "x;y:z", "${a}", "\\", "red", "#fff", "data:text/html,x", "mailto:x@y",
           "//evil.com", "%zz%41", "expression(x)", "a,b 2x", "\t\n", "\x00\x01", "ｆｕｌｌ", "😀", 0, 1, -1.5, 1e6,
           3.25, 2 ** 53, True, False, None, [1, "<a>"], {"k": "<v>", "n": 2}, [], {}]
_ACTIONS = ["{{.v}}", "{{.v}}{{.w}}", "{{print .v .w}}", '{{printf "%v-%q" .v .w}}', "{{html .v}}",
            "{{urlquery .v}}", "{{js .v}}", "{{.v | html}}", "{{.v | urlquery}}", "{{raw .r}}", "{{len .s}}",
            "{{if .v}}T{{else}}F{{end}}", "{{range .l}}[{{.}}]{{end}}", "{{with .v}}{{.}}{{end}}", "{{.missing}}",
            "{{index .l 0}}", '{{template "t" .v}}', "{{range $i, $x := .l}}{{$i}}{{$x}}{{else}}-{{end}}",
            "{{if eq .s \"abc\"}}{{.v}}{{else}}{{.w}}{{end}}", "{{(print .v) | printf \"%s!\"}}", "{{.v}}x{{.v}}",
            "{{- .v -}}", "{{slice .s 0 1}}", "{{not .v}} {{and .v .w}} {{or .v .w}}"]
_CONTEXTS = ["<p>%s</p>", '<a href="%s">x</a>', "<a href='/x?q=%s'>x</a>", "<a href=%s>x</a>",
             '<a href="#%s">x</a>', '<img src="%s">', '<img srcset="%s">', '<div title="%s">x</div>',
             "<div title='%s'>x</div>", "<div title=%s>x</div>", '<div class="a %s b">x</div>',
             "<script>var a = %s;</script>", "<script>var a = '%s';</script>", '<script>var a = "%s";</script>',
             "<script>var a = `%s`;</script>", "<script>var a = /%s/;</script>", "<script>x = 1 / %s;</script>",
             "<script>// %s\n</script>", '<button onclick="f(%s)">x</button>', "<button onclick='f(\"%s\")'>x</button>",
             "<style>p { color: %s }</style>", "<style>p { background: url(%s) }</style>",
             "<style>p { background: url('%s') }</style>", '<style>p { font-family: "%s" }</style>',
             '<p style="color: %s">x</p>', "<p style='background: url(\"%s\")'>x</p>", "<textarea>%s</textarea>",
             "<title>%s</title>", "<!-- %s -->", '<div data-src="%s">x</div>', '<a xlink:href="%s">x</a>',
             "<div %s>x</div>", '<div %s="1">x</div>', '<meta http-equiv="refresh" content="%s">',
             '<iframe srcdoc="%s"></iframe>', '<script type="text/template">%s</script>',
             '<script type="application/json">%s</script>', '<svg><a href="%s">x</a></svg>', "%s",
             '<a href="/a/%s?b=%s#%s">x</a>', "<p>%s</p><script>var a = %s;</script><p title=%s>x</p>",
             '{{if .v}}<a href="%s">{{else}}<a href="/">{{end}}x</a>', "{{range .l}}<b title=\"%s\">{{.}}</b>{{end}}"]
_DEFINES = ['{{define "t"}}<i>{{.}}</i>{{end}}', '{{define "t"}}{{.}}{{end}}', '{{define "t"}}<a href="{{.}}">{{end}}',
            '{{define "t"}}{{if .}}{{template "u" .}}{{end}}{{end}}{{define "u"}}[{{.}}]{{end}}',
            '{{define "t"}}<script>var x = {{.}};</script>{{end}}', '{{define "t"}}{{range .}}{{.}},{{end}}{{end}}',
            '{{define "t"}}"{{.}}"{{end}}', '{{define "t"}}<!-- {{.}} -->{{end}}', '{{define "t"}}{{end}}',
            '{{define "t"}}{{block "u" .}}({{.}}){{end}}{{end}}']


def generated(seed: int, count: int):
    """``count`` (name, template, data) cases from a seeded generator."""
    import random

    pick = random.Random(seed).choice
    cases = []
    for i in range(count):
        shape = pick(_CONTEXTS)
        text = shape % tuple(pick(_ACTIONS) for _ in range(shape.count("%s")))
        if "template" in text:
            text = pick(_DEFINES) + text
        data = {"v": pick(_VALUES), "w": pick(_VALUES), "s": pick(["abc", "é", "<s>"]),
                "r": pick(["<i>x</i>", "a<b>c", "<!-- c -->d", "t", '<a href="x">y</a>']),
                "l": pick([[], ["<a>", 2], [None], [{"k": 1}]])}
        cases.append((f"gen{seed}_{i}", text, data))
    return cases


_INSERTS = ["{{", "}}", "{{-", "-}}", "|", ".", "$", '"', "(", ")", "end", "else", "if", " ", "$x", ":=", "=", "`",
            "'", "/*", "*/", ",", "range", "define", "template", "1", ".5", "0x", "nil", "true", "\n", "with",
            "block", "-", "+2i", "break", "{", "}", "<", ">", "</script", "%", "é"]


def mutated(seed: int, count: int):
    """``count`` cases made by cutting and inserting template syntax into CASES' templates: mostly broken
    templates, for the parser's and escaper's error messages."""
    import random

    rnd = random.Random(seed)
    bases = [c[1] for c in CASES if "{{" in c[1]]
    cases = []
    for i in range(count):
        text = rnd.choice(bases)
        for _ in range(rnd.randint(1, 3)):
            at = rnd.randint(0, len(text))
            if rnd.random() < 0.5 and len(text) > 1:
                text = text[:at] + text[min(len(text), at + rnd.randint(1, 3)):]
            else:
                text = text[:at] + rnd.choice(_INSERTS) + text[at:]
        cases.append((f"mut{seed}_{i}", text, DATA))
    return cases
