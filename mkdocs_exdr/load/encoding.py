"""The byte order marks that Windows tools write, recognised in one place.

Notepad and PowerShell save UTF-8 with a byte order mark, Export-Clixml and older editors
UTF-16 (little or big endian) with one. YAML files and Exchange exports are both read through
``byte_order_mark``; the import keeps the mark to write a file back as it was. XML is decoded
before any check reads it, as the XML specification finds its encoding (``decode_xml``), so that
UTF-16 without a mark cannot hide a declaration from those checks.
"""

from __future__ import annotations

import codecs
import re

#: Each byte order mark with the codec of the text that follows it.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def byte_order_mark(raw: bytes) -> tuple[bytes, str | None]:
    """The byte order mark ``raw`` starts with and the codec of the text after it; ``(b"",
    None)`` when it has none."""
    for mark, codec in BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return mark, codec
    return b"", None


def decode_yaml(raw: bytes) -> str:
    """Decode UTF-8 (with or without BOM) or UTF-16 with BOM; raise ``ValueError`` otherwise."""
    mark, codec = byte_order_mark(raw)
    if codec is not None and codec != "utf-8":
        return raw[len(mark) :].decode(codec)
    if b"\x00" in raw[:4096]:
        raise ValueError("looks like UTF-16 without a byte order mark; save it as UTF-8")
    try:
        return raw[len(mark) :].decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValueError(
            f"line {line}: byte {error.start} is not UTF-8; "
            "save the file as UTF-8 or UTF-16 with BOM"
        ) from None


def decode_export(raw: bytes) -> str:
    """Bytes in one of the encodings Windows PowerShell writes, as text: with a byte order mark,
    else UTF-16 recognised by its NUL bytes (``Out-File -Encoding Unicode`` through tools that
    drop the mark), else UTF-8, else the ANSI code page (what ``Export-Csv`` writes by
    default)."""
    mark, codec = byte_order_mark(raw)
    codec = codec or _utf16_by_nul_bytes(raw)
    if codec is not None:
        try:
            return raw[len(mark) :].decode(codec)
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise ValueError(f"line {line}: byte {error.start} is not {codec}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def _utf16_by_nul_bytes(raw: bytes) -> str | None:
    """UTF-16 without a byte order mark, recognised by its NUL bytes: text that is mostly ASCII
    (an export's column names and values) has a NUL in every other byte, after each character
    in little endian and before it in big endian. UTF-8 and code pages have no NUL bytes."""
    sample = raw[:4096]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    pairs = len(sample) // 2
    if pairs and odd > pairs // 2 and even <= odd // 8:
        return "utf-16-le"
    if pairs and even > pairs // 2 and odd <= even // 8:
        return "utf-16-be"
    return None


_XML_DECLARATION = re.compile(rb"""<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")


def looks_like_xml(raw: bytes) -> bool:
    """Whether ``raw`` starts, after any byte order mark and white space, with ``<``, in UTF-8,
    UTF-16 or an ASCII-based code page."""
    mark, _ = byte_order_mark(raw)
    return raw[len(mark) : len(mark) + 4096].lstrip(b" \t\r\n\x00").startswith(b"<")


def decode_xml(raw: bytes) -> str:
    """XML bytes as text, the encoding found as the XML specification (appendix F) finds it: a
    byte order mark, else the NUL bytes of UTF-16 around the first character, else the
    declaration's ``encoding``, else UTF-8 (with the ANSI code page as a last resort, as for
    ``decode_export``). Raise ``ValueError`` for a declared encoding that is unknown or wrong."""
    mark, codec = byte_order_mark(raw)
    if codec is None and len(raw) >= 2 and (raw[0] == 0) != (raw[1] == 0):
        codec = "utf-16-be" if raw[0] == 0 else "utf-16-le"
    if codec is None:
        declared = _XML_DECLARATION.match(raw[:200])
        if declared is not None:
            name = declared.group(1).decode("ascii")
            try:
                codec = codecs.lookup(name).name
            except LookupError:
                raise ValueError(
                    f"the XML declaration names an unknown encoding {name!r}"
                ) from None
            if codec.startswith(("utf-16", "utf-32")):
                codec = None  # the bytes say otherwise: a declaration left by a re-save
    if codec is None:
        return decode_export(raw)
    try:
        return raw[len(mark) :].decode(codec)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ValueError(f"line {line}: byte {error.start} is not {codec}") from None
