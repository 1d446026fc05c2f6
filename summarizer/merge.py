"""Merging per-chunk results of a long article into one extraction with whole-article offsets."""

from __future__ import annotations

from summarizer.schema import Dropped, Evidence, Extraction, Usage
from summarizer.strategies import StrategyResult


def _shift(evidence: Evidence, offset: int) -> Evidence:
    return Evidence(start=evidence.start + offset, end=evidence.end + offset, text=evidence.text)


def merge_chunk_results(article: str, parts: list[tuple[int, StrategyResult]]) -> StrategyResult:
    """Items from every chunk, shifted by the chunk's offset; an item seen again in the overlap
    (same kind, same evidence span) is kept once. Index links (subsets, nesting) are remapped.
    Grounding against the whole article is the pipeline's checkpoint, as for any extraction."""
    merged = Extraction()
    usage, dropped, prompts = Usage(), Dropped(), set()
    seen: dict[str, set[tuple[int, int]]] = {"casualties": set(), "quotes": set(), "claims": set()}
    for offset, result in parts:
        usage.add(result.usage)
        dropped.add(result.dropped)
        prompts |= result.prompts
        for kind, link in (("casualties", "subset_of"), ("quotes", "nested_in"), ("claims", None)):
            items = getattr(result.extraction, kind)
            target = getattr(merged, kind)
            new_index: dict[int, int] = {}
            for i, item in enumerate(items):
                evidence = _shift(item.evidence, offset)
                key = (evidence.start, evidence.end)
                if key in seen[kind]:
                    new_index[i] = next(j for j, t in enumerate(target) if (t.evidence.start, t.evidence.end) == key)
                    continue
                seen[kind].add(key)
                copy = item.model_copy(update={"evidence": evidence})
                new_index[i] = len(target)
                target.append(copy)
            if link:
                for i, item in enumerate(items):
                    old = getattr(item, link)
                    if old is not None and i in new_index:
                        setattr(target[new_index[i]], link, new_index.get(old))
        if not merged.summary:
            merged.summary = result.extraction.summary
    for i, report in enumerate(merged.casualties):
        if report.subset_of == i:
            report.subset_of = None
    for i, quote in enumerate(merged.quotes):
        if quote.nested_in == i:
            quote.nested_in = None
    return StrategyResult(extraction=merged, dropped=dropped, usage=usage, prompts=prompts)
