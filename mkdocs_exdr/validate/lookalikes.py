"""Names that look like other names: refused, so one cannot stand for another unseen.

A site ``L\u043endon`` (with a Cyrillic o) reads as ``London`` on every page and in every
message, but is not equal to it: a backup kept "in L\u043endon" would count as away from London
and hide EXDR007. Two rules, each simple to state and to check:

- **One script per word.** The letters of each word (a run of letters) of a server, site,
  storage group or database name are all Latin, all Cyrillic or all Greek (letters of other
  scripts are not counted). A word that mixes them is refused, naming the odd letter; words in
  different scripts (``SG1 Москва``, as Exchange installed in Russian names things) are fine.
- **No two names of a kind look alike.** Each name is reduced to a skeleton: compatibility
  forms folded (NFKC: fullwidth ``Ｌ`` is ``L``), every Cyrillic or Greek letter that looks like
  a Latin one replaced by it, and case folded. Two sites, two servers, two storage groups of a
  server or two databases of a storage group with the same skeleton, but not the same name
  (that is a duplicate, reported elsewhere), are refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mkdocs_exdr.common.problems import Location, Problem
from mkdocs_exdr.common.repeats import split_repeats
from mkdocs_exdr.inventory.model import Server, Site

#: The scripts that must not mix within one word: the ones with letters that look Latin.
SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")
#: A word: letters, and the combining marks that may follow them (decomposed accents).
_WORDS = re.compile(r"(?:[^\W\d_][\u0300-\u036f]*)+")
#: Cyrillic and Greek letters that look like a Latin letter, with that letter. Before case
#: folding, as capitals and small letters look like different ones (Greek Υ is Y, υ is u).
_LOOK_LATIN = str.maketrans(
    {
        **dict(zip("АВЕЅІЈКМНОРСТУХҮӀ", "ABESIJKMHOPCTYXYI", strict=True)),
        **dict(zip("аеёіїјкморсуѕһԁԛԝӏүх", "aeëiïjkmopcyshdqwlyx", strict=True)),
        **dict(zip("ΑΒΕΖΗΙΚΜΝΟΡΤΥΧϹ", "ABEZHIKMNOPTYXC", strict=True)),
        **dict(zip("αγεηικμνορτυχωϲϳ", "ayenikuvoptuxwcj", strict=True)),
    }
)


@dataclass(frozen=True)
class _Name:
    kind: str
    field: str
    text: str
    where: Location


def lookalike_names(sites: list[Site], servers: list[Server]) -> list[Problem]:
    """A problem at each name that mixes scripts, and at each name that looks like an earlier
    one of its kind."""
    groups: list[list[_Name]] = [
        [_Name("site", "sites", site.name, site.where) for site in sites],
        [_Name("server", "servers", server.name, server.where) for server in servers],
    ]
    for server in servers:
        groups.append(
            [
                _Name("storage group", "storage_groups", g.name, g.where)
                for g in server.storage_groups
            ]
        )
        for group in server.storage_groups:
            groups.append(
                [_Name("database", "databases", db.name, db.where) for db in group.databases]
            )
    problems = [problem for names in groups for problem in _mixed(names)]
    for names in groups:
        problems += _alike(names)
    return problems


def skeleton(name: str) -> str:
    """What ``name`` looks like: compatibility forms and case folded, lookalike letters Latin."""
    return unicodedata.normalize("NFKC", name).translate(_LOOK_LATIN).casefold()


def scripts_of(word: str) -> list[str]:
    """The scripts of ``SCRIPTS`` that the letters of ``word`` are written in, in that order."""
    found = {script for _, script in _letters(word)}
    return [script for script in SCRIPTS if script in found]


def words(name: str) -> list[str]:
    """The words of ``name`` after NFKC: runs of letters and the combining marks on them."""
    return _WORDS.findall(unicodedata.normalize("NFKC", name))


def _letters(word: str) -> Iterator[tuple[str, str]]:
    """Each letter of ``word`` in one of ``SCRIPTS``, with its script."""
    for char in word:
        if char.isalpha():
            script = unicodedata.name(char, "").split(" ", 1)[0]
            if script in SCRIPTS:
                yield char, script


def _mixed(names: Iterable[_Name]) -> Iterator[Problem]:
    for name in names:
        for word in words(name.text):
            scripts = scripts_of(word)
            if len(scripts) < 2:
                continue
            odd = next(char for char, script in _letters(word) if script != scripts[0])
            yield Problem(
                name.where,
                name.field,
                f"{name.kind} name {name.text!r} mixes "
                f"{' and '.join(s.title() for s in scripts)} letters in a word "
                f"(U+{ord(odd):04X} {unicodedata.name(odd, '?')}), so it looks like a name it "
                "is not: write each word in one script",
            )
            break


def _alike(names: list[_Name]) -> list[Problem]:
    distinct, _ = split_repeats(names, key=lambda name: name.text.casefold())
    _, alike = split_repeats(distinct.values(), key=lambda name: skeleton(name.text))
    return [
        Problem(
            again.where,
            again.field,
            f"{again.kind} name {again.text!r} looks like {first.kind} {first.text!r} (at "
            f"{first.where}) but is spelt with other characters "
            f"({_differing(first.text, again.text)}); rename one",
        )
        for first, again in alike
    ]


def _differing(first: str, again: str) -> str:
    """The characters outside ASCII that only one of two names holds, as code points."""
    odd = set(first) ^ set(again)
    return ", ".join(sorted(f"U+{ord(char):04X}" for char in odd if ord(char) > 0x7F)[:6])
