"""Names that must be unique: the first of each wins, every later one is reported against it."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


def split_repeats(
    items: Iterable[T], key: Callable[[T], K]
) -> tuple[dict[K, T], list[tuple[T, T]]]:
    """The first item of each ``key``, in order, and each later item paired with that first one,
    so a message can say "defined twice; first at …"."""
    firsts: dict[K, T] = {}
    repeats: list[tuple[T, T]] = []
    for item in items:
        name = key(item)
        if name in firsts:
            repeats.append((firsts[name], item))
        else:
            firsts[name] = item
    return firsts, repeats
