"""Byte order marks and the two decoders built on them: YAML files and Exchange exports."""

from __future__ import annotations

import codecs

import pytest

from mkdocs_exdr.load.encoding import byte_order_mark, decode_export, decode_yaml

TEXT = "name: Zürich\n"


@pytest.mark.parametrize(
    ("raw", "mark", "codec"),
    [
        (codecs.BOM_UTF8 + TEXT.encode("utf-8"), codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), codecs.BOM_UTF16_BE, "utf-16-be"),
        (TEXT.encode("utf-8"), b"", None),
    ],
)
def test_byte_order_mark_and_both_decoders(raw: bytes, mark: bytes, codec: str | None) -> None:
    assert byte_order_mark(raw) == (mark, codec)
    assert decode_yaml(raw) == TEXT
    assert decode_export(raw) == TEXT


def test_yaml_refuses_utf16_without_a_mark_and_says_where_utf8_breaks() -> None:
    with pytest.raises(ValueError, match="UTF-16 without a byte order mark"):
        decode_yaml(TEXT.encode("utf-16-le"))
    with pytest.raises(ValueError, match="UTF-16 without a byte order mark"):
        decode_yaml(codecs.BOM_UTF8 + b"a\x00b")
    with pytest.raises(ValueError, match=r"^line 2: byte 3 is not UTF-8"):
        decode_yaml(b"a:\n\xff")


def test_export_without_a_mark_falls_back_to_the_ansi_code_page() -> None:
    assert decode_export("Zürich".encode("cp1252")) == "Zürich"


CSV = '#TYPE Microsoft.Exchange.Data.Directory.Management.ExchangeServer\n"Name","Site"\n"ZRH-EX01","Zürich"\n'


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_an_export_in_utf16_without_a_mark_is_recognised_by_its_nul_bytes(codec: str) -> None:
    assert decode_export(CSV.encode(codec)) == CSV


def test_a_broken_utf16_export_is_a_located_error_not_garbage() -> None:
    raw = CSV.encode("utf-16-le") + b"\x00\xdc"  # a lone low surrogate at the end
    with pytest.raises(ValueError, match=r"^line 4: byte \d+ is not utf-16-le"):
        decode_export(raw)


def test_text_with_a_stray_nul_is_not_taken_for_utf16() -> None:
    assert decode_export(b"Name,Site\nEX01,Seattle\x00\n") == "Name,Site\nEX01,Seattle\x00\n"
