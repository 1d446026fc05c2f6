"""Where the real-text datasets are, and how an eval picks a stated subset of them.

The corpora (PolNeAR, the GVA shooting reports, MUC-4) are reference data beside the checkout
in ``../shared/datasets`` and are read at run time, never copied into the repository. The root
is, in order: an explicit path, ``$SUMMARIZER_DATASETS``, ``../shared/datasets`` relative to the
checkout. Callers that need a dataset check :func:`dataset_path` ``.exists()`` and skip with a
reason when it is absent (a fresh clone without ``../shared`` must still pass its tests).
"""

from __future__ import annotations

import json
import os
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, Optional, Sequence, TypeVar

from summarizer.evaluation.scoring import ArticleScore, ScoringOptions, score_article
from summarizer.schema import Extraction

#: The checkout (the directory holding ``summarizer/``).
CHECKOUT = Path(__file__).resolve().parents[2]

#: Dataset names ``summarizer eval --dataset`` accepts -> path under the dataset root.
DATASET_FILES: dict[str, str] = {
    "polnear-dev": "polnear/dev.jsonl",
    "polnear-train": "polnear/train.jsonl",
    "gva-dev": "gva/dev.jsonl",
    "muc4": "muc4",
}

T = TypeVar("T")


def datasets_root(root: Optional[Path | str] = None) -> Path:
    """The dataset root: ``root``, else ``$SUMMARIZER_DATASETS``, else ``../shared/datasets``."""
    if root is not None:
        return Path(root)
    env = os.environ.get("SUMMARIZER_DATASETS")
    if env:
        return Path(env)
    return CHECKOUT.parent / "shared" / "datasets"


def dataset_path(name: str, root: Optional[Path | str] = None) -> Path:
    """The file (or directory, for MUC-4) of dataset ``name`` under the root; may not exist."""
    try:
        relative = DATASET_FILES[name]
    except KeyError:
        raise ValueError(f"unknown dataset {name!r} (known: {', '.join(DATASET_FILES)})") from None
    return datasets_root(root) / relative


def jsonl_rows(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each non-blank line of a dataset's JSONL file, parsed, with where it stands
    (``dev.jsonl:12``) for a loader's error messages; raises FileNotFoundError when absent."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if line.strip():
                yield f"{path.name}:{number}", json.loads(line)


def select(items: Sequence[T], *, limit: Optional[int] = None, sample: Optional[int] = None, seed: int = 0) -> list[T]:
    """A stated, reproducible subset: ``sample`` items drawn with ``random.Random(seed)`` (kept
    in file order), then the first ``limit``. The same file, size and seed give the same items."""
    chosen = list(items)
    if sample is not None and sample < len(chosen):
        picked = sorted(random.Random(seed).sample(range(len(chosen)), sample))
        chosen = [chosen[i] for i in picked]
    if limit is not None:
        chosen = chosen[:limit]
    return chosen


# --------------------------------------------------------------------------- eval datasets

#: Direction of a headline measure: a regression is a drop ("higher") or a rise ("lower").
Direction = str

Scorer = Callable[[Any, Extraction], ArticleScore]
Compared = Callable[[Any, Extraction], dict[str, tuple[Sequence, Sequence]]]


@dataclass(frozen=True)
class EvalDataset:
    """Articles to run on and how to score them: what ``summarizer eval --dataset`` opens.

    ``compared`` gives, per scored field, the gold items and predicted items the scorer compared
    (indexes in an article's diffs refer to these lists): what the per-rule report reads.
    ``headline`` names the measures (keys of ``EvalScores.flat()``) a baseline gate holds, with
    their direction. ``spans``: gold items carry evidence spans (an HTML view can draw them).
    """

    name: str
    articles: list
    score: Scorer
    compared: Compared
    headline: dict[str, Direction]
    spans: bool = False
    source: str = ""


def _fields_compared(fields: Sequence[str]) -> Compared:
    def compared(gold: Any, predicted: Extraction) -> dict[str, tuple[Sequence, Sequence]]:
        return {name: (list(getattr(gold, name)), list(getattr(predicted, name))) for name in fields}

    return compared


GOLD_HEADLINE = {"casualties.f1": "higher", "quotes.f1": "higher", "claims.f1": "higher", "secondary.quotes.speaker": "higher"}
MUC4_HEADLINE = {"casualties.f1": "higher", "casualties.recall": "higher"}
POLNEAR_HEADLINE = {
    "quotes.f1": "higher", "quotes.recall": "higher", "quotes.precision": "higher",
    "secondary.quotes.direct_recall": "higher", "secondary.quotes.speaker_named": "higher",
}
GVA_HEADLINE = {
    "secondary.gva.killed_found": "higher", "secondary.gva.injured_found": "higher",
    "secondary.gva.death_where_none": "lower", "secondary.gva.killed_above_toll": "lower",
    "secondary.gva.injured_above_toll": "lower",
}

DATASET_NAMES = ("gold", *DATASET_FILES)


def open_dataset(
    name: str,
    *,
    root: Optional[Path | str] = None,
    gold_path: Optional[Path] = None,
    split: Optional[str] = None,
    muc4_dir: Optional[Path] = None,
    options: Optional[ScoringOptions] = None,
) -> EvalDataset:
    """Load dataset ``name`` (``gold``, ``polnear-dev``, ``polnear-train``, ``gva-dev``, ``muc4``).

    ``gold_path``/``split``/``options`` apply to the gold set, ``muc4_dir`` overrides where MUC-4
    is. Raises FileNotFoundError (with the path) when a real-text dataset is absent.
    """
    if name == "gold":
        from summarizer.evaluation.gold import GOLD_DIR, load_gold

        gold_options = options or ScoringOptions()
        articles = load_gold(gold_path or GOLD_DIR, split=split)
        return EvalDataset(
            name="gold", articles=articles,
            score=lambda g, p: score_article(g, p, g.text, options=gold_options, article_id=g.id),
            compared=_fields_compared(gold_options.fields), headline=GOLD_HEADLINE, spans=True,
            source=str(gold_path or "evals/gold"),
        )
    if name == "muc4":
        from summarizer.evaluation import muc4

        explicit_root = root is not None or bool(os.environ.get("SUMMARIZER_DATASETS"))
        directory = muc4_dir or (dataset_path("muc4", root) if explicit_root else muc4.MUC4_DIR)
        return EvalDataset(
            name="muc4", articles=muc4.load_muc4(directory), score=muc4.score_muc4,
            compared=_fields_compared(muc4.MUC4_OPTIONS.fields), headline=MUC4_HEADLINE, source=str(directory),
        )
    path = dataset_path(name, root)
    if not path.exists():
        raise FileNotFoundError(f"dataset {name} not found at {path} (set --datasets-root or SUMMARIZER_DATASETS)")
    if name.startswith("polnear"):
        from summarizer.evaluation import polnear

        return EvalDataset(
            name=name, articles=polnear.load_polnear(path), score=polnear.score_polnear,
            compared=lambda g, p: {"quotes": (list(g.quotes), list(p.quotes))},
            headline=POLNEAR_HEADLINE, spans=True, source=str(path),
        )
    from summarizer.evaluation import gva

    return EvalDataset(
        name=name, articles=gva.load_gva(path), score=gva.score_gva,
        compared=lambda g, p: {"casualties": (list(g.casualties), gva.compared_casualties(p))},
        headline=GVA_HEADLINE, source=str(path),
    )
