"""Escaping: hostile and arbitrary inventory text, rendered by Python-Markdown with the plugin's
extensions, shows as exactly that text and never becomes an element or attribute.

Each value is put where the page templates put values (a paragraph, a table cell, a list item,
a heading, a link's text, an admonition) and the HTML is read back with ``html.parser``.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from mkdocs.config.defaults import MkDocsConfig

from mkdocs_exdr.common.characters import UNSAFE_CHARACTERS
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plugin.extensions import enable_extensions
from mkdocs_exdr.render.escape import _PLAIN, block, escaped, fence, inline, mermaid_label
from mkdocs_exdr.render.pages import render_pages
from tests.conftest import EXAMPLE_INVENTORY

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "[x](javascript:alert(1))",
    "[x]: javascript:alert(1)",
    "<https://evil.example/>",
    "<javascript:alert(1)>",
    "<mail@evil.example>",
    "![x](y)",
    "![x](http://evil/x.png)",
    "[TOC]",
    "{{ x }}",
    "{% include 'x' %}",
    "{: onclick=x }",
    "x { .cls #id onclick=alert(1) }",
    "`code`",
    "``a`b``",
    "# h",
    "### h ###",
    "C#",
    "1. x",
    "1) x",
    "- x",
    "+ x",
    "* x",
    "> quote",
    "---",
    "===",
    "***",
    "___",
    "- - -",
    "| a | b |",
    "a | b",
    "**b**",
    "*i*",
    "_i_",
    "__init__",
    "a*b*c",
    "~~s~~",
    "~~~",
    "```",
    "!!! note",
    '!!! danger "x"',
    "??? note",
    "???+ note",
    "&lt;",
    "&amp;",
    "&#60;script&#62;",
    "&#x3C;",
    "AT&T",
    "\\",
    "x\\",
    "\\*x\\*",
    "\\<b>",
    "\\&lt;",
    "<!-- c -->",
    "<div markdown>x</div>",
    "a\u202eb",
    "\u202etxt.exe",
    "\u2066x\u2069",
    "a\x00b\x1bc\x7fd",
    "a\x02wzxhzdk:0\x03b",
    "line one\nline two",
    "a\r\nb\tc",
    "C:\\Program Files\\Microsoft\\Exchange Server",
    "C:\\Program Files\\Microsoft\\Exchange Server\\",
    "D:\\SG1\\Logs\\.old",
    "\\\\dist\\w2k3.iso",
    "E:\\[x]\\*",
    "FRA-MBX01",
    "LON_MBX",
    "LON-MBX03 (databases)",
    "a.b.c",
    "ex01.corp.contoso.com",
    "+1 555 0100",
    "2. Restore",
    "Backup: 1.5 TB, 2 h",
    "x:y",
    "javascript:alert(1)",
    "$x$",
    "==m==",
    "^s^",
    ":smile:",
]

#: Where the page templates put a value, and the elements and attributes the template makes there.
CONTEXTS = {
    "paragraph": ("{}", {"p": set()}),
    "sentence": ("Last review by {} (scope).", {"p": set()}),
    "table cell": (
        "| A | B |\n| --- | --- |\n| {} | x |",
        {"table": set(), "thead": set(), "tbody": set(), "tr": set(), "th": set(), "td": set()},
    ),
    "list item": ("- {}", {"ul": set(), "li": set()}),
    "heading": ("# {}", {"h1": {"id"}}),
    "step heading": ("### 1. {} { .exdr-step }", {"h3": {"id", "class"}}),
    "link text": ("[{}](target.md)", {"p": set(), "a": {"href"}}),
    "admonition": (
        '!!! warning "Caution: {}"\n    {}',
        {"div": {"class"}, "p": {"class"}},
    ),
}
# Tests write nothing into the repository: no example database, and Hypothesis' caches and
# failure patches go to the temporary folder instead of ./.hypothesis.
PROPERTY = settings(max_examples=300, deadline=None, database=None)
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "mkdocs-exdr-hypothesis")
_CONTROL = UNSAFE_CHARACTERS


def _plugin_extensions() -> tuple[list[Any], dict[str, Any]]:
    """The Markdown extensions and their options as the plugin sets them up for a bare site."""
    config = SimpleNamespace(markdown_extensions=[], mdx_configs={})
    enable_extensions(cast(MkDocsConfig, config))
    return config.markdown_extensions, config.mdx_configs


EXTENSIONS, EXTENSION_CONFIGS = _plugin_extensions()


def to_html(text: str) -> str:
    return markdown.markdown(text, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


class Page(HTMLParser):
    """The elements, attributes and visible text of an HTML fragment."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: dict[str, set[str]] = {}
        self.counts: Counter[str] = Counter()
        self.attributes: list[tuple[str, str | None]] = []
        self.texts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.setdefault(tag, set()).update(name for name, _ in attrs)
        self.counts[tag] += 1
        self.attributes += attrs

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"an HTML comment came through: {data!r}")

    @property
    def text(self) -> str:
        return " ".join("".join(self.texts).split())


def shown(value: str) -> str:
    """What a reader should see: the value on one line, control characters as escapes."""

    def escaped(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return " ".join(_CONTROL.sub(escaped, " ".join(value.split())).split())


def assert_literal(value: str, context: str) -> None:
    template, allowed = CONTEXTS[context]
    escaped = inline(value)
    page = Page(to_html(template.replace("{}", escaped)))
    expected = Page(to_html(template.replace("{}", "VALUE")))
    extra = {tag: names - allowed.get(tag, set()) for tag, names in page.elements.items()}
    assert page.elements.keys() <= allowed.keys(), (escaped, page.elements)
    assert not any(extra.values()), (escaped, extra)
    assert page.text == " ".join(expected.text.replace("VALUE", shown(value)).split()), escaped
    made = {value for _, value in expected.attributes}
    for name, attribute in page.attributes:
        if name == "id":  # toc's slug of the heading: lowercase word characters and hyphens
            assert re.fullmatch(r"[\w-]*", attribute or ""), attribute
        else:
            assert attribute in made, (name, attribute)


@pytest.mark.parametrize("context", CONTEXTS)
@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_text_is_shown_as_written_and_makes_no_markup(value: str, context: str) -> None:
    assert_literal(value, context)


@PROPERTY
@given(value=st.text(), context=st.sampled_from(sorted(CONTEXTS)))
def test_any_text_is_shown_as_written_and_makes_no_markup(value: str, context: str) -> None:
    assert_literal(value, context)


MARKUP = "\\`*_{}[]()#+-.!|<>&\"'~=:?$^ \n"


@PROPERTY
@given(value=st.from_regex(_PLAIN, fullmatch=True))
def test_text_passed_through_as_plain_is_what_escaping_gives(value: str) -> None:
    text = " ".join(value.split())
    assert inline(value) == escaped(text) == text


@PROPERTY
@given(value=st.text(alphabet=st.sampled_from(MARKUP + "ab1"), max_size=12))
def test_markup_characters_in_any_order_make_no_markup(value: str) -> None:
    for context in CONTEXTS:
        assert_literal(value, context)


@pytest.mark.parametrize(
    "value",
    [
        "FRA-MBX01",
        "LON-MBX03 (databases)",
        "LON_MBX",
        "a.b.c",
        "ex01.corp.contoso.com",
        "C:\\Program Files\\Microsoft\\Exchange Server",
        "E:\\SG1\\Logs",
        "Version 8.3 (Build 83.6)",
        "Windows Server 2003 R2 x64 SP2",
        "Ops lead: call 555-0100, then page the on-call (24/7)!",
        "Restore from tape; 1.5 TB at ~120 GB/h",
        "10.2 SP2",
        "-Identity 'EX01\\First Storage Group'",
        "= 4 h",
        "Priority #1",
        "!important",
        "C:\\PROGRA~1\\Exchsrvr",
    ],
)
def test_names_paths_and_prose_stay_as_written_in_the_markdown(value: str) -> None:
    assert inline(value) == value


@pytest.mark.parametrize(
    ("value", "markdown_text"),
    [
        ("<b>&", "&lt;b&gt;&amp;"),
        ('say "x"', "say &quot;x&quot;"),
        ("[x](y)", "\\[x\\](y)"),
        ("a*b", "a\\*b"),
        ("`x`", "\\`x\\`"),
        ("{{ x }}", "\\{\\{ x }}"),
        ("a|b", "a\\|b"),
        ("_x_ a_b", "\\_x\\_ a_b"),
        ("# x", "\\# x"),
        ("x #", "x \\#"),
        ("- x", "\\- x"),
        ("+ x", "\\+ x"),
        ("12. x", "12\\. x"),
        ("===", "&#61;=="),
        ("-- -", "\\-- -"),
        ("12) x", "12\\) x"),
        ("!!! note", "\\!!! note"),
        ("??? note", "&#63;?? note"),
        ("~~x~~ ~1", "&#126;&#126;x&#126;&#126; ~1"),
        ("C:\\x\\", "C:\\x\\\\"),
        ("C:\\x\\.y", "C:\\x\\\\.y"),
        ("a\nb", "a b"),
        ("a\u202eb", "a\\u202eb"),
    ],
)
def test_only_what_could_be_markup_is_escaped(value: str, markdown_text: str) -> None:
    assert inline(value) == markdown_text


def test_a_value_can_not_close_the_link_it_is_the_text_of() -> None:
    page = Page(to_html(f"[{inline('x](javascript:alert(1)) [y')}](target.md)"))
    assert page.attributes == [("href", "target.md")]


def test_a_value_before_a_heading_attribute_list_does_not_change_it() -> None:
    page = Page(to_html(f"### {inline('x {: #evil }')} {{ .exdr-step }}"))
    assert page.elements == {"h3": {"id", "class"}}
    assert ("class", "exdr-step") in page.attributes and page.text == "x {: #evil }"


# Lines as a user writes notes: any text, sometimes a "- " bullet.
LINES = st.lists(
    st.tuples(st.booleans(), st.text(alphabet=st.characters(exclude_categories=["Cs"]))),
    max_size=6,
)


def _notes(lines: list[tuple[bool, str]]) -> str:
    return "\n".join(f"- {text}" if bullet else text for bullet, text in lines)


@PROPERTY
@given(lines=LINES)
def test_notes_keep_their_lines_and_bullets_and_make_no_other_markup(
    lines: list[tuple[bool, str]],
) -> None:
    value = _notes(lines)
    page = Page(to_html(block(value)))
    assert page.elements.keys() <= {"p", "br", "ul", "li"}, (block(value), page.elements)
    assert not page.attributes
    expected = []
    for line in value.strip().splitlines():
        text = line.lstrip()
        expected.append(shown(text[2:] if text.startswith("- ") else text))
    assert page.text == " ".join(" ".join(expected).split())


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_notes_make_no_markup(value: str) -> None:
    for notes in (value, f"first line\n{value}", f"- item\n{value}\n- {value}"):
        page = Page(to_html(block(notes)))
        assert page.elements.keys() <= {"p", "br", "ul", "li"}, (block(notes), page.elements)
        assert not page.attributes


def test_a_setext_underline_in_notes_stays_text() -> None:
    page = Page(to_html(block("Restore first\n===\nthen\n---")))
    assert page.elements.keys() == {"p", "br"}
    assert page.text == "Restore first === then ---"


def _code(html: str) -> str:
    page = Page(html)
    assert page.elements.keys() <= {"div", "pre", "code", "span"}, page.elements
    return "".join(page.texts)


def _as_python_markdown_reads(text: str) -> str:
    """Python-Markdown's own normalisation of its source: line ends, tabs, blank lines."""
    text = text.replace("\x02", "").replace("\x03", "")
    text = text.replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    return re.sub(r"(?<=\n) +\n", "\n", f"\n{text}\n").strip("\n")


@PROPERTY
@given(
    command=st.text(alphabet=st.sampled_from("`~ \n\tab<>&\"'{}|$\\"), max_size=40),
    language=st.sampled_from(["", "powershell", "bat"]),
)
def test_a_command_stays_in_one_code_block_whatever_it_holds(command: str, language: str) -> None:
    html = to_html(f"Before\n\n{fence(command, language)}\n\nAfter <b>")
    assert html.count("<pre") == 1 and html.count("</code></pre>") == 1, html
    assert html.endswith("<p>After <b></p>")  # nothing of the command leaked past the block
    code = _code(html[html.index("<pre") : html.index("</pre>") + len("</pre>")])
    assert code.strip("\n") == _as_python_markdown_reads(command)


@pytest.mark.parametrize("value", HOSTILE)
def test_a_hostile_command_stays_in_one_code_block(value: str) -> None:
    for command in (value, f"Get-Thing\n{value}\n```\nafter", f"````\n{value}\n~~~"):
        html = to_html(f"{fence(command, 'powershell')}\n\nAfter")
        assert html.count("<pre") == 1 and html.endswith("<p>After</p>"), html
        _code(html[: html.index("</pre>") + len("</pre>")])


LABEL = re.compile(r"[\w .,:/()+-]+|\?")  # "?" stands for a label with nothing left


@PROPERTY
@given(value=st.text())
def test_a_mermaid_label_can_not_leave_its_quotes(value: str) -> None:
    label = mermaid_label(value)
    assert LABEL.fullmatch(label), label
    assert "\n" not in label and "`" not in label and '"' not in label and "#" not in label
    html = to_html(f'``` mermaid\nflowchart LR\n  n1["{label}: 3"]\n```\n\nAfter')
    assert html.count("<pre") == 1 and html.endswith("<p>After</p>"), html
    assert _code(html[: html.index("</pre>") + len("</pre>")]) == (
        f'flowchart LR\n  n1["{label}: 3"]'
    )


@pytest.mark.parametrize("value", [*HOSTILE, "click n1 call alert(1)", "%%{init: {}}%%"])
def test_a_hostile_mermaid_label_is_plain_words(value: str) -> None:
    label = mermaid_label(value)
    assert LABEL.fullmatch(label), label
    assert mermaid_label("Seattle (HQ)") == "Seattle (HQ)"


def test_the_example_pages_show_names_and_paths_as_written_in_their_markdown() -> None:
    plan = build_plan(EXAMPLE_INVENTORY, None, dt.date(2026, 11, 20))
    pages = render_pages(plan).pages
    server = pages["servers/lon-mbx03.md"]
    assert "# LON-MBX03\n" in server
    assert not re.search(r"\\[-().]", "".join(pages.values()))
    assert re.search(r"[A-Z]:\\[A-Za-z]", server)  # a Windows path, backslashes as written
