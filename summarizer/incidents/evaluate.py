"""Scoring incidents against the Gun Violence Archive corpus (SemEval-2018 Task 5 articles).

``../shared/datasets/gva/dev.jsonl`` has one line per article with the GVA incident it reports
and the incident's final killed/injured. This module reads it at run time through
:func:`summarizer.evaluation.gva.load_gva` (nothing of it is copied into the repository) and scores an :class:`~summarizer.incidents.model.IncidentSet`:

* **B-cubed** precision, recall and F1 over articles against the GVA incident ids, also on the
  articles of multi-article incidents alone. The 11 articles that report two incidents appear
  once under each in the corpus: each (article, incident) pair is an item, and both items of
  such an article sit in the article's one predicted incident.
* **Tolls**: for each GVA incident, the predicted incident holding most of its articles, and
  whether its killed and injured equal the GVA's under each toll rule (``median``, the default:
  the lower median of the articles' figures, see :meth:`OutcomeToll.value`; ``max``: the largest
  figure any article gives; ``latest``: the most recently published article's figure). An
  incident that no article gives a figure for counts as 0 for that outcome (the GVA records 0).

Reproduce (records made once, grouping re-run in seconds)::

    python -m summarizer.incidents.evaluate make-input ../shared/datasets/gva/dev.jsonl -o .scratch/gva-input.jsonl
    summarizer run .scratch/gva-input.jsonl -o .scratch/gva-records.jsonl --strategy rules --no-store
    python -m summarizer.incidents.evaluate score .scratch/gva-records.jsonl --dataset ../shared/datasets/gva/dev.jsonl
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional

import click

from summarizer.evaluation.gva import GvaArticle, load_gva
from summarizer.incidents.model import IncidentSet

DEFAULT_DATASET = Path("../shared/datasets/gva/dev.jsonl")


def run_inputs(articles: Iterable[GvaArticle]) -> Iterable[dict[str, str]]:
    """The articles as ``summarizer run`` JSONL inputs (id, text, date, url, title), once per id.

    The GVA fields (incident, place, toll) are gold labels and never part of the input.
    """
    seen: set[str] = set()
    for article in articles:
        if article.id in seen:
            continue
        seen.add(article.id)
        yield {"id": article.id, "text": article.text, "date": article.date, "url": article.url, "title": article.title}


def incident_half(incident: str) -> str:
    """``"A"`` or ``"B"``: the half of the GVA incidents an incident id falls in (SHA-1 of the id, even
    or odd). Rules are tuned on one half and confirmed on the other; the split is fixed by the ids."""
    return "A" if int(hashlib.sha1(incident.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "B"


def select_half(articles: list[GvaArticle], half: Optional[str]) -> list[GvaArticle]:
    """The articles of the incidents in ``half`` (all of them when ``half`` is None)."""
    if half is None:
        return articles
    return [article for article in articles if incident_half(article.incident) == half]


@dataclass
class BCubed:
    precision: float
    recall: float
    f1: float
    items: int


def bcubed(predicted: Mapping[str, str], gold: Mapping[str, set[str]], *, multi_only: bool = False,
           items_predicted: Optional[Mapping[tuple[str, str], str]] = None) -> BCubed:
    """B-cubed over (article, gold incident) items; ``predicted`` maps article id -> cluster id.

    Articles missing from ``predicted`` are singletons. ``multi_only`` averages over the items of
    gold incidents with more than one article (clusters are still the whole prediction's).
    ``items_predicted`` overrides the cluster of single items (an article split into events).
    """
    items = [(article, incident) for article, incidents in gold.items() for incident in sorted(incidents)]
    cluster_of = {article: predicted.get(article, f"singleton:{article}") for article in gold}
    item_cluster = {item: (items_predicted or {}).get(item, cluster_of[item[0]]) for item in items}
    by_gold: dict[str, set[tuple[str, str]]] = defaultdict(set)
    by_predicted: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for item in items:
        by_gold[item[1]].add(item)
        by_predicted[item_cluster[item]].add(item)
    precision = recall = 0.0
    counted = 0
    for item in items:
        gold_cluster = by_gold[item[1]]
        if multi_only and len(gold_cluster) < 2:
            continue
        predicted_cluster = by_predicted[item_cluster[item]]
        overlap = len(gold_cluster & predicted_cluster)
        precision += overlap / len(predicted_cluster)
        recall += overlap / len(gold_cluster)
        counted += 1
    if not counted:
        return BCubed(0.0, 0.0, 0.0, 0)
    precision, recall = precision / counted, recall / counted
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return BCubed(round(precision, 4), round(recall, 4), round(f1, 4), counted)


def score(result: IncidentSet, articles: list[GvaArticle]) -> dict[str, Any]:
    """B-cubed overall and multi-article, and toll exactness per toll rule (see the module doc)."""
    gold: dict[str, set[str]] = defaultdict(set)
    truth: dict[str, tuple[int, int]] = {}
    for article in articles:
        gold[article.id].add(article.incident)
        truth[article.incident] = (article.gva.killed, article.gva.injured)
    incidents = {incident.id: incident for incident in result.incidents}
    placed: dict[str, list[str]] = defaultdict(list)  # article -> its incidents (main event first)
    for incident in result.incidents:
        for ref in incident.articles:
            ids = placed[ref.id]
            if incident.id in ids:
                continue
            if ref.part == 0:
                ids.insert(0, incident.id)
            else:
                ids.append(incident.id)
    members: dict[str, list[str]] = defaultdict(list)
    for article_id, incidents_of in gold.items():
        for incident_id in incidents_of:
            members[incident_id].append(article_id)
    predicted: dict[str, str] = {article: ids[0] for article, ids in placed.items()}
    predicted_items: dict[tuple[str, str], str] = {}
    for article_id, ids in placed.items():
        if len(ids) > 1:  # an article split into several events: each of its gold items takes the
            # one of its events that holds most of that gold incident's other articles
            for gold_incident in gold.get(article_id, ()):
                others = set(members[gold_incident]) - {article_id}
                predicted_items[(article_id, gold_incident)] = max(
                    ids, key=lambda i: (sum(1 for ref in incidents[i].articles if ref.id in others), -ids.index(i)))
    tolls: dict[str, Any] = {}
    for rule in ("median", "max", "latest"):
        exact = Counter()
        for gold_incident, article_ids in members.items():
            votes = Counter(predicted_items.get((a, gold_incident), predicted[a]) for a in article_ids if a in predicted)
            killed, injured = truth[gold_incident]
            if not votes:
                continue
            chosen = incidents[votes.most_common(1)[0][0]]
            exact["killed"] += chosen.toll("killed", rule) == killed  # type: ignore[arg-type]
            exact["injured"] += chosen.toll("injured", rule) == injured  # type: ignore[arg-type]
            exact["both"] += chosen.toll("killed", rule) == killed and chosen.toll("injured", rule) == injured  # type: ignore[arg-type]
        total = len(members)
        tolls[rule] = {name: round(exact[name] / total, 4) for name in ("killed", "injured", "both")}
    multi = sum(1 for ids in members.values() if len(ids) > 1)
    return {
        "articles": len(gold),
        "gold_incidents": len(members),
        "gold_multi_article_incidents": multi,
        "predicted_incidents": len(result.incidents),
        "unassigned_reports": len(result.unassigned),
        "bcubed": asdict(bcubed(predicted, gold, items_predicted=predicted_items)),
        "bcubed_multi_article": asdict(bcubed(predicted, gold, multi_only=True, items_predicted=predicted_items)),
        "articles_split": sum(1 for ids in placed.values() if len(ids) > 1),
        "toll_exact": tolls,
        "link_rules": dict(Counter(rule for incident in result.incidents for ref in incident.articles
                                   if (rule := ref.linked_by))),
    }


@click.group()
def main() -> None:
    """Incidents against the GVA corpus: make the run input, then score the records."""


@main.command("make-input")
@click.argument("dataset", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def make_input(dataset: Path, output: Path) -> None:
    """Write DATASET's articles as `summarizer run` JSONL (id, text, date, url, title)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with open(output, "w", encoding="utf-8") as handle:
        for row in run_inputs(load_gva(dataset)):
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    click.echo(f"wrote {output}: {count} articles", err=True)


@main.command("score")
@click.argument("records", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--dataset", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=DEFAULT_DATASET,
              show_default=True)
@click.option("--no-text", is_flag=True, help="Group from the records' fields alone (no dateline, names).")
@click.option("--half", type=click.Choice(["A", "B"]), default=None,
              help="Score the incidents of one half only (incident_half: SHA-1 of the GVA id, even = A): "
                   "only their articles are grouped, as if the corpus were that half.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the scores as JSON.")
def score_command(records: Path, dataset: Path, no_text: bool, half: Optional[str], json_out: Optional[Path]) -> None:
    """Group RECORDS (from `summarizer run` on the make-input file) and score them against DATASET."""
    from summarizer.incidents.build import group_incidents
    from summarizer.store import read_records

    articles = select_half(load_gva(dataset), half)
    texts = {article.id: article.text for article in articles}
    result = group_incidents((record for record in read_records(records) if record.id in texts), None if no_text else texts)
    scores = score(result, articles)
    click.echo(json.dumps(scores, indent=2))
    if json_out is not None:
        json_out.write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":  # pragma: no cover
    main()
