"""The one duration grammar used by every field that holds a span of time.

A duration is a positive whole number followed by a unit, ``m`` (minutes), ``h`` (hours),
``d`` (days) or ``w`` (weeks), as in ``30m``, ``4h``, ``1d`` and ``2w``; or one of the words
``hourly``, ``daily`` and ``weekly``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_WORDS = {"hourly": "1h", "daily": "1d", "weekly": "1w"}
_NUMBER = "[1-9][0-9]{0,6}"
_UNIT_LETTERS = "".join(_UNITS)
_PATTERN = re.compile(rf"^({_NUMBER})([{_UNIT_LETTERS}])$")
#: The grammar as a JSON Schema pattern, for editors; ``parse_duration`` also takes upper case.
SCHEMA_PATTERN = rf"^({_NUMBER}[{_UNIT_LETTERS}{_UNIT_LETTERS.upper()}]|{'|'.join(_WORDS)})$"

GRAMMAR = "a duration such as 30m, 4h, 1d, 2w, or hourly, daily, weekly"


@dataclass(frozen=True, order=True)
class Duration:
    """A span of time, kept in seconds and printed as it was written."""

    seconds: int
    text: str = ""

    def __str__(self) -> str:
        return self.text or f"{self.seconds}s"

    @property
    def hours(self) -> float:
        """The duration in hours."""
        return self.seconds / 3600

    @property
    def days(self) -> float:
        """The duration in days."""
        return self.seconds / 86400


def parse_duration(text: str) -> Duration:
    """Parse ``text`` in the duration grammar; raise ``ValueError`` when it does not fit."""
    word = text.strip().lower()
    spelled = _WORDS.get(word, word)
    match = _PATTERN.match(spelled)
    if not match:
        raise ValueError(f"expected {GRAMMAR}, got {text!r}")
    return Duration(int(match.group(1)) * _UNITS[match.group(2)], word)


def describe(seconds: float) -> str:
    """Say how long ``seconds`` is in the largest unit that reads naturally."""
    if seconds < 3600:
        minutes = round(seconds / 60)
        return "under a minute" if minutes < 1 else counted(minutes, "minute")
    if seconds < 2 * 86400:
        return counted(round(seconds / 360) / 10, "hour")
    return counted(round(seconds / 8640) / 10, "day")


def counted(amount: float, unit: str) -> str:
    """``1 hour``, ``1.5 hours``, ``2 days``: the number as it reads, the unit in agreement."""
    return f"{amount:g} {unit}" + ("" if amount == 1 else "s")


def spoken(duration: Duration) -> tuple[str, str]:
    """How often and how much: ``("week", "a week")`` for ``weekly`` or ``1w``,
    ``("2 weeks", "2 weeks")`` for ``2w``; for "backed up every …, so up to … can be lost"."""
    for unit, name in (("w", "week"), ("d", "day"), ("h", "hour"), ("m", "minute")):
        if duration.seconds % _UNITS[unit] == 0:
            amount = duration.seconds // _UNITS[unit]
            if amount == 1:
                return name, f"a {name}" if name != "hour" else "an hour"
            return counted(amount, name), counted(amount, name)
    return str(duration), str(duration)
