"""Common US given names, and the common name a word that is none may be a misread of.

``GIVEN_NAMES_PATH`` is ``data/given_names.txt``: the US Census Bureau's 1990 first-name files (public
domain), cut to the 2,116 names given to at least 0.006% of men or of women, most common first; its header
states the source and the cut. ``given_names()`` loads it once (a tuple, most common first).

``misread_name_of(word)``: the most common listed name one edit from ``word`` (a letter changed, added,
dropped, or two neighbours swapped) when ``word`` itself is not listed: "ERTC" → "ERIC", "DIANAA" (an
initial glued on) → "DIANA", "MAIRA" → "MARIA"; for a listed name, a name one letter from it that is listed
``COMMONER`` times nearer the top ("MARTA", rank 871, → "MARIA", rank 33: tesseract read MARIA so in two
families' fonts); None for a name no edit from a listed one ("KHALID") and for a listed name without a far
commoner neighbour ("DIANA", "MARLA", "ERIN").
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from string import ascii_uppercase

GIVEN_NAMES_PATH = Path(__file__).with_name("data") / "given_names.txt"


@cache
def given_names() -> tuple[str, ...]:
    """The listed names, most common first."""
    lines = GIVEN_NAMES_PATH.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@cache
def _ranks() -> dict[str, int]:
    return {name: rank for rank, name in enumerate(given_names())}


COMMONER = 10  # how many times nearer the top a listed name must be to doubt a listed name one letter from it


def misread_name_of(word: str) -> str | None:
    """The most common listed name one edit from ``word`` (one letter from a listed ``word``, and
    ``COMMONER`` times nearer the top), or None."""
    ranks = _ranks()
    if word not in ranks:
        return min((near for near in _one_edit(word) if near in ranks), key=ranks.__getitem__, default=None)
    nearer = [
        near for near in _one_letter_changed(word) if COMMONER * ranks.get(near, len(ranks)) < ranks[word]
    ]
    return min(nearer, key=ranks.__getitem__, default=None)


def _one_letter_changed(word: str) -> set[str]:
    changed = {word[:at] + letter + word[at + 1 :] for at in range(len(word)) for letter in ascii_uppercase}
    return changed - {word}


def _one_edit(word: str) -> set[str]:
    """Every string one substitution, insertion, deletion or swap of neighbours from ``word``."""
    splits = [(word[:at], word[at:]) for at in range(len(word) + 1)]
    dropped = {head + tail[1:] for head, tail in splits if tail}
    swapped = {head + tail[1] + tail[0] + tail[2:] for head, tail in splits if len(tail) > 1}
    changed = {head + letter + tail[1:] for head, tail in splits if tail for letter in ascii_uppercase}
    added = {head + letter + tail for head, tail in splits for letter in ascii_uppercase}
    return (dropped | swapped | changed | added) - {word}
