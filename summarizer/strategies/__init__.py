"""Extraction strategies behind one setting, all ending in the same grounding checkpoint.

* ``rules``: deterministic candidates from language structure, no model call (the floor);
* ``naive``: the whole schema in one model call, then grounding (the comparison point);
* ``hybrid``: the rules' candidates, then narrow, grammar-constrained questions a small model can
  answer (pick a speaker among the names around a quote, confirm a doubtful casualty figure), and,
  for capable models, a grounded call that adds what the rules missed;
* ``review``: for capable models, one request in which the model keeps, drops or corrects every
  field of the rules' candidates and adds what they missed (``auto`` off the embedded model).

:class:`Strategy` is the one registry of them: the pipeline runs a member, the CLI offers their
names (plus ``auto``) and their questions. Adding a strategy is one member here whose ``entry``
names a function ``(job: StrategyJob) -> StrategyResult`` in its own module (imported on first
use, so ``summarizer --help`` loads no model code).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property
from typing import Any, Callable, Iterable, Literal, Optional, Union, get_args

from summarizer.schema import Dropped, Extraction, Usage


@dataclass
class StrategyResult:
    """What a strategy produced for one article, before grounding and provenance."""

    extraction: Extraction
    dropped: Dropped = field(default_factory=Dropped)
    usage: Usage = field(default_factory=Usage)
    prompts: set[str] = field(default_factory=set)


Question = Literal["speaker", "casualty_check", "summary", "additions"]
#: Every question the hybrid strategy can ask a model (see :mod:`summarizer.strategies.hybrid`).
QUESTIONS: tuple[Question, ...] = get_args(Question)

AUTO = "auto"
"""Not a strategy of its own: the pipeline resolves it to review for any endpoint but the embedded
one, and there to hybrid with the questions that measured best (none, i.e. rules)."""


@dataclass
class StrategyJob:
    """One article as a strategy sees it: the text, its spaCy parse and the model client, each
    made on first use (the naive strategy never parses, the rules never open a client).

    ``attribution``: an opt-in learned tagger (:class:`summarizer.attribution.tagger.AttributionTagger`)
    whose quotes join the rules' candidates; None for the rules alone."""

    article: str
    questions: frozenset[str] = frozenset()
    open_client: Callable[[], Any] = field(default=lambda: None, repr=False)
    attribution: Optional[Any] = field(default=None, repr=False)

    @cached_property
    def doc(self) -> Any:
        from summarizer.rules.nlp import parse

        return parse(self.article)

    @property
    def client(self) -> Any:
        return self.open_client()


class Strategy(Enum):
    """The registry: ``Strategy("rules")`` is the rules strategy; its value is the name."""

    RULES = ("rules", "summarizer.strategies.rules:run", False, True, (),
             "no model call: candidates from language structure")
    NAIVE = ("naive", "summarizer.strategies.naive:run", True, False, (),
             "the whole schema in one model call")
    HYBRID = ("hybrid", "summarizer.strategies.hybrid:run", True, True, QUESTIONS,
              "rules plus narrow model questions")
    REVIEW = ("review", "summarizer.strategies.review:run", True, True, (),
              "capable models: one request keeps, drops or corrects every rules candidate and adds what they missed")

    def __new__(cls, name: str, entry: str, uses_model: bool, parses: bool, questions: tuple[str, ...],
                help: str) -> "Strategy":
        member = object.__new__(cls)
        member._value_ = name
        member.entry = entry
        member.uses_model = uses_model
        member.parses = parses
        member.questions = frozenset(questions)
        member.help = help
        return member

    entry: str
    uses_model: bool
    #: Whether it reads the spaCy parse and the rules' candidates (an attribution tagger's quotes
    #: join those): CPU-bound work that worker processes take. Naive only asks the model.
    parses: bool
    questions: frozenset[str]
    help: str

    def run(self, job: StrategyJob) -> StrategyResult:
        """Run this strategy on one article (its module is imported on first use)."""
        module, function = self.entry.split(":")
        return getattr(importlib.import_module(module), function)(job)


#: Every name ``--strategy`` accepts.
STRATEGY_CHOICES: tuple[str, ...] = (AUTO, *(s.value for s in Strategy))
STRATEGY_NAMES: tuple[str, ...] = tuple(s.value for s in Strategy)
StrategyName = Union[Literal["auto"], Strategy, str]


def strategy_named(name: Union[str, Strategy]) -> Strategy:
    """The strategy called ``name``; ``auto`` is the pipeline's to resolve, not a member.

    Raises :class:`ValueError` naming the valid choices.
    """
    if isinstance(name, Strategy):
        return name
    try:
        return Strategy(name)
    except ValueError:
        raise ValueError(f"unknown strategy {name!r}; choose from {', '.join(STRATEGY_CHOICES)}") from None


def question_set(names: Optional[Union[str, Iterable[str]]]) -> Optional[frozenset[str]]:
    """``"speaker,summary"`` or an iterable of names as a set of known questions; None for None.

    Raises :class:`ValueError` naming the unknown ones and the valid choices.
    """
    if names is None:
        return None
    items = names.split(",") if isinstance(names, str) else names
    chosen = frozenset(n.strip() for n in items if n.strip())
    unknown = sorted(chosen - set(QUESTIONS))
    if unknown:
        raise ValueError(
            f"unknown question{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))}; "
            f"choose from {', '.join(QUESTIONS)}"
        )
    return chosen
