"""import and the files it reads (issue 13): a symbolic link to an inventory file is kept and
the file it leads to is updated, if that file is inside the inventory folder (outside it, exit 2
and nothing written); an inventory file or mkdocs.yml that is not a regular file, or too large,
is refused without being read, never waited on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from mkdocs_exdr.cli.main import main
from mkdocs_exdr.load.documents import MAX_FILE_BYTES
from tests.conftest import ENV
from tests.test_import import CSV, exports, run, servers_of


def first_import(tmp_path: Path) -> Path:
    inventory = tmp_path / "inventory"
    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 1, out + err  # EX2003, as ever
    return inventory


def test_a_link_inside_the_folder_is_kept_and_its_target_updated(tmp_path: Path) -> None:
    inventory = first_import(tmp_path)
    london = inventory / "servers" / "london.yml"
    kept = inventory / ".shared" / "london.yml"  # a dot folder: the loader reads the link only
    kept.parent.mkdir()
    kept.write_text(london.read_text().replace("corp.contoso.com", "old.contoso.com"))
    london.unlink()
    london.symlink_to(Path("..") / ".shared" / "london.yml")
    assert "LON-EX01.old.contoso.com" in kept.read_text()

    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 1, out + err
    assert london.is_symlink() and london.readlink() == Path("..", ".shared", "london.yml")
    assert "LON-EX01.corp.contoso.com" in kept.read_text()
    assert servers_of(inventory)["LON-EX01"].fqdn == "LON-EX01.corp.contoso.com"  # type: ignore[attr-defined]


def test_a_link_to_a_file_outside_the_folder_is_refused(tmp_path: Path) -> None:
    inventory = first_import(tmp_path)
    london = inventory / "servers" / "london.yml"
    outside = tmp_path / "elsewhere.yml"
    outside.write_text(london.read_text().replace("corp.contoso.com", "old.contoso.com"))
    before = outside.read_bytes()
    london.unlink()
    london.symlink_to(outside)

    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 2, out + err
    assert (
        "servers/london.yml: cannot be updated: a symbolic link to a file outside the inventory "
        "folder" in err
    )
    assert london.is_symlink() and london.readlink() == outside
    assert outside.read_bytes() == before


def child(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The command in a child process, so a read that waits fails the test by its timeout."""
    code = f"from mkdocs_exdr.cli.main import main; main({list(args)!r})"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=ENV,
        cwd=folder,
        timeout=60,
        check=False,
    )


def test_a_named_pipe_among_the_inventory_files_is_refused_not_waited_on(tmp_path: Path) -> None:
    inventory = first_import(tmp_path)
    os.mkfifo(inventory / "servers" / "pipe.yml")
    result = child(
        tmp_path, "import", "--inventory", "inventory", *exports(tmp_path, "csv", CSV, "ascii")
    )
    assert result.returncode == 2, result.stderr
    assert "servers/pipe.yml: cannot be updated: not a regular file but a named pipe" in (
        result.stderr
    )


def test_an_inventory_file_too_large_is_refused_before_it_is_read(tmp_path: Path) -> None:
    inventory = first_import(tmp_path)
    (inventory / "servers" / "big.yml").write_bytes(b"#" * (MAX_FILE_BYTES + 1))
    code, out, err = run("--inventory", str(inventory), *exports(tmp_path, "csv", CSV, "ascii"))
    assert code == 2, out + err
    assert f"servers/big.yml: cannot be updated: file is {MAX_FILE_BYTES + 1:,} bytes" in err


def test_a_mkdocs_yml_that_is_a_named_pipe_is_refused_not_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "mkdocs.yml")
    code = (
        "from pathlib import Path\n"
        "from mkdocs_exdr.cli.config import read_config\n"
        "try:\n"
        "    read_config(Path('mkdocs.yml'))\n"
        "except Exception as error:\n"
        "    print(*error.problems)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "mkdocs.yml: cannot read: not a regular file but a named pipe" in result.stdout


def test_a_mkdocs_yml_too_large_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text("site_name: x\n" + "#" * (2 << 20) + "\n")
    result = CliRunner().invoke(main, ["check", "-f", str(tmp_path / "mkdocs.yml")])
    assert result.exit_code == 2, result.output
    assert "mkdocs.yml: cannot read: file is" in result.stderr and "at most 1 MB" in result.stderr
