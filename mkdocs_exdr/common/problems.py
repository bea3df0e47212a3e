"""Problems with input files: data, collected in full, reported together."""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs_exdr.common.shown import shortened

#: The longest problem message (or field) shown whole: a longer one quoted input in full.
MAX_MESSAGE = 1_000


@dataclass(frozen=True, order=True)
class Location:
    """Where a value was read: a file (as given by the user) and a 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if not self.line:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True, order=True)
class Problem:
    """One reason why input is invalid, said like a compiler says it."""

    where: Location
    field: str
    message: str

    def __post_init__(self) -> None:  # a net under every message that quotes input
        for name in ("field", "message"):
            text = getattr(self, name)
            if len(text) > MAX_MESSAGE:
                object.__setattr__(self, name, shortened(text, MAX_MESSAGE))

    def __str__(self) -> str:
        field = f" {self.field}:" if self.field else ""
        return f"{self.where}:{field} {self.message}"

    def to_json(self) -> dict[str, object]:
        """The problem as a JSON object for ``--format json``."""
        return {
            "file": self.where.file,
            "line": self.where.line,
            "column": self.where.column,
            "field": self.field,
            "message": self.message,
        }


class InvalidInput(Exception):
    """Raised with every problem found when input cannot be used."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the input")

    def report(self) -> str:
        """All problems, one a line, then the count."""
        return "\n".join([*map(str, self.problems), str(self)])
