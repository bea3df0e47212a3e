"""Time `mkdocs-exdr check` on a generated organisation of 10,000 servers, cold (no cache
folder) and warm (an unchanged inventory, answered from the cache folder), against PyYAML's C
loader reading the same files, in one run.

Goals (issue 15): warm at most 0.3x the C loader's time, cold at most 1.5x. Also prints, in
process, how long loading, validating and planning take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from mkdocs_exdr.plan.engine import plan_organization
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.validate.inventory import read_inventory

EXE = Path(sys.executable).parent / "mkdocs-exdr"


def children_cpu() -> float:
    """CPU seconds of the finished child processes so far: on a shared machine, wall time
    measures the neighbours."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_check(inventory: Path) -> tuple[float, int]:
    start = children_cpu()
    result = subprocess.run(
        [str(EXE), "check", str(inventory), "--as-of", "2026-11-20"],
        capture_output=True,
        text=True,
        check=False,
    )
    return children_cpu() - start, result.returncode


def c_loader(inventory: Path) -> float:
    """CPU seconds for PyYAML's C loader to read every file, in a fresh process as check runs."""
    script = (
        "import sys, time, yaml, pathlib; t = time.perf_counter();"
        "[yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) "
        " for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yml'))];"
        "print(time.perf_counter() - t)"
    )
    start = children_cpu()
    subprocess.run([sys.executable, "-c", script, str(inventory)], check=True, capture_output=True)
    return children_cpu() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    assert hasattr(yaml, "CSafeLoader"), "PyYAML without its C extension"
    with tempfile.TemporaryDirectory() as tmp:
        inventory = generate(Path(tmp), args.servers)
        cache = inventory.parent / ".cache"
        size = sum(p.stat().st_size for p in inventory.rglob("*.yml"))
        print(
            f"servers: {args.servers}  files: {len(list(inventory.rglob('*.yml')))}  bytes: {size:,}"
        )
        loader = statistics.median(c_loader(inventory) for _ in range(args.runs))
        cold, warm = [], []
        for _ in range(args.runs):
            shutil.rmtree(cache, ignore_errors=True)
            seconds, code = run_check(inventory)
            cold.append(seconds)
            warm.append(run_check(inventory)[0])
        cold_s, warm_s = statistics.median(cold), statistics.median(warm)
        print(f"C loader (process): {loader:.2f} s")
        print(
            f"check cold: {cold_s:.2f} s = {cold_s / loader:.2f}x C loader (goal 1.5x), exit {code}"
        )
        print(f"check warm: {warm_s:.2f} s = {warm_s / loader:.2f}x C loader (goal 0.3x)")
        start = time.perf_counter()
        catalog = load_catalog()
        loaded = read_inventory(inventory, catalog)
        read = time.perf_counter() - start
        plan = plan_organization(loaded.inventory, catalog, dt.date(2026, 11, 20), loaded.secrets)
        planned = time.perf_counter() - start - read
        print(
            f"in process: load+validate {read:.2f} s, plan+findings {planned:.2f} s, "
            f"findings {len(plan.findings)}"
        )


if __name__ == "__main__":
    main()
