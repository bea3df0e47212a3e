"""Limits that cannot be bypassed (issue 13): alias expansion is limited by size, only regular
files are read and the read itself is bounded, and CLIXML is parsed after its encoding is found,
with no DTD, in linear time.

Cases that hung or exhausted memory before the fix run in a child process with a memory limit
and a generous timeout, so that a regression fails instead of stopping the suite."""

from __future__ import annotations

import codecs
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mkdocs_exdr.importer.exports import read_export
from mkdocs_exdr.load import documents
from mkdocs_exdr.load.documents import MAX_ALIAS_CHARS, load_file, load_folder, load_text
from mkdocs_exdr.load.encoding import decode_xml

CLIXML = Path(__file__).parent / "exports" / "clixml"


def in_child(code: str, timeout: float = 120) -> str:
    """Run ``code`` in a fresh Python limited to 2 GB of memory; its standard output."""
    prelude = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))\n"
    result = subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


# --- YAML aliases, limited by the size of what they expand to --------------------------------


def test_a_long_string_aliased_a_few_times_is_refused_at_the_alias() -> None:
    text = f'big: &big "{"x" * (MAX_ALIAS_CHARS // 4)}"\ncopies:\n' + "  - *big\n" * 5
    found, problems = load_text(text, "inventory/bomb.yml")
    assert found == []
    [problem] = problems
    assert (problem.where.file, problem.where.line, problem.where.column) == (
        "inventory/bomb.yml",
        7,  # four copies are exactly the limit; the fifth passes it
        5,
    )
    assert f"over {MAX_ALIAS_CHARS:,} characters" in problem.message


def test_text_inside_an_aliased_mapping_and_its_keys_count_too() -> None:
    half = MAX_ALIAS_CHARS // 2
    text = (
        f"base: &base\n  ? {'k' * half}\n  : short\n  notes: [&n '{'y' * 10}']\n"
        "a: *base\nb: *base\nc: *base\n"
    )
    _, problems = load_text(text, "x.yml")
    [problem] = problems
    assert problem.where.line == 6
    assert "characters" in problem.message


def test_ordinary_aliases_still_load() -> None:
    text = "defaults: &d {retention: 14, location: offsite}\njobs:\n" + "  - *d\n" * 500
    [document], problems = load_text(text, "x.yml")
    assert problems == []
    assert len(document.data["jobs"]) == 500


# --- Only regular files, read with a bound ---------------------------------------------------


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused_not_read(tmp_path: Path) -> None:
    (tmp_path / "zero.yml").symlink_to("/dev/zero")
    (tmp_path / "site.yml").write_text("sites: []\n")
    out = in_child(
        f"""
        from pathlib import Path
        from mkdocs_exdr.load.documents import load_folder
        loaded = load_folder(Path({str(tmp_path)!r}), "inventory")
        for problem in loaded.problems:
            print(problem.where.file, problem.message, sep="|")
        print(len(loaded.documents))
        """
    )
    assert out.splitlines() == [
        "inventory/zero.yml|not a regular file but a character device; only regular files are read",
        "1",
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yml")
    out = in_child(
        f"""
        from pathlib import Path
        from mkdocs_exdr.load.documents import load_folder
        loaded = load_folder(Path({str(tmp_path)!r}), "inventory")
        print(*(p.message for p in loaded.problems), sep="\\n")
        """,
        timeout=60,
    )
    assert out == "not a regular file but a named pipe (FIFO); only regular files are read\n"


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc")
def test_the_read_is_bounded_even_when_the_size_on_disk_says_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files in /proc are regular and report a size of 0, yet have content: the bound holds on
    # what is read, not on what stat says.
    assert Path("/proc/self/status").stat().st_size == 0
    monkeypatch.setattr(documents, "MAX_FILE_BYTES", 64)
    link = tmp_path / "status.yml"
    link.symlink_to("/proc/self/status")
    found, problems = load_file(link, "inventory/status.yml")
    assert found == []
    assert [(p.where.file, p.message) for p in problems] == [
        ("inventory/status.yml", "file is over 64 bytes; at most 64 bytes are read")
    ]


def test_a_regular_file_through_a_symlink_is_still_read(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere.yml"
    target.write_text("sites: [{name: Boston}]\n")
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "sites.yml").symlink_to(target)
    loaded = load_folder(tmp_path / "inventory", "inventory")
    assert loaded.problems == []
    assert loaded.documents[0].data == {"sites": [{"name": "Boston"}]}


# --- CLIXML: encoding first, then a parser that refuses DTDs, in linear time -----------------

_BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lollollollollollollollollollol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">
  <Obj RefId="0"><Props><S N="Name">&lol9;</S></Props></Obj>
</Objs>
"""


@pytest.mark.parametrize("codec", ["utf-8", "utf-16-le", "utf-16-be"])
def test_an_entity_bomb_is_refused_in_every_encoding_without_a_mark(
    tmp_path: Path, codec: str
) -> None:
    path = tmp_path / "servers.xml"
    path.write_bytes(_BOMB.encode(codec))
    out = in_child(
        f"""
        from pathlib import Path
        from mkdocs_exdr.importer.exports import read_export
        export = read_export(Path({str(path)!r}), "servers.xml")
        print(export.records, *(f"{{p.where.line}}|{{p.message}}" for p in export.problems))
        """,
        timeout=60,
    )
    assert out.startswith("[] 2|not readable CLIXML: a DOCTYPE declaration"), out


@pytest.mark.parametrize(
    ("codec", "mark", "declaration"),
    [
        ("utf-16-le", b"", ""),
        ("utf-16-be", b"", ""),
        ("utf-16-le", b"", '<?xml version="1.0" encoding="utf-16"?>\r\n'),
        ("utf-16-le", codecs.BOM_UTF16_LE, '<?xml version="1.0" encoding="utf-16"?>\r\n'),
        ("utf-8", codecs.BOM_UTF8, '<?xml version="1.0" encoding="utf-8"?>\r\n'),
        ("cp1252", b"", '<?xml version="1.0" encoding="windows-1252"?>\r\n'),
    ],
)
def test_clixml_reads_the_same_in_each_encoding_powershell_or_an_editor_writes(
    tmp_path: Path, codec: str, mark: bytes, declaration: str
) -> None:
    original = read_export(CLIXML / "servers.xml", "servers.xml")
    text = (CLIXML / "servers.xml").read_text(encoding="utf-8")
    path = tmp_path / "servers.xml"
    path.write_bytes(mark + (declaration + text).encode(codec))
    export = read_export(path, "servers.xml")
    assert export.problems == []
    assert export.kind == original.kind
    assert [r.values for r in export.records] == [r.values for r in original.records]
    offset = 1 if declaration else 0
    assert [r.where.line for r in export.records] == [
        r.where.line + offset for r in original.records
    ]


@pytest.mark.parametrize(
    ("raw", "codec"),
    [
        ("<Objs/>".encode("utf-16-le"), "utf-16-le"),
        ("<Objs/>".encode("utf-16-be"), "utf-16-be"),
        (codecs.BOM_UTF16_LE + "<Objs/>".encode("utf-16-le"), "utf-16-le"),
        (b'<?xml version="1.0" encoding="ISO-8859-1"?><Objs N="\xe9"/>', "iso-8859-1"),
        (b'<?xml version="1.0" encoding="utf-16"?><Objs/>', "utf-8"),
        (b"<Objs/>", "utf-8"),
    ],
)
def test_decode_xml_finds_the_encoding_before_anything_reads_the_text(
    raw: bytes, codec: str
) -> None:
    assert decode_xml(raw) == raw.decode(codec).lstrip("\ufeff")


def test_a_multi_megabyte_text_value_is_read_in_linear_time(tmp_path: Path) -> None:
    # One callback per line: accumulated with += this took hours; joined once, a second.
    value = "a\n" * 3_000_000
    path = tmp_path / "servers.xml"
    path.write_text(
        '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        '<Obj RefId="0"><TN RefId="0"><T>Microsoft.Exchange.Data.Directory.Management.'
        f'ExchangeServer</T></TN><Props><S N="Name">{value}</S></Props></Obj></Objs>'
    )
    out = in_child(
        f"""
        from pathlib import Path
        from mkdocs_exdr.importer.exports import read_export
        export = read_export(Path({str(path)!r}), "servers.xml")
        print(export.kind, len(export.records[0].values["Name"]))
        """,
        timeout=120,
    )
    assert out == f"servers {len(value)}\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_an_export_that_is_not_a_regular_file_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "servers.xml")
    out = in_child(
        f"""
        from pathlib import Path
        from mkdocs_exdr.importer.exports import read_export
        print(*(p.message for p in read_export(Path({str(tmp_path)!r}) / "servers.xml",
              "servers.xml").problems))
        """,
        timeout=60,
    )
    assert out == "not a regular file but a named pipe (FIFO); only regular files are read\n"
