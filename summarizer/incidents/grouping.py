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
import heapq
import math
import sys
import zlib
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Optional

from summarizer.incidents.features import ArticleEvent

#: Counters of the document-frequency table (a power of two; 16 MB of uint32).
FREQUENCY_SLOTS = 1 << 22
FREQUENCY_MASK = FREQUENCY_SLOTS - 1


def _hash(word: str) -> int:
    """A stable 32-bit id of a word (CRC-32: the same in every process, unlike ``hash``)."""
    return zlib.crc32(word.encode("utf-8"))


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


#: Link rule ids, coded one byte per record in :attr:`IncidentIndex.linked_by`.
RULE_IDS = ("", "link.names", "link.name_place", "link.place_day", "link.title", "link.text")


@dataclass
class _Held:
    """What the index keeps of a record while a new one can still be linked to it."""

    event: ArticleEvent
    day: int
    keys: tuple[str, ...]  # every block it is in (interned strings: shared with the block dict)
    terms: Optional[array]  # its kept rarest term ids, until the short horizon
    norm: float


class IncidentIndex:
    """Articles' events grouped into incidents, incrementally, in a sliding window of days.

    Memory is bounded by the records inside the window, not by all records added: a record can
    only be linked to one at most :attr:`long_horizon` days away (the name window), so once the
    newest day added is further on, everything about it is dropped (its block entries, words and
    names, and their counts). Its words and place, title and word blocks go earlier, after
    :attr:`short_horizon` days (only names link further). What grows with every record is the
    output itself: its incident (a union-find parent, 8 bytes) and the rule that linked it (1
    byte). Records are expected roughly in day order (as a store grows; :func:`group_incidents`
    sorts a batch): one older than the window is compared only with what is still held.
    Document frequencies (rare words, informative names) are counted over every record added,
    in a fixed table of :data:`FREQUENCY_SLOTS` counters addressed by a hash of the word (a
    collision can only make a word look commoner than it is): their memory does not grow either.
    """

    def __init__(self, rules: Optional[LinkRules] = None) -> None:
        self.rules = rules or LinkRules()
        self._parent = array("q")
        self._rule = bytearray()
        self._held: dict[int, _Held] = {}
        self._blocks: dict[str, list[tuple[int, int]]] = {}
        self._frequency = array("I", bytes(4 * FREQUENCY_SLOTS))  # uint32 counters, zeroed
        self._documents = 0
        self._newest: Optional[int] = None
        self._short: list[tuple[int, int]] = []  # heaps of (day, index) of records held
        self._long: list[tuple[int, int]] = []
        rules = self.rules
        self.short_horizon = max(rules.place_window, rules.place_gap, rules.text_window, rules.title_gap, rules.date_conflict)
        self.long_horizon = max(rules.name_window, rules.name_place_window, self.short_horizon)

    def __len__(self) -> int:
        return len(self._parent)

    def event(self, index: int) -> Optional[ArticleEvent]:
        """The record's event while the index still holds it (None once out of the window)."""
        held = self._held.get(index)
        return held.event if held is not None else None

    def linked_by(self, index: int) -> Optional[str]:
        """The rule of the first link that joined the record to an earlier one (None for none)."""
        return RULE_IDS[self._rule[index]] or None

    @property
    def held(self) -> int:
        """Records held now (inside the window)."""
        return len(self._held)

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

    # -- the window --------------------------------------------------------------------------
    def _evict(self, newest: int) -> None:
        """Drop what no record on or after ``newest`` can be linked to."""
        while self._short and self._short[0][0] < newest - self.short_horizon:
            _, index = heapq.heappop(self._short)
            held = self._held[index]
            held.terms = None
            kept = []
            for key in held.keys:
                if key.startswith("n:"):
                    kept.append(key)
                else:
                    self._unblock(key, held.day, index)
            held.keys = tuple(kept)
        while self._long and self._long[0][0] < newest - self.long_horizon:
            _, index = heapq.heappop(self._long)
            held = self._held.pop(index)
            for key in held.keys:
                self._unblock(key, held.day, index)

    def _unblock(self, key: str, day: int, index: int) -> None:
        block = self._blocks[key]
        position = bisect.bisect_left(block, (day, index))
        if position < len(block) and block[position] == (day, index):
            del block[position]
        if not block:
            del self._blocks[key]

    # -- blocks ------------------------------------------------------------------------------
    def block_keys(self, event: ArticleEvent, terms: array) -> list[str]:
        keys = [f"p:{key}" for key in sorted(event.matchable_keys)]
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
    def _count(self, event: ArticleEvent) -> None:
        """Count the event's names and words in the document frequencies."""
        frequency = self._frequency
        for name in event.name_runs:
            frequency[_hash("n:" + name) & FREQUENCY_MASK] += 1
        for term in event.terms or ():
            frequency[_hash(term) & FREQUENCY_MASK] += 1
        self._documents += 1

    def _df_of(self, term_id: int) -> int:
        return self._frequency[term_id & FREQUENCY_MASK]

    def _rarest(self, event: ArticleEvent) -> array:
        """The event's ``terms_kept`` rarest term ids (word hashes, rarest first); its word set is dropped."""
        ids = list(dict.fromkeys(_hash(term) for term in event.terms or ()))
        frequency = self._frequency
        ids = sorted(ids, key=lambda term_id: frequency[term_id & FREQUENCY_MASK])[: self.rules.terms_kept]  # stable
        event.terms = None
        return array("q", ids)

    def _term_df(self, word: str) -> int:
        return self._df_of(_hash(word))

    def _name_df(self, name: str) -> int:
        return self._df_of(_hash("n:" + name))

    def _idf(self, term_id: int) -> float:
        return math.log(max(self._documents, 1) / max(self._df_of(term_id), 1))

    def _members(self, key: str, day: int, window: int) -> list[tuple[int, int]]:
        block = self._blocks.get(key)
        if not block:
            return []
        low = bisect.bisect_left(block, (day - window, -1))
        high = bisect.bisect_right(block, (day + window, 1 << 62))
        return block[low:high]

    def cosine(self, a: int, b: int) -> float:
        """TF-IDF cosine of two events' kept terms (shared terms weighed with today's frequencies)."""
        first, second = self._held.get(a), self._held.get(b)
        if first is None or second is None or first.terms is None or second.terms is None:
            return 0.0
        shared = set(first.terms).intersection(second.terms)
        if not shared:
            return 0.0
        norm = first.norm * second.norm
        if not norm:
            return 0.0
        dot = 0.0
        for term_id in shared:
            if self._df_of(term_id) > 1:
                weight = self._idf(term_id)
                dot += weight * weight
        return min(1.0, dot / norm)

    # -- adding ------------------------------------------------------------------------------
    def add(self, events: Iterable[ArticleEvent]) -> AddReport:
        """Add articles' events, link each to the members of its blocks that a rule accepts."""
        report = AddReport()
        touched: set[str] = set()
        batch = list(events)
        for event in batch:
            if event.day is not None:
                self._count(event)  # the whole batch first: a word's rarity is the same for all of it
        for event in batch:
            index = len(self._parent)
            self._parent.append(index)
            self._rule.append(0)
            report.added += 1
            day = event.day
            if day is None:
                event.terms = None
                continue  # no day at all: nothing to block on (the caller reports it)
            if self._newest is None or day > self._newest:
                self._newest = day
                self._evict(day)
            terms = self._rarest(event)
            norm = math.sqrt(sum(self._idf(t) ** 2 for t in terms if self._df_of(t) > 1))
            keys = tuple(sys.intern(key) for key in self.block_keys(event, self._term_words(self._block_terms(terms))))
            self._held[index] = _Held(event, day, keys, terms, norm)
            heapq.heappush(self._short, (day, index))
            heapq.heappush(self._long, (day, index))
            candidates: dict[int, list[str]] = {}
            informative: set[str] = set()
            for key in keys:
                touched.add(key)
                window = self._window(key)
                members = self._members(key, day, window)
                if key.startswith("n:"):
                    # a name many articles carry (a masthead, a mall, a town written as a name)
                    # tells nothing about which event this is
                    if len(members) >= self.rules.name_cap or self._name_df(key[2:]) > self.rules.name_df_cap:
                        continue
                    informative.add(key[2:])
                elif key.startswith("t:") and len(members) > self.rules.title_block_cap:
                    continue  # a common title word ("shooting") is no block
                elif len(members) > self.rules.place_cap:
                    members = members[-self.rules.place_cap:]
                for _, other in members:
                    if other != index:
                        candidates.setdefault(other, []).append(key)
            for other in sorted(candidates):
                report.compared_pairs += 1
                rule = self._link(other, index, informative)
                if rule is not None:
                    if not self._rule[index]:
                        self._rule[index] = RULE_IDS.index(rule)
                    report.links += 1
                    if self._union(other, index):
                        report.merged_groups += 1
            for key in keys:
                bisect.insort(self._blocks.setdefault(key, []), (day, index))
        report.touched_blocks = len(touched)
        return report

    def _block_terms(self, terms: array) -> list[int]:
        """The rarest terms others already have (to find them), and a few only this one has (to be found)."""
        shared = [t for t in terms if self._df_of(t) > 1][: self.rules.term_keys]
        own = [t for t in terms if self._df_of(t) == 1][: self.rules.term_keys // 2]
        return shared + own

    def _term_words(self, terms: list[int]) -> list[str]:
        return [format(t, "x") for t in terms]

    def _link(self, a: int, b: int, informative: set[str]) -> Optional[str]:
        """The id of the rule (:data:`RULE_IDS`) that puts records ``a`` and ``b`` in one incident, if any."""
        rules = self.rules
        first, second = self._held[a].event, self._held[b].event
        gap = _gap(first, second)
        names = (
            (((first.names & second.name_runs) | (second.names & first.name_runs)) & informative)
            - first.place_keys - second.place_keys  # "Las Vegas" written as a name is a place
        )
        if len(names) >= 2 and gap <= rules.name_window:
            return "link.names"
        places = (first.place_keys & second.matchable_keys) | (first.matchable_keys & second.place_keys)
        if len(names) == 1 and gap <= rules.name_place_window:
            # a person's name outweighs dates read off a follow-up (the day of a hearing, a vigil)
            if places or (first.states & second.states) or not first.place_keys or not second.place_keys:
                return "link.name_place"
        if _dates_conflict(first, second, rules.date_conflict) or (not places and _datelines_differ(first, second)):
            return None
        if places and gap <= rules.place_gap:
            shared_title = first.title_words & second.title_words
            same_toll = bool(first.tolls) and first.tolls == second.tolls
            if len(shared_title) >= rules.min_title_words or same_toll:
                return "link.place_day"
        if gap <= rules.title_gap:
            shared_title = first.title_words & second.title_words
            if len(shared_title) >= rules.min_title_words and any(
                    0 < self._term_df(word) <= rules.title_rare_df for word in shared_title):
                return "link.title"
        if gap <= rules.text_window:
            similarity = self.cosine(a, b)
            if similarity >= (rules.text_cosine_same_day if gap == 0 else rules.text_cosine):
                return "link.text"
        return None

    # -- reading -----------------------------------------------------------------------------
    def groups(self) -> list[list[int]]:
        """Incidents as lists of event indexes, each sorted, ordered by their first member."""
        by_root: dict[int, list[int]] = {}
        for index in range(len(self._parent)):
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
