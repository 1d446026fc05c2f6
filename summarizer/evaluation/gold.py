"""The gold set: hand-labelled articles in the project's schema, one JSON file each.

A gold file is an :class:`~summarizer.schema.Extraction` (``summary`` is the reference summary)
plus the article and its metadata. Labellers write each evidence span's ``text`` and may leave the
offsets out: ``python -m summarizer.evaluation.gold fill FILE...`` finds them (first occurrence, or
the occurrence nearest ``start`` when a start is given), and ``... check [DIR]`` validates every
file: schema, offsets slicing the article, quotes occurring in it, figures readable from their
evidence, and the article's length.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Iterable, Literal, Optional

from pydantic import Field, ValidationError

from summarizer.figures import parse_figure
from summarizer.grounding import find_span, verify
from summarizer.schema import Extraction

GOLD_DIR = Path(__file__).resolve().parents[2] / "evals" / "gold"

Style = Literal[
    "wire", "monitoring_bulletin", "live_blog", "state_media", "press_release",
    "interview_transcript", "long_feature", "opinion", "non_conflict", "hostile", "other",
]


class GoldArticle(Extraction):
    """One labelled article; ``summary`` holds the reference summary."""

    id: str
    title: Optional[str] = None
    style: Style
    split: Literal["dev", "test"]
    tags: list[str] = Field(default_factory=list)
    notes: Optional[str] = None
    text: str


def load_gold(path: Path | str = GOLD_DIR, split: Optional[str] = None) -> list[GoldArticle]:
    """Every gold article under ``path`` (a file or a directory), its labels passed through the
    same grounding checkpoint as every strategy's output (:func:`summarizer.grounding.verify`)."""
    path = Path(path)
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    articles = [_load_file(file) for file in files]
    if split is not None:
        articles = [a for a in articles if a.split == split]
    return articles


class UngroundedGold(ValueError):
    """A gold file with labels the grounding checkpoint would drop: an error in the file, never
    silently dropped (a dropped label would make the eval easier without saying so)."""


def _load_file(file: Path) -> GoldArticle:
    raw = json.loads(file.read_text(encoding="utf-8"))
    article = GoldArticle.model_validate(raw)
    _, dropped = verify(article, article.text)
    if dropped.total:
        raise UngroundedGold(f"{file}: {dropped.total} labels fail grounding: " + "; ".join(dropped.reasons))
    return article


def _fill_evidence(evidence: dict, text: str, where: str) -> None:
    needle = evidence.get("text", "")
    span = find_span(needle, text, near=int(evidence.get("start") or 0))
    if span is None:
        raise ValueError(f"{where}: evidence text not found in article: {needle[:80]!r}")
    start, end = span
    evidence.update(start=start, end=end, text=text[start:end])


def fill_offsets(raw: dict) -> dict:
    """Give every evidence span in a raw gold dict its offsets (and the article's exact text)."""
    text = raw["text"]
    for kind in ("casualties", "quotes", "claims"):
        for i, item in enumerate(raw.get(kind, [])):
            _fill_evidence(item["evidence"], text, f"{raw.get('id')} {kind}[{i}]")
    return raw


def check_article(article: GoldArticle) -> list[str]:
    """Problems a schema cannot see: length, figures disagreeing with their written form."""
    problems = []
    words = len(article.text.split())
    if not 150 <= words <= 1500:
        problems.append(f"{article.id}: {words} words (gold articles have 150 to 1,500)")
    for i, report in enumerate(article.casualties):
        parsed = parse_figure(report.figure.text)
        if parsed is None or (parsed.kind, parsed.low, parsed.high) != (
            report.figure.kind, report.figure.low, report.figure.high,
        ):
            problems.append(
                f"{article.id}: casualties[{i}] figure {report.figure.text!r} labelled "
                f"{report.figure.kind} {report.figure.low}..{report.figure.high}, the reader gives "
                f"{parsed and (parsed.kind, parsed.low, parsed.high)} (fine if the guideline says so)"
            )
    return problems


def check(paths: Iterable[Path]) -> int:
    """Validate gold files; prints one line per problem; returns the number of hard errors."""
    errors = 0
    ids: dict[str, Path] = {}
    for file in paths:
        try:
            article = _load_file(file)
        except (ValidationError, ValueError, KeyError) as exc:
            errors += 1
            print(f"ERROR {file}: {exc}")
            continue
        if article.id in ids:
            errors += 1
            print(f"ERROR {file}: duplicate id {article.id} (also {ids[article.id]})")
        ids[article.id] = file
        if file.parent.name in ("dev", "test") and file.parent.name != article.split:
            errors += 1
            print(f"ERROR {file}: split {article.split} but stored under {file.parent.name}/")
        for problem in check_article(article):
            print(f"WARN  {problem}")
    print(f"checked {len(ids)} gold articles, {errors} errors")
    return errors


def _main(argv: list[str]) -> int:
    if len(argv) >= 1 and argv[0] == "fill":
        for name in argv[1:]:
            file = Path(name)
            raw = fill_offsets(json.loads(file.read_text(encoding="utf-8")))
            file.write_text(json.dumps(raw, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            print(f"filled {file}")
        return 0
    if len(argv) >= 1 and argv[0] == "check":
        targets = [Path(a) for a in argv[1:]] or [GOLD_DIR]
        files = [f for t in targets for f in (sorted(t.rglob("*.json")) if t.is_dir() else [t])]
        return 1 if check(files) else 0
    print("usage: python -m summarizer.evaluation.gold fill FILE... | check [DIR|FILE...]")
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
