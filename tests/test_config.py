"""One configuration: the CLI reads the exdr entry of mkdocs.yml through the plugin's ExdrConfig."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from mkdocs_exdr.cli.config import read_config
from mkdocs_exdr.cli.main import main
from mkdocs_exdr.common.problems import InvalidInput
from tests.conftest import SOUND_SERVER, make_project, mkdocs, write

BROKEN_POLICY = """
role:
  id: hub-transport
  steps:
    - {id: broken, title: "Drain {{ server.name", source: "https://example.org/x"}
"""


def run(args: list[str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, args)
    return result.exit_code, result.stdout, result.stderr


def project(tmp_path: Path, options: str) -> Path:
    """A project whose mkdocs.yml carries ``options`` (YAML lines) under the exdr entry."""
    indented = "".join(f"      {line}\n" for line in options.strip().splitlines())
    mkdocs = f"site_name: t\nplugins:\n  - search\n  - exdr:\n{indented}"
    return make_project(tmp_path, mkdocs=mkdocs)


def test_defaults_without_mkdocs_yml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config, warnings = read_config(None)
    assert warnings == []
    assert Path(config.inventory) == tmp_path / "inventory"
    assert Path(config.policies) == tmp_path / "policies"
    assert (config.path, config.print_limit, config.fail_on, config.as_of) == (
        "dr",
        500,
        None,
        None,
    )
    assert config.templates is None and config.offline is False


def test_folders_are_relative_to_mkdocs_yml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {"site/mkdocs.yml": "plugins:\n  - exdr:\n      inventory: data/inv\n"})
    monkeypatch.chdir(tmp_path)
    config, _ = read_config(Path("site/mkdocs.yml"))
    assert Path(config.inventory) == tmp_path / "site" / "data" / "inv"
    assert Path(config.policies) == tmp_path / "site" / "policies"


@pytest.mark.parametrize(
    "plugins",
    [
        "plugins:\n  exdr:\n    print_limit: 7\n",  # a mapping of plugins
        "plugins:\n  - search\n  - exdr: {print_limit: 7}\n",  # a list
        "plugins:\n  - exdr:\n      print_limit: !ENV [EXDR_TEST_LIMIT, 3]\n",  # MkDocs' !ENV tag
    ],
)
def test_every_form_of_the_plugins_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, plugins: str
) -> None:
    monkeypatch.setenv("EXDR_TEST_LIMIT", "7")
    write(tmp_path, {"mkdocs.yml": plugins})
    config, _ = read_config(tmp_path / "mkdocs.yml")
    assert config.print_limit == 7


def test_bare_plugin_name_and_tags_of_other_settings(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "mkdocs.yml": """
            site_name: t
            markdown_extensions:
              - pymdownx.emoji:
                  emoji_index: !!python/name:material.extensions.emoji.twemoji
                  emoji_generator: !!python/name:no.such.module.ever
            plugins: [search, exdr]
            """
        },
    )
    config, warnings = read_config(tmp_path / "mkdocs.yml")
    assert config.print_limit == 500 and warnings == []


def test_unquoted_as_of_is_a_date(tmp_path: Path) -> None:
    write(tmp_path, {"mkdocs.yml": "plugins:\n  - exdr:\n      as_of: 2026-11-20\n"})
    config, _ = read_config(tmp_path / "mkdocs.yml")
    assert config.as_of == "2026-11-20"


def test_every_invalid_option_is_a_located_problem_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, "print_limit: lots\nas_of: soon\ntemplates: nowhere"))
    code, out, err = run(["check"])
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "mkdocs.yml:5:7: plugins.exdr.print_limit: Expected type: <class 'int'> but received: "
        "<class 'str'>",
        "mkdocs.yml:6:7: plugins.exdr.as_of: expected a date such as 2026-11-20, got 'soon'",
        "mkdocs.yml:7:7: plugins.exdr.templates: The path 'nowhere' isn't an existing directory.",
        "3 problems in the input",
    ]
    code, out, _ = run(["check", "--format", "json"])
    assert code == 2
    assert json.loads(out)["problems"][0] == {
        "file": "mkdocs.yml",
        "line": 5,
        "column": 7,
        "field": "plugins.exdr.print_limit",
        "message": "Expected type: <class 'int'> but received: <class 'str'>",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("- site_name: t\n", "mkdocs.yml:1:1: expected a mapping of MkDocs settings, found a list"),
        (
            "just words\n",
            "mkdocs.yml:1:1: expected a mapping of MkDocs settings, found a single value",
        ),
        (
            "site_name: t\nplugins: [exdr\n",
            "mkdocs.yml:3:1: not valid YAML: expected ',' or ']', but got '<stream end>'",
        ),
        ("plugins: 3\n", "mkdocs.yml:1:10: plugins: expected a list or mapping of plugins"),
        (
            "plugins:\n  - exdr: [1]\n",
            "mkdocs.yml:2:11: plugins.exdr: expected a mapping of options",
        ),
    ],
)
def test_unusable_mkdocs_yml_is_exit_2_with_a_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, expected: str
) -> None:
    (tmp_path / "mkdocs.yml").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["check"])
    assert (code, out) == (2, "")
    assert err.splitlines() == [expected, "1 problem in the input"]
    with pytest.raises(InvalidInput):
        read_config(Path("mkdocs.yml"))


def test_unknown_option_is_a_located_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project(tmp_path, 'as_of: "2026-11-20"\ncolour: blue'))
    code, _, err = run(["check"])
    assert code == 0
    assert err.splitlines() == [
        "mkdocs.yml:6:7: plugins.exdr.colour: warning: Unrecognised configuration name: colour"
    ]


def test_inventory_argument_overrides_the_inventory_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path, 'as_of: "2026-11-20"\npolicies: my-policies\nprint_limit: 0')
    write(root, {"my-policies/hub.yml": BROKEN_POLICY})
    (root / "inventory").rename(root / "elsewhere")
    monkeypatch.chdir(root)
    code, _, err = run(["check", "elsewhere"])
    assert code == 2  # the configured policies folder is still read
    assert "my-policies/hub.yml:4:7: role hub-transport: broken: title: template error" in err
    (root / "my-policies" / "hub.yml").unlink()
    code, out, _ = run(["generate", "-o", "out", "elsewhere"])
    assert code == 0 and out.endswith(f" files to out{os.sep}dr\n")
    assert (root / "out" / "dr" / "servers" / "ex01.md").exists()
    assert not (root / "out" / "dr" / "print" / "organization.md").exists()  # print_limit kept


@pytest.mark.parametrize(("limit", "printed"), [(0, False), (1, True)])
def test_generate_honours_print_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, limit: int, printed: bool
) -> None:
    monkeypatch.chdir(project(tmp_path, f'as_of: "2026-11-20"\nprint_limit: {limit}'))
    assert run(["generate", "-o", "out"])[0] == 0
    assert (tmp_path / "out" / "dr" / "print" / "organization.md").exists() is printed
    assert (tmp_path / "out" / "dr" / "print" / "site-seattle.md").exists()  # sites always
    home = (tmp_path / "out" / "dr" / "index.md").read_text(encoding="utf-8")
    assert ("printable runbook of the whole organisation" in home) is printed


@pytest.mark.parametrize(("limit", "printed"), [(0, False), (1, True)])
def test_plugin_honours_print_limit(tmp_path: Path, limit: int, printed: bool) -> None:
    root = project(tmp_path, f'as_of: "2026-11-20"\nprint_limit: {limit}')
    result = mkdocs(root, "-q")
    assert result.returncode == 0, result.stderr
    assert (root / "site" / "dr" / "print" / "organization" / "index.html").exists() is printed
    assert (root / "site" / "dr" / "print" / "site-seattle" / "index.html").exists()


def test_flags_override_single_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    weak = SOUND_SERVER.replace("location: offsite", "location: Seattle")
    root = make_project(
        tmp_path,
        inventory=weak,
        mkdocs="plugins:\n  - exdr:\n      as_of: '2026-11-20'\n      fail_on: error\n",
    )
    monkeypatch.chdir(root)
    assert run(["check"])[0] == 0  # fail_on from mkdocs.yml
    code, out, _ = run(["check", "--fail-on", "warning", "--as-of", "2026-11-21"])
    assert code == 1 and out.startswith("Contoso: 1 server, as of 2026-11-21\n")
