"""Build DR wikis of 100, 1,000 and 3,000 servers with the plugin, and the same pages written by
`mkdocs-exdr generate` and built without the plugin (kept out of the nav), with Material.

Prints, per size: CPU seconds, peak memory (MB), pages, the ratio plugin/plain and the plugin's cost
per server; then the CPU seconds of a rebuild after one server's FQDN changed, checked in the
rebuilt HTML, and its share of the full plugin build: `mkdocs build --dirty` (a fresh process),
and `serve --dirty` (one process whose plugin lives from build to build, as under
`mkdocs serve --dirty`, which reloads mkdocs.yml and runs the same build function on a save).
`--serve-only` measures the latter alone.

Goals (issue 15): ratio at most 0.8 at 1,000 servers (each runbook rendered once, printouts
assembled from the server pages); a dirty rebuild under 10 % of a full build; peak memory under
1 GB at 3,000 servers.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

BIN = Path(sys.executable).parent
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
PLUGIN_YML = """site_name: Bench
theme: {name: material}
plugins:
  - search
  - exdr:
      as_of: "2026-11-20"
"""
PLAIN_YML = """site_name: Bench
theme: {name: material}
plugins:
  - search
not_in_nav: |
  /dr/servers/
  /dr/sites/*.md
  !/dr/sites/index.md
  /dr/roles/*.md
  !/dr/roles/index.md
markdown_extensions: [admonition, attr_list, tables, toc, pymdownx.details, pymdownx.superfences]
"""


def timed(args: list[str], cwd: Path) -> tuple[float, float]:
    """CPU seconds (user and system: on a shared machine, wall time measures the neighbours)
    and peak resident MB of a child process."""
    script = (
        "import resource, subprocess, sys;"
        "r = subprocess.run(sys.argv[1:], capture_output=True);"
        "sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else '');"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, *args],
        cwd=cwd,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    seconds, peak = out.stdout.split()
    return float(seconds), float(peak)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="100,1000,3000")
    parser.add_argument("--serve-only", action="store_true")
    args = parser.parse_args()
    if args.serve_only:
        for size in (int(s) for s in args.sizes.split(",")):
            with tempfile.TemporaryDirectory() as tmp:
                full, rebuild = serve_dirty(plugin_project(Path(tmp), size))
                print(
                    f"{size:>8} serve --dirty: full {full:.1f} s, rebuild {rebuild:.1f} s "
                    f"= {rebuild / full:.1%}",
                    flush=True,
                )
        return
    print(
        f"{'servers':>8} {'plugin s':>9} {'plain s':>8} {'ratio':>6} {'ms/server':>10} "
        f"{'plugin MB':>10} {'plain MB':>9} {'pages':>6} {'dirty s':>8} {'dirty/full':>10} "
        f"{'serve s':>8} {'serve/full':>10}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            plugin = root / "plugin"
            plain = root / "plain"
            plugin_project(plugin, size)
            (plain / "docs").mkdir(parents=True)
            (plain / "docs" / "index.md").write_text("# Bench\n")
            (plain / "mkdocs.yml").write_text(PLAIN_YML)
            subprocess.run(
                [
                    str(BIN / "mkdocs-exdr"),
                    "generate",
                    "-f",
                    str(plugin / "mkdocs.yml"),
                    "-o",
                    str(plain / "docs"),
                ],
                check=True,
                capture_output=True,
            )
            plugin_s, plugin_mb = timed([str(BIN / "mkdocs"), "build", "-q"], plugin)
            plain_s, plain_mb = timed([str(BIN / "mkdocs"), "build", "-q"], plain)
            pages = sum(1 for _ in (plugin / "site" / "dr").rglob("*.html"))
            dirty_s = dirty_rebuild(plugin)
            shutil.rmtree(plugin / "site")
            serve_full, serve_s = serve_dirty(plugin)
            print(
                f"{size:>8} {plugin_s:>9.1f} {plain_s:>8.1f} {plugin_s / plain_s:>6.2f} "
                f"{plugin_s / size * 1000:>10.1f} {plugin_mb:>10.0f} {plain_mb:>9.0f} {pages:>6} "
                f"{dirty_s:>8.1f} {dirty_s / plugin_s:>10.1%} "
                f"{serve_s:>8.1f} {serve_s / serve_full:>10.1%}",
                flush=True,
            )


def plugin_project(root: Path, size: int) -> Path:
    """A project of ``size`` servers built with the plugin, under ``root``."""
    generate(root, size)
    (root / "docs").mkdir()
    (root / "docs" / "index.md").write_text("# Bench\n")
    (root / "mkdocs.yml").write_text(PLUGIN_YML)
    return root


SERVE = """
import sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config

project = Path(sys.argv[1])
config = load_config(str(project / "mkdocs.yml"))
config.plugins.on_startup(command="serve", dirty=True)
start = time.process_time()
build(config, dirty=True)
full = time.process_time() - start
site = project / "inventory" / "sites" / "site000.yml"
site.write_text(site.read_text().replace("s000-06.corp", "s000-06-moved.corp"))
start = time.process_time()
build(load_config(str(project / "mkdocs.yml")), dirty=True)  # serve reloads mkdocs.yml
rebuild = time.process_time() - start
page = project / "site" / "dr" / "servers" / "s000-06" / "index.html"
assert "s000-06-moved.corp" in page.read_text(encoding="utf-8"), "edit not shown"
print(full, rebuild)
"""


def serve_dirty(project: Path) -> tuple[float, float]:
    """CPU seconds of a first (full) build and of the rebuild after editing one server, in one
    process whose plugin lives from build to build, as under ``mkdocs serve --dirty``."""
    out = subprocess.run(
        [sys.executable, "-c", SERVE, str(project)],
        cwd=project,
        env=ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    full, rebuild = out.stdout.split()
    return float(full), float(rebuild)


def dirty_rebuild(project: Path) -> float:
    """CPU seconds of a ``--dirty`` rebuild after editing one server, once a first ``--dirty``
    build has filled the cache folder; the edit must show in the rebuilt page."""
    subprocess.run(
        [str(BIN / "mkdocs"), "build", "-q", "--dirty"], cwd=project, env=ENV, check=True
    )
    site = project / "inventory" / "sites" / "site000.yml"
    site.write_text(site.read_text().replace("s000-05.corp", "s000-05-moved.corp"))
    seconds, _ = timed([str(BIN / "mkdocs"), "build", "-q", "--dirty"], project)
    page = project / "site" / "dr" / "servers" / "s000-05" / "index.html"
    if "s000-05-moved.corp" not in page.read_text(encoding="utf-8"):
        raise SystemExit("the dirty rebuild did not show the edited server")
    return seconds


if __name__ == "__main__":
    main()
