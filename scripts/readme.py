"""Fill the generated sections of README.md: field references and the findings table."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs_exdr.plan.findings import CODES
from mkdocs_exdr.validate.schema import field_reference

README = Path(__file__).resolve().parent.parent / "README.md"


def findings_table() -> str:
    rows = ["| Code | Severity | Finding | Source |", "| --- | --- | --- | --- |"]
    for code in CODES.values():
        source = f"[source]({code.source})" if code.source.startswith("http") else code.source
        rows.append(f"| {code.code} | {code.severity} | {code.title} | {source} |")
    return "\n".join(rows) + "\n"


SECTIONS = {
    "inventory-reference": lambda: field_reference("inventory"),
    "policy-reference": lambda: field_reference("policy"),
    "findings": findings_table,
}


def filled(text: str) -> str:
    for name, make in SECTIONS.items():
        pattern = re.compile(rf"(<!-- {name}:start -->\n).*?(<!-- {name}:end -->)", re.DOTALL)
        text = pattern.sub(
            lambda m, make=make: m.group(1) + "\n" + make() + "\n" + m.group(2), text
        )
    return text


if __name__ == "__main__":
    current = README.read_text(encoding="utf-8")
    if "--check" in sys.argv:
        sys.exit(0 if filled(current) == current else 1)
    README.write_text(filled(current), encoding="utf-8")
