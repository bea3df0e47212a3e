"""Write a synthetic organisation of N servers, 50 servers a site file, for the benchmarks."""

from __future__ import annotations

import argparse
import random
from pathlib import Path

ORG = """organization:
  name: Benchmark Org
  forest: corp.bench.example
  contacts: [{name: On-call, phone: "555-0100"}]
  rpo: 1d
  rto: 24h
  settings: {restore_rate_gb_per_hour: 40}
reviews:
  - {date: 2026-11-01, reviewer: Benchmark reviewer}
"""


def server_yaml(name: str, site: str, roles: list[str], rng: random.Random) -> str:
    lines = [
        f"  - name: {name}",
        f"    site: {site}",
        f"    fqdn: {name.lower()}.corp.bench.example",
        f"    roles: [{', '.join(roles)}]",
        "    os: Windows Server 2003 R2 x64 SP2",
        "    exchange_version: Version 8.3 (Build 83.6)",
        "    edition: Enterprise",
        "    media: {windows: '\\\\dist\\w2k3.iso', exchange: '\\\\dist\\sp3.iso'}",
        "    backups:",
        "      - {method: NTBackup, frequency: daily, covers: [storage-groups, system-state], location: offsite}",
    ]
    if "mailbox" in roles:
        lines.append("    storage_groups:")
        for sg in range(rng.randint(2, 4)):
            lines += [
                f"      - name: SG{sg + 1}",
                f"        log_prefix: E{sg:02d}",
                f"        log_path: 'F:\\SG{sg + 1}\\Logs'",
                f"        system_path: 'F:\\SG{sg + 1}'",
                "        databases:",
                f"          - {{name: DB{sg + 1}, size_gb: {rng.randint(20, 200)}, edb_path: 'E:\\SG{sg + 1}\\DB{sg + 1}.edb'}}",
            ]
        lines.append("    restore_tests:")
        lines.append("      - {date: 2026-10-01, scope: storage-groups, result: passed, by: Ops}")
    return "\n".join(lines) + "\n"


def generate(root: Path, count: int, seed: int = 7) -> Path:
    """Write ``count`` servers under ``root/inventory``; return the inventory folder."""
    rng = random.Random(seed)
    inventory = root / "inventory"
    (inventory / "sites").mkdir(parents=True, exist_ok=True)
    (inventory / "organization.yml").write_text(ORG, encoding="utf-8")
    per_file = 50
    sites = (count + per_file - 1) // per_file
    for site_number in range(sites):
        site = f"Site{site_number:03d}"
        text = [f"sites:\n  - name: {site}\nservers:\n"]
        for index in range(min(per_file, count - site_number * per_file)):
            name = f"S{site_number:03d}-{index:02d}"
            roles = (
                ["hub-transport"]
                if index == 0
                else ["client-access"]
                if index == 1
                else ["unified-messaging"]
                if index == 2
                else ["mailbox"]
            )
            text.append(server_yaml(name, site, roles, rng))
        (inventory / "sites" / f"{site.lower()}.yml").write_text("".join(text), encoding="utf-8")
    return inventory


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--servers", type=int, default=10_000)
    args = parser.parse_args()
    print(generate(args.folder, args.servers))
