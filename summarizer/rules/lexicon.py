"""Rule knowledge as data: the word lists the rules read, in ``summarizer/rules/lexicons/*.toml``.

Each file holds one family's concepts (``outcomes.toml``: what happened to people;
``victim_groups.toml``: who they were; ...). A concept is either a list of words (``words``) or a
table of such lists by label (``table``: ``[verbs] killed = [...]``, a word under one label only),
or a word -> label table (``mapping``). Lists are sorted and hold no repeats; a table's labels are
sorted unless the file says their order is a precedence (first label wins), which
:data:`ORDERED_TABLES` records. Other sections (``[tolls]``) only group related lists. ``tests/test_rules_lexicons.py`` checks all of
this and that every entry is read by some rule.

Files are parsed once per process (``functools.lru_cache``); the rules read them into module
constants at import time, so a rule never touches the disk while it runs.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 only
    import tomli as tomllib

#: Where the lexicon files live (shipped in the wheel as package data).
LEXICON_DIR = Path(__file__).parent / "lexicons"

#: Tables whose label order is a precedence (the first label whose words match wins).
ORDERED_TABLES = frozenset({
    ("victim_groups", "body_words"),
})

#: Every (file, dotted key) a rule has read in this process: what the "every entry is used" test checks.
READ: set[tuple[str, str]] = set()
#: Every (file, key) read as a label table (:func:`table`): its words sit under one label each.
LABEL_TABLES: set[tuple[str, str]] = set()


class LexiconError(KeyError):
    """A rule asked for a file or concept the lexicons do not have."""


@lru_cache(maxsize=None)
def load(name: str) -> Mapping[str, Any]:
    """The parsed ``lexicons/<name>.toml`` (cached: parsed once per process)."""
    path = LEXICON_DIR / f"{name}.toml"
    if not path.is_file():
        raise LexiconError(f"no lexicon file {path.name} in {LEXICON_DIR}")
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _entry(name: str, key: str) -> Any:
    node: Any = load(name)
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            raise LexiconError(f"lexicon {name}.toml has no entry {key!r}")
        node = node[part]
    READ.add((name, key))
    return node


def words(name: str, key: str) -> frozenset[str]:
    """The word list ``key`` (dotted for a table's label: ``"verbs.killed"``) of file ``name``."""
    entry = _entry(name, key)
    if not isinstance(entry, list):
        raise LexiconError(f"lexicon {name}.toml entry {key!r} is not a word list")
    return frozenset(entry)


def table(name: str, key: str) -> dict[str, frozenset[str]]:
    """The table ``key`` of file ``name``: label -> word set, in the file's order."""
    entry = _entry(name, key)
    if not isinstance(entry, Mapping):
        raise LexiconError(f"lexicon {name}.toml entry {key!r} is not a table")
    LABEL_TABLES.add((name, key))
    for label in entry:
        READ.add((name, f"{key}.{label}"))
    return {label: frozenset(values) for label, values in entry.items()}


def mapping(name: str, key: str) -> dict[str, str]:
    """The table ``key`` of file ``name`` read as word -> label (``[adjectives] dead = "killed"``)."""
    entry = _entry(name, key)
    if not isinstance(entry, Mapping) or not all(isinstance(v, str) for v in entry.values()):
        raise LexiconError(f"lexicon {name}.toml entry {key!r} is not a word -> label table")
    return dict(entry)


def by_word(labelled: Mapping[str, frozenset[str]]) -> dict[str, str]:
    """Invert a table: word -> its label (a word is under one label only; the test checks it)."""
    return {word: label for label, group in labelled.items() for word in group}


def phrase_pattern(name: str, key: str) -> re.Pattern[str]:
    """The phrase list ``key`` as one case-insensitive whole-word regex, ``\\b(?:a|b|...)\\b``.

    Entries are regex fragments ("on (?:monday|tuesday)", "\\\\d+"); the longest come first so
    that the matched text is the longest phrase at a position.
    """
    entry = _entry(name, key)
    if not isinstance(entry, list):
        raise LexiconError(f"lexicon {name}.toml entry {key!r} is not a phrase list")
    alternatives = "|".join(sorted(entry, key=lambda p: (-len(p), p)))
    return re.compile(rf"\b({alternatives})\b", re.IGNORECASE)
