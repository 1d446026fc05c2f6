"""Which articles report the same event: blocking by place and name within a date window.

No pair of articles is compared unless they share a *block*: a place key ("p:rocky mount") or a
proper name ("n:eddie holmes") within a window of days. Each article joins the blocks of its keys
(a list per key kept sorted by day, so a window is two bisections); a new article is compared
only with the members of its blocks inside the window, and linked to those a rule accepts.
Incidents are the connected groups of links (union-find), so adding articles never revisits a
block they do not touch: :meth:`IncidentIndex.add` says how many blocks it touched and how many
pairs it compared.

The link rules (:class:`LinkRules`, each with an id recorded on the link):

* ``link.names``: two or more people's names in common (a person's name in one article, the same
  words in the other), within ``name_window`` days;
* ``link.name_place``: one name in common and a place or state in common (or one side without a
  place), within ``name_place_window`` days;
* ``link.place_day``: a place in common, event days at most ``place_gap`` apart, and a second
  sign (title words in common, the same toll);
* ``link.title``: days at most ``title_gap`` apart, ``min_title_words`` title words in common and
  one of them rare in the index (in at most ``title_rare_df`` articles' words: a small town,
  "quadruple"; an absolute count, measured on 2,928 articles: a far larger store makes more words
  rare, and would want it set from its size);
* ``link.text``: days at most ``text_window`` apart and a TF-IDF cosine of title + lead words of
  at least ``text_cosine`` (``text_cosine_same_day`` when the days overlap; each article keeps its ``terms_kept`` rarest words; it is blocked under
  the rarest ones others share, and a few only it has, so later articles can find it).

A name is *informative* when few articles carry it, in the window (``name_cap``) and in the whole
index (``name_df_cap``): a masthead, a mall or a town written as a name is not, nor is a name that
is one of either article's places. Places match when one article's place is the other's or lies
within it (:attr:`~summarizer.incidents.places.Place.within`: "Carlton" and "Madison County"), or
is a gazetteer name the other mentions. Articles whose resolved event dates are more than
``date_conflict`` days apart, and articles datelined in different towns, are linked only by a
name (a follow-up's date is often a hearing's or a vigil's). Differing tolls never keep articles
apart: per-article figures are revised as the wounded die and are often mis-read, and letting
them veto links cost more recall than it saved precision (GVA dev half A: B-cubed F1 0.894 with
the veto, 0.922 without).
"""

from __future__ import annotations

import bisect
import math
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Optional

from summarizer.incidents.features import ArticleEvent


@dataclass(frozen=True)
class LinkRules:
    """Thresholds of the link rules (see the module doc); defaults measured on GVA dev."""

    name_window: int = 400
    name_place_window: int = 120
    place_window: int = 3
    place_gap: int = 1
    name_cap: int = 6
    name_df_cap: int = 8
    place_cap: int = 400
    date_conflict: int = 2
    min_title_words: int = 2
    text_window: int = 2
    title_gap: int = 1
    title_rare_df: int = 25
    title_block_cap: int = 15
    text_cosine: float = 0.15
    text_cosine_same_day: float = 0.10
    terms_kept: int = 40
    term_keys: int = 10


@dataclass
class AddReport:
    """What one :meth:`IncidentIndex.add` did: the articles added, blocks touched, pairs compared."""

    added: int = 0
    touched_blocks: int = 0
    compared_pairs: int = 0
    links: int = 0
    merged_groups: int = 0


@dataclass(frozen=True)
class Link:
    """Why two articles were put in one incident."""

    a: int
    b: int
    rule: str
    shared: tuple[str, ...]


class IncidentIndex:
    """Articles' events grouped into incidents, incrementally (see the module doc)."""

    def __init__(self, rules: Optional[LinkRules] = None) -> None:
        self.rules = rules or LinkRules()
        self.events: list[ArticleEvent] = []
        self._parent: list[int] = []
        self._blocks: dict[str, list[tuple[int, int]]] = {}
        self.links: list[Link] = []
        self._term_ids: dict[str, int] = {}
        self._words: list[str] = []
        self._name_df: dict[str, int] = {}
        self._df: list[int] = []
        self._terms: list[array] = []
        self._norms: list[float] = []
        self._documents = 0

    # -- union-find --------------------------------------------------------------------------
    def _find(self, node: int) -> int:
        parent = self._parent
        root = node
        while parent[root] != root:
            root = parent[root]
        while parent[node] != root:
            parent[node], node = root, parent[node]
        return root

    def _union(self, a: int, b: int) -> bool:
        root_a, root_b = self._find(a), self._find(b)
        if root_a == root_b:
            return False
        if root_a > root_b:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        return True

    # -- blocks ------------------------------------------------------------------------------
    def block_keys(self, event: ArticleEvent, terms: array) -> list[str]:
        keys = [f"p:{key}" for key in sorted(event.area_keys | event.mentions)]
        keys.extend(f"n:{name}" for name in event.name_runs)
        keys.extend(f"w:{term}" for term in terms)
        keys.extend(f"t:{word}" for word in sorted(event.title_words))
        return keys

    def _window(self, key: str) -> int:
        if key.startswith("n:"):
            return self.rules.name_window
        if key.startswith("w:"):
            return self.rules.text_window
        if key.startswith("t:"):
            return self.rules.title_gap
        return self.rules.place_window

    # -- terms -------------------------------------------------------------------------------
    def _count_terms(self, events: list[ArticleEvent]) -> None:
        for event in events:
            for name in event.name_runs:
                self._name_df[name] = self._name_df.get(name, 0) + 1
            for term in event.terms or ():
                term_id = self._term_ids.get(term)
                if term_id is None:
                    term_id = self._term_ids[term] = len(self._df)
                    self._df.append(0)
                    self._words.append(term)
                self._df[term_id] += 1
            self._documents += 1

    def _rarest(self, event: ArticleEvent) -> array:
        """The event's ``terms_kept`` rarest term ids (rarest first); its word set is dropped."""
        term_ids = self._term_ids
        ids = sorted([term_ids[term] for term in event.terms or ()], key=self._df.__getitem__)
        event.terms = None
        return array("l", ids[: self.rules.terms_kept])

    def _term_df(self, word: str) -> int:
        term_id = self._term_ids.get(word)
        return self._df[term_id] if term_id is not None else 0

    def _idf(self, term_id: int) -> float:
        return math.log(max(self._documents, 1) / self._df[term_id])

    def _members(self, key: str, day: int, window: int) -> list[tuple[int, int]]:
        block = self._blocks.get(key)
        if not block:
            return []
        low = bisect.bisect_left(block, (day - window, -1))
        high = bisect.bisect_right(block, (day + window, 1 << 62))
        return block[low:high]

    def cosine(self, a: int, b: int) -> float:
        """TF-IDF cosine of two events' kept terms (shared terms weighed with today's frequencies)."""
        shared = set(self._terms[a]).intersection(self._terms[b])
        if not shared:
            return 0.0
        norm = self._norms[a] * self._norms[b]
        if not norm:
            return 0.0
        dot = 0.0
        for term_id in shared:
            if self._df[term_id] > 1:
                weight = self._idf(term_id)
                dot += weight * weight
        return min(1.0, dot / norm)

    # -- adding ------------------------------------------------------------------------------
    def add(self, events: Iterable[ArticleEvent]) -> AddReport:
        """Add articles' events, link each to the members of its blocks that a rule accepts."""
        report = AddReport()
        touched: set[str] = set()
        batch = list(events)
        self._count_terms(batch)
        for event in batch:
            index = len(self.events)
            self.events.append(event)
            self._parent.append(index)
            terms = self._rarest(event)
            self._terms.append(terms)
            self._norms.append(math.sqrt(sum(self._idf(t) ** 2 for t in terms if self._df[t] > 1)))
            report.added += 1
            day = event.day
            if day is None:
                continue  # no day at all: nothing to block on (the caller reports it)
            keys = self.block_keys(event, self._term_words(self._block_terms(terms)))
            candidates: dict[int, list[str]] = {}
            informative: set[str] = set()
            for key in keys:
                touched.add(key)
                window = self._window(key)
                members = self._members(key, day, window)
                if key.startswith("n:"):
                    # a name many articles carry (a masthead, a mall, a town written as a name)
                    # tells nothing about which event this is
                    if len(members) >= self.rules.name_cap or self._name_df.get(key[2:], 0) > self.rules.name_df_cap:
                        continue
                    informative.add(key[2:])
                elif key.startswith("t:") and len(members) > self.rules.title_block_cap:
                    continue  # a common title word ("shooting") is no block
                elif len(members) > self.rules.place_cap:
                    members = members[-self.rules.place_cap:]
                for _, other in members:
                    candidates.setdefault(other, []).append(key)
            for other in sorted(candidates):
                report.compared_pairs += 1
                link = self._link(other, index, informative)
                if link is not None:
                    self.links.append(link)
                    report.links += 1
                    if self._union(other, index):
                        report.merged_groups += 1
            for key in keys:
                bisect.insort(self._blocks.setdefault(key, []), (day, index))
        report.touched_blocks = len(touched)
        return report

    def _block_terms(self, terms: array) -> list[int]:
        """The rarest terms others already have (to find them), and a few only this one has (to be found)."""
        shared = [t for t in terms if self._df[t] > 1][: self.rules.term_keys]
        own = [t for t in terms if self._df[t] == 1][: self.rules.term_keys // 2]
        return shared + own

    def _term_words(self, terms: list[int]) -> list[str]:
        return [self._words[t] for t in terms]

    def _link(self, a: int, b: int, informative: set[str]) -> Optional[Link]:
        rules = self.rules
        first, second = self.events[a], self.events[b]
        gap = _gap(first, second)
        names = tuple(sorted(
            (((first.names & second.name_runs) | (second.names & first.name_runs)) & informative)
            - first.place_keys - second.place_keys  # "Las Vegas" written as a name is a place
        ))
        if len(names) >= 2 and gap <= rules.name_window:
            return Link(a, b, "link.names", names)
        places = tuple(sorted(
            (first.place_keys & (second.area_keys | second.mentions)) | ((first.area_keys | first.mentions) & second.place_keys)
        ))
        if len(names) == 1 and gap <= rules.name_place_window:
            # a person's name outweighs dates read off a follow-up (the day of a hearing, a vigil)
            if places or (first.states & second.states) or not first.place_keys or not second.place_keys:
                return Link(a, b, "link.name_place", names + places)
        if _dates_conflict(first, second, rules.date_conflict) or (not places and _datelines_differ(first, second)):
            return None
        if places and gap <= rules.place_gap:
            shared_title = first.title_words & second.title_words
            same_toll = bool(first.tolls) and first.tolls == second.tolls
            if len(shared_title) >= rules.min_title_words or same_toll:
                return Link(a, b, "link.place_day", places + tuple(sorted(shared_title)))
        if gap <= rules.title_gap:
            shared_title = first.title_words & second.title_words
            rare = sorted(word for word in shared_title if 0 < self._term_df(word) <= rules.title_rare_df)
            if rare and len(shared_title) >= rules.min_title_words:
                return Link(a, b, "link.title", tuple(rare))
        if gap <= rules.text_window:
            similarity = self.cosine(a, b)
            if similarity >= (rules.text_cosine_same_day if gap == 0 else rules.text_cosine):
                return Link(a, b, "link.text", (f"cosine {similarity:.2f}",))
        return None

    # -- reading -----------------------------------------------------------------------------
    def groups(self) -> list[list[int]]:
        """Incidents as lists of event indexes, each sorted, ordered by their first member."""
        by_root: dict[int, list[int]] = {}
        for index in range(len(self.events)):
            by_root.setdefault(self._find(index), []).append(index)
        return sorted(by_root.values(), key=lambda members: members[0])

    def group_of(self, index: int) -> int:
        return self._find(index)

    @property
    def block_count(self) -> int:
        return len(self._blocks)


def _gap(first: ArticleEvent, second: ArticleEvent) -> int:
    """Days between two articles' events (0 when their date intervals overlap)."""
    if first.event is not None and second.event is not None:
        a0, a1 = first.event.start.toordinal(), first.event.end.toordinal()
        b0, b1 = second.event.start.toordinal(), second.event.end.toordinal()
        if a1 < b0:
            return b0 - a1
        if b1 < a0:
            return a0 - b1
        return 0
    day_a, day_b = first.day, second.day
    if day_a is None or day_b is None:
        return 1 << 30
    return abs(day_a - day_b)


def _dates_conflict(first: ArticleEvent, second: ArticleEvent, limit: int) -> bool:
    return first.event is not None and second.event is not None and _gap(first, second) > limit


def _datelines_differ(first: ArticleEvent, second: ArticleEvent) -> bool:
    """Both articles are datelined, in different towns (neither inside the other)."""
    here = [place for place in first.places if place.rule == "place.dateline"]
    there = [place for place in second.places if place.rule == "place.dateline"]
    if not here or not there:
        return False
    a, b = here[0], there[0]
    return a.key != b.key and a.key not in b.within and b.key not in a.within
