"""Golden tests of the inventory loader and validator, one folder per case under ``cases/``.

``cases/invalid/<case>/inventory`` must be refused: ``expected.txt`` is the full problem report
(``InvalidInput.report()``). ``cases/valid/<case>/inventory`` must load: ``expected.json`` is a
summary of what was read and the keys of the plan's findings. Inputs that would be odd bytes or
large files in the repository are made at test time (``GENERATED``, ``ENCODED``), in a copy of
the case under ``tmp_path``. ``pytest --update-goldens`` rewrites the expected files.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import InvalidInput
from mkdocs_exdr.common.slugs import slugify
from mkdocs_exdr.inventory.model import InventoryFile
from mkdocs_exdr.load.annotations import model_classes, public_fields, shape_of
from mkdocs_exdr.load.documents import MAX_FILE_BYTES
from mkdocs_exdr.pipeline import build_plan
from mkdocs_exdr.plan.model import Plan

CASES = Path(__file__).resolve().parent / "cases"
AS_OF = dt.date(2026, 11, 20)
AS_OF_TEXT = AS_OF.isoformat()
SHOWN = "inventory"


def _cases(kind: str) -> list[Path]:
    return sorted(path for path in (CASES / kind).iterdir() if path.is_dir())


INVALID = _cases("invalid")
VALID = _cases("valid")


def _ids(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


# --------------------------------------------------------------------------- generated inputs

_SERVERS_TEXT = """\
servers:
  - name: EX01
    roles: [hub-transport]
    site: Seattle
"""
LARGE_NOTES_BYTES = 5 * 1024 * 1024
_NOTES_LINE = "Rack B4, iLO at sea-mbx01-ilo; see the vendor runbook for the array firmware.\n"


def _huge_file() -> bytes:
    """Syntactically fine YAML (comments, then one server) just over the size limit."""
    line = b"# padding to make the file larger than the limit of the loader\n"
    count = MAX_FILE_BYTES // len(line) + 1
    return line * count + _SERVERS_TEXT.encode()


def _large_notes() -> bytes:
    """One server whose notes are a 5 MB literal block."""
    count = LARGE_NOTES_BYTES // len(_NOTES_LINE) + 1
    body = ("      " + _NOTES_LINE) * count
    head = "servers:\n  - name: SEA-HUB01\n    roles: [hub-transport]\n    site: Seattle\n"
    return (head + "    notes: |\n" + body).encode()


# Files written into the copy of a case at test time: case → {path under inventory: maker}.
GENERATED: dict[str, dict[str, Callable[[], bytes]]] = {
    "invalid/huge-file": {"servers-huge.yml": _huge_file},
    "invalid/utf16-without-bom": {"servers.yml": lambda: _SERVERS_TEXT.encode("utf-16-le")},
    "invalid/latin1": {"sites.yml": lambda: "sites:\n  - name: Zürich\n".encode("latin-1")},
    "valid/large-notes": {"servers.yml": _large_notes},
}

# Committed UTF-8 files re-encoded at test time: case → (path, codec, byte order mark, newline).
ENCODED: dict[str, tuple[str, str, bytes, str]] = {
    "valid/utf8-bom": ("inventory.yml", "utf-8", codecs.BOM_UTF8, "\n"),
    "valid/utf16-le-bom-crlf": ("inventory.yml", "utf-16-le", codecs.BOM_UTF16_LE, "\r\n"),
    "valid/utf16-be-bom": ("inventory.yml", "utf-16-be", codecs.BOM_UTF16_BE, "\n"),
    "valid/crlf-utf8": ("inventory.yml", "utf-8", b"", "\r\n"),
}

# Secrets written in a case; none may appear in any output.
SECRETS: dict[str, tuple[str, ...]] = {
    "valid/secret-in-notes": ("Hunter2!", "Correct-Horse-42"),
    "invalid/secret-in-invalid-value": ("Hunter2!",),
}


def _key(case: Path) -> str:
    return f"{case.parent.name}/{case.name}"


def materialise(case: Path, tmp_path: Path) -> Path:
    """A copy of ``case`` under ``tmp_path`` with generated and re-encoded files; its root."""
    root = tmp_path / case.name
    root.mkdir(parents=True)
    if (case / "inventory").is_dir():
        shutil.copytree(case / "inventory", root / "inventory")
    for name, make in GENERATED.get(_key(case), {}).items():
        (root / "inventory" / name).write_bytes(make())
    if _key(case) in ENCODED:
        name, codec, bom, newline = ENCODED[_key(case)]
        path = root / "inventory" / name
        text = path.read_text(encoding="utf-8").replace("\n", newline)
        path.write_bytes(bom + text.encode(codec))
    return root


def plan_of(root: Path) -> Plan:
    return build_plan(root / "inventory", None, AS_OF, shown_inventory=SHOWN)


def report_of(root: Path) -> str:
    try:
        plan_of(root)
    except InvalidInput as error:
        return error.report() + "\n"
    pytest.fail("the inventory was accepted but should have been refused")


def summary_of(plan: Plan) -> dict[str, Any]:
    inventory = plan.inventory
    return {
        "organization": inventory.organization.name,
        "file_count": len(inventory.files),
        "files": list(inventory.files),
        "sites": [{"name": site.name, "slug": slugify(site.name)} for site in inventory.sites],
        "servers": [
            {
                "name": server.name,
                "slug": slugify(server.name),
                "site": server.site,
                "status": server.status,
                "roles": list(server.roles),
                "clustered": server.cluster is not None,
                "storage_groups": [
                    {"name": group.name, "databases": [db.name for db in group.databases]}
                    for group in server.storage_groups
                ],
            }
            for server in inventory.servers
        ],
        "planned_servers": [server.server.name for server in plan.servers],
        "findings": sorted(finding.key for finding in plan.findings),
        "accepted": sorted(finding.key for finding in plan.findings if finding.accepted),
    }


def compare(path: Path, actual: str, update: bool) -> None:
    if update:
        path.write_text(actual, encoding="utf-8", newline="\n")
        return
    if not path.is_file():
        pytest.fail(f"{path} is missing; run pytest --update-goldens")
    assert actual == path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- library goldens

_LINE = re.compile(
    r"^inventory(?:/[^:\s][^:]*)?"  # the file, as shown to the user
    r"(?::(?P<line>[1-9]\d*):(?P<column>[1-9]\d*))?"  # its line and column, when known
    r": \S.*$"  # field (optional) and message
)
_COUNT = re.compile(r"^[1-9]\d* problems? in the input$")


def check_report_lines(text: str) -> None:
    """Every line is ``file[:line:col]: [field:] message``, sorted; the last one the count."""
    lines = text.rstrip("\n").split("\n")
    assert len(lines) >= 2, text
    assert _COUNT.match(lines[-1]), lines[-1]
    count = int(lines[-1].split()[0])
    assert count == len(lines) - 1, text
    places = []
    for line in lines[:-1]:
        match = _LINE.match(line)
        assert match, f"not a 'file:line:col: field: message' line: {line!r}"
        file = line.split(":", 1)[0]
        places.append((file, int(match["line"] or 0), int(match["column"] or 0)))
    assert places == sorted(places), "problems are not sorted by file, line and column"


@pytest.mark.parametrize("case", INVALID, ids=_ids(INVALID))
def test_invalid_golden(case: Path, tmp_path: Path, update_goldens: bool) -> None:
    root = materialise(case, tmp_path)
    actual = report_of(root).replace(str(root), "<case>")  # a path looked for, when one is
    compare(case / "expected.txt", actual, update_goldens)
    check_report_lines(actual)
    for secret in SECRETS.get(_key(case), ()):
        assert secret not in actual, f"the report repeats the secret {secret!r}"


@pytest.mark.parametrize("case", VALID, ids=_ids(VALID))
def test_valid_golden(case: Path, tmp_path: Path, update_goldens: bool) -> None:
    summary = summary_of(plan_of(materialise(case, tmp_path)))
    actual = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    compare(case / "expected.json", actual, update_goldens)


# --------------------------------------------------------------------------- through the CLI


def _invoke(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.chdir(root)
    result = CliRunner().invoke(main, [*args, str(root / "inventory"), "--as-of", AS_OF_TEXT])
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


@pytest.mark.parametrize("case", INVALID, ids=_ids(INVALID))
def test_invalid_cli(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = materialise(case, tmp_path)
    result = _invoke(root, monkeypatch, "check")
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    check_report_lines(result.stderr)
    expected = case / "expected.txt"
    if expected.is_file():
        assert result.stderr.replace(str(root), "<case>") == expected.read_text(encoding="utf-8")
    for secret in SECRETS.get(_key(case), ()):
        assert secret not in result.stderr, f"stderr repeats the secret {secret!r}"


@pytest.mark.parametrize("case", VALID, ids=_ids(VALID))
def test_valid_cli(case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = materialise(case, tmp_path)
    result = _invoke(root, monkeypatch, "check", "--format", "json")
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert result.exit_code == (1 if data["counted"] else 0), result.output
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert sorted(f["key"] for f in data["findings"]) == expected["findings"]
    assert data["servers"] == len(expected["planned_servers"])


@pytest.mark.parametrize("case", sorted(SECRETS), ids=sorted(SECRETS))
def test_secrets_appear_in_no_output(
    case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = materialise(CASES / case, tmp_path)
    outputs = []
    for command in (
        ["check"],
        ["check", "--format", "json"],
        ["plan"],
        ["plan", "--format", "json"],
    ):
        result = _invoke(root, monkeypatch, *command)
        outputs.append(result.output + result.stderr)
    if case.startswith("valid/"):
        plan = plan_of(root)
        assert any(f.code == "EXDR018" for f in plan.findings)
        outputs.append(repr(plan.inventory))
    for secret in SECRETS[case]:
        for output in outputs:
            assert secret not in output


# --------------------------------------------------------------------------- properties of cases


@pytest.mark.parametrize("case", sorted(ENCODED), ids=sorted(ENCODED))
def test_encodings_read_like_utf8(case: str, tmp_path: Path) -> None:
    """A re-encoded file reads into exactly what its UTF-8 original reads into."""
    encoded = plan_of(materialise(CASES / case, tmp_path / "encoded"))
    original = plan_of(_copy(CASES / case, tmp_path / "original"))
    assert encoded.inventory == original.inventory
    notes = encoded.inventory.servers[0].notes
    assert notes == "Line one, with a multi-line block.\nLine two: ä ö ü ß € 東京.\n"


def _copy(case: Path, tmp_path: Path) -> Path:
    shutil.copytree(case / "inventory", tmp_path / case.name / "inventory")
    return tmp_path / case.name


def test_large_notes_arrive_whole(tmp_path: Path) -> None:
    plan = plan_of(materialise(CASES / "valid/large-notes", tmp_path))
    notes = plan.inventory.servers[0].notes or ""
    assert len(notes.encode()) >= LARGE_NOTES_BYTES
    assert set(notes.splitlines()) == {_NOTES_LINE.rstrip("\n")}


def test_duration_forms(tmp_path: Path) -> None:
    """Every spelling of a duration in the durations case, and the seconds it means."""
    inventory = plan_of(materialise(CASES / "valid/durations", tmp_path)).inventory
    settings = inventory.organization.settings
    assert settings is not None
    found = [
        inventory.organization.rpo,
        inventory.organization.rto,
        settings.restore_test_max_age,
        settings.review_interval,
        settings.certificate_warning,
        *(value for site in inventory.sites for value in (site.rpo, site.rto)),
        *(
            value
            for server in inventory.servers
            for job in server.backups
            for value in (job.frequency, job.retention)
        ),
    ]
    seconds = {str(value): value.seconds for value in found if value is not None}
    assert seconds == {
        "30m": 1800,
        "4h": 4 * 3600,
        "1d": 86400,
        "2w": 14 * 86400,
        "hourly": 3600,
        "daily": 86400,
        "weekly": 7 * 86400,
    }


def _dataclass_in(annotation: Any) -> Any:
    """The model class inside ``X``, ``X | None`` or ``list[X]``, if any."""
    shape = shape_of(annotation)
    if shape.kind in ("list", "optional"):
        return _dataclass_in(shape.of)
    return shape.of if shape.kind == "model" else None


def _all_fields(root: Any) -> set[tuple[str, str]]:
    return {
        (cls.__name__, spec.name) for cls in model_classes(root) for spec, _ in public_fields(cls)
    }


def _used_fields(cls: Any, data: Any, used: set[tuple[str, str]]) -> None:
    if isinstance(data, list):
        for item in data:
            _used_fields(cls, item, used)
        return
    if not isinstance(data, dict):
        return
    for spec, annotation in public_fields(cls):
        if spec.name in data:
            used.add((cls.__name__, spec.name))
            inner = _dataclass_in(annotation)
            if inner is not None:
                _used_fields(inner, data[spec.name], used)


def test_kitchen_sink_uses_every_field() -> None:
    used: set[tuple[str, str]] = set()
    for path in sorted((CASES / "valid/kitchen-sink/inventory").rglob("*.yml")):
        _used_fields(InventoryFile, yaml.safe_load(path.read_text(encoding="utf-8")), used)
    unused = _all_fields(InventoryFile) - used
    assert not unused, f"fields of the model the kitchen sink does not use: {sorted(unused)}"


def test_kitchen_sink_has_every_role(tmp_path: Path) -> None:
    plan = plan_of(materialise(CASES / "valid/kitchen-sink", tmp_path))
    used = {policy.id for server in plan.servers for policy in server.policies}
    assert used == set(plan.catalog.roles)
