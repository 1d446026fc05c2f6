"""Deciding whether two names refer to the same speaker, claimant or source.

Articles name people and bodies in several ways ("Russian Foreign Minister Sergei Lavrov",
"Sergei Lavrov", "Lavrov"; "the Local Coordination Committees", "the LCC"), and a labeller and a
model will not always pick the same mention. Scoring therefore compares names by *alias
equality* rather than string equality:

* titles, roles and articles are ignored ("President", "Foreign Minister", "the");
* persons: one name's tokens contain the other's last name token ("Lavrov" = "Sergei Lavrov");
* organisations (the last token is a generic body noun such as "ministry" or "committees"):
  the shorter name's tokens must all occur in the longer one, so that "the health ministry" =
  "the ministry" but "the health ministry" != "the defence ministry";
* an acronym equals the initials of the other name's capitalised words ("the LCC" = "Local
  Coordination Committees", "SOHR" = "Syrian Observatory for Human Rights");
* comparison is case-insensitive, and two missing names (both ``None``) are equal.
"""

from __future__ import annotations

import re
from typing import Optional

#: Words that say what someone is, not who: dropped before names are compared.
_TITLES = frozenset(
    """
    the a an of for and mr mrs ms miss dr prof sir lord lady
    president vice prime minister ministers deputy secretary
    general gen col colonel lt lieutenant maj major capt captain sgt sergeant cpl corporal
    brig brigadier adm admiral commander chief head leader spokesman spokeswoman spokesperson
    ambassador envoy senator sen rep representative governor gov mayor king queen prince sheikh
    msgr monsignor archbishop bishop father rev reverend pope judge justice prosecutor attorney
    former acting senior official officials
    """.split()
)

#: Generic nouns that end the names of bodies; such names need a stricter comparison.
_BODY_NOUNS = frozenset(
    """
    ministry ministries committee committees council councils observatory agency agencies office
    government army forces force police group groups organisation organization organisations
    organizations union front movement party department service services authority authorities
    commission network center centre institute court coalition command brigade brigades
    association federation alliance news tv radio press
    """.split()
)

_TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)


def name_tokens(name: str) -> list[str]:
    """Lower-cased word tokens of ``name`` without titles, roles, articles or possessive 's."""
    cleaned = re.sub(r"['\u2019]s\b", "", name)
    return [token for token in _TOKEN_RE.findall(cleaned.lower()) if token not in _TITLES]


def acronym(name: str) -> str:
    """Initials of the capitalised words of ``name``, lower-cased: "Local Coordination
    Committees" -> "lcc". Words written in capitals ("LCC") contribute themselves."""
    letters = []
    for word in re.findall(r"[^\W\d_][\w'\u2019-]*", name):
        if word.isupper() and len(word) > 1:
            letters.append(word)
        elif word[0].isupper() and word.lower() not in ("the", "a", "an"):
            letters.append(word[0])
    return "".join(letters).lower()


def _is_acronym_of(short: str, long: str) -> bool:
    tokens = name_tokens(short)
    if len(tokens) != 1 or len(tokens[0]) < 2:
        return False
    initials = acronym(long)
    return len(initials) >= 2 and tokens[0] == initials


def alias_equal(a: Optional[str], b: Optional[str]) -> bool:
    """True when ``a`` and ``b`` name the same person or body (see the module docstring)."""
    if a is None or b is None:
        return a is None and b is None
    tokens_a, tokens_b = name_tokens(a), name_tokens(b)
    if not tokens_a or not tokens_b:
        return a.strip().lower() == b.strip().lower()
    if tokens_a == tokens_b:
        return True
    if _is_acronym_of(a, b) or _is_acronym_of(b, a):
        return True
    shorter, longer = sorted((tokens_a, tokens_b), key=len)
    if tokens_a[-1] in _BODY_NOUNS or tokens_b[-1] in _BODY_NOUNS:
        return set(shorter) <= set(longer)
    return tokens_a[-1] in tokens_b or tokens_b[-1] in tokens_a
