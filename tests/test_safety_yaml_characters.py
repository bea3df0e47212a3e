"""A character YAML refuses is reported at its line and column, by code point."""

from __future__ import annotations

from mkdocs_exdr.load.documents import load_text


def test_a_control_character_is_located_by_line_and_column() -> None:
    text = "servers:\n  - name: EX01\n    notes: abc\x1bdef\n"
    documents, problems = load_text(text, "inventory/servers.yml")
    assert documents == []
    assert [str(p) for p in problems] == [
        "inventory/servers.yml:3:15: YAML syntax: character U+001B is not allowed in YAML; "
        "remove it"
    ]
