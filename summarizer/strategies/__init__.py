"""Extraction strategies behind one setting, all ending in the same grounding.

* ``rules``: deterministic candidates from language structure, no model call (the floor);
* ``naive``: the whole schema in one model call, then grounding (the comparison point);
* ``hybrid``: the rules' candidates, then narrow, grammar-constrained questions a small model can
  answer (pick a speaker among the names around a quote, confirm a doubtful casualty figure), and,
  for capable models, a grounded call that adds what the rules missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.schema import Dropped, Extraction, Usage


@dataclass
class StrategyResult:
    """What a strategy produced for one article, before provenance is attached."""

    extraction: Extraction
    dropped: Dropped = field(default_factory=Dropped)
    usage: Usage = field(default_factory=Usage)
    prompts: set[str] = field(default_factory=set)


STRATEGY_NAMES = ("rules", "naive", "hybrid")
