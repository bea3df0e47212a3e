"""Time `mkdocs-exdr check` on a generated organisation of 10,000 servers (goal: under 2 s).

Prints the wall time of the whole command (median of several runs) and, in-process, how long
loading, validating and planning take.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate
from mkdocs_exdr.plan.engine import plan_organization
from mkdocs_exdr.policies.catalog import load_catalog
from mkdocs_exdr.validate.inventory import read_inventory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--servers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        inventory = generate(Path(tmp), args.servers)
        size = sum(p.stat().st_size for p in inventory.rglob("*.yml"))
        print(
            f"servers: {args.servers}  files: {len(list(inventory.rglob('*.yml')))}  bytes: {size:,}"
        )
        exe = Path(sys.executable).parent / "mkdocs-exdr"
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            result = subprocess.run(
                [str(exe), "check", str(inventory), "--as-of", "2026-11-20"],
                capture_output=True,
                text=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
        print(
            f"mkdocs-exdr check: exit {result.returncode}, median {statistics.median(times):.2f} s "
            f"(runs: {', '.join(f'{t:.2f}' for t in times)})"
        )
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
