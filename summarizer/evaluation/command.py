"""``summarizer eval``: run strategies over the gold set (or MUC-4), score, report, gate.

Several ``--strategy`` options are compared side by side in one run on the same articles; the
first one is the run that ``--baseline`` and ``--fail-under`` judge. Model answers go through the
call cache (keyed by model, prompt, input and settings), so re-scoring costs no model calls and a
cache of genuine responses replays offline.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import click

from summarizer.evaluation.datasets import DATASET_NAMES, open_dataset, select
from summarizer.evaluation.gold import GOLD_DIR
from summarizer.evaluation.report import (
    check_floors,
    compare_to_baseline,
    run_eval,
    write_figures_baseline,
    write_report,
)
from summarizer.evaluation.rule_report import write_rule_report
from summarizer.evaluation.scoring import ScoringOptions
from summarizer.strategies import AUTO, Strategy, strategy_named
from summarizer.strategies.options import (
    attribution_options,
    questions_option,
    require_embedded_runtime,
    strategy_option,
)


def _parse_floor(values: tuple[str, ...]) -> dict[str, float]:
    floors = {}
    for value in values:
        key, _, number = value.partition("=")
        try:
            floors[key.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(f"expected FIELD=VALUE, got {value!r}", param_hint="--fail-under")
    return floors


_GOLD_COLUMNS = [
    ("casualties.f1", "casualty F1"), ("quotes.f1", "quote F1"), ("secondary.quotes.speaker", "speaker right"),
    ("claims.f1", "claim F1"), ("hallucinated_quotes", "hallucinated quotes"),
    ("summary_faithfulness", "summary faithful"), ("summary_rouge_l", "summary ROUGE-L"),
    ("lead3_rouge_l", "lead-3 ROUGE-L"), ("seconds_per_article", "s/article"), ("tokens_per_article", "tokens/article"),
]


def _strategy_table(results: dict[str, dict[str, float]], headline: Optional[dict[str, str]] = None) -> str:
    """Strategies side by side: the gold set's columns, or a real-text dataset's headline measures."""
    keys = _GOLD_COLUMNS if not headline else [
        *((key, key.removeprefix("secondary.")) for key in headline), ("seconds_per_article", "s/article"),
    ]
    lines = ["| strategy | " + " | ".join(label for _, label in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for name, flat in results.items():
        cells = []
        for key, _ in keys:
            value = flat.get(key)
            cells.append("-" if value is None else (f"{value:.0f}" if key in ("hallucinated_quotes", "tokens_per_article") else f"{value:.3f}" if key != "seconds_per_article" else f"{value:.2f}"))
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


@click.command("eval")
@click.option("--gold", "gold_path", type=click.Path(exists=True, path_type=Path), default=None,
              help=f"Gold directory or file (default: {GOLD_DIR.relative_to(GOLD_DIR.parents[1]) if GOLD_DIR.exists() else 'evals/gold'}).")
@click.option("--split", type=click.Choice(["dev", "test", "all"]), default="all", show_default=True,
              help="dev: used in development; test: held out, never tuned on.")
@click.option("--dataset", type=click.Choice(list(DATASET_NAMES)), default=None,
              help="What to score on: the gold set (default), PolNeAR dev/train quotes, GVA dev shooting tolls, "
                   "MUC-4 casualties (real-text sets are read from the dataset root; see evals/POLNEAR.md, evals/GVA.md).")
@click.option("--datasets-root", type=click.Path(path_type=Path), default=None, envvar="SUMMARIZER_DATASETS",
              help="Where the real-text datasets are (default: ../shared/datasets beside the checkout).")
@click.option("--muc4", "muc4_dir", type=click.Path(path_type=Path), default=None,
              help="MUC-4 TST4 directory (implies --dataset muc4).")
@strategy_option(multiple=True)
@questions_option()
@attribution_options()
@click.option("--limit", type=int, default=None, help="Only the first N articles (a stated subset).")
@click.option("--sample", type=int, default=None, help="A reproducible random N articles (with --seed), kept in file order.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--records", "records_path", type=click.Path(exists=True, path_type=Path), default=None,
              help="Score these ArticleRecords (JSONL, by id; e.g. an earlier run's OUT/records.jsonl) instead of running a strategy.")
@click.option("--write-baseline", "write_baseline", type=click.Path(path_type=Path), default=None,
              help="Also write the first run's figures (ids and numbers, no article text) as a gate baseline.")
@click.option("--id", "ids", multiple=True, help="Only these article ids (repeatable).")
@click.option("--base-url", default=None, envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint; unset = embedded model.")
@click.option("--model", default=None, envvar="SUMMARIZER_MODEL", help="Model name at the endpoint.")
@click.option("--gguf", type=click.Path(exists=True, path_type=Path), default=None, help="Another local GGUF for the embedded server.")
@click.option("--config", "config_path", type=click.Path(exists=True, path_type=Path), default=None, help="TOML config file.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("eval-out"), show_default=True,
              help="Where report.json, report.md, rules.md, samples.md, records.jsonl (and view.html for gold) go, one set per strategy.")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path), default=None,
              help="A previous report.json: fail on a regression beyond --margin.")
@click.option("--margin", type=float, default=0.02, show_default=True, help="Noise margin for --baseline (F1 points, 0-1).")
@click.option("--fail-under", "fail_under", multiple=True, metavar="FIELD=VALUE",
              help='Floor for a score, e.g. "casualties.f1=0.8" (repeatable; keys as in report.json "flat").')
@click.option("--claim-matcher", type=click.Choice(["default", "token", "embedding"]), default="default", show_default=True,
              help="How claim texts are compared (see summarizer/evaluation/scoring.py).")
def eval_command(gold_path, split, dataset, datasets_root, muc4_dir, strategies, questions, attribution_model,
                 attribution_merge, limit, sample, seed,
                 records_path, write_baseline, ids, base_url, model, gguf, config_path,
                 out_dir, baseline, margin, fail_under, claim_matcher) -> None:
    """Score strategies against gold labels and write JSON + Markdown reports and an HTML view.

    Exit status 1 when --baseline finds a regression or a --fail-under floor is missed.
    """
    from summarizer.pipeline import Summarizer

    name = dataset or ("muc4" if muc4_dir is not None else "gold")
    options = None
    if claim_matcher != "default" and name == "gold":
        from summarizer.evaluation import scoring

        matcher = scoring.TOKEN_CLAIMS if claim_matcher == "token" else scoring.embedding_claim_matcher()
        options = ScoringOptions(claim_matcher=matcher)
    try:
        data = open_dataset(name, root=datasets_root, gold_path=gold_path, split=None if split == "all" else split,
                            muc4_dir=muc4_dir, options=options)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc))
    golds = data.articles
    if ids:
        golds = [g for g in golds if g.id in set(ids)]
    golds = select(golds, limit=limit, sample=sample, seed=seed)
    if not golds:
        raise click.ClickException("no gold articles selected")
    records = _read_records(records_path) if records_path is not None else None
    if records is not None:
        strategies = ("records",)

    tagger = None  # loaded once for every strategy compared (naive reads no candidates)
    if attribution_model is not None and records is None and any(s == AUTO or strategy_named(s).parses for s in strategies):
        from summarizer.attribution import DEFAULT_MERGE
        from summarizer.attribution.tagger import AttributionTagger

        try:
            tagger = AttributionTagger(attribution_model, attribution_merge or DEFAULT_MERGE)
        except (ValueError, FileNotFoundError) as exc:
            raise click.UsageError(str(exc)) from None
    settings = None
    client = None
    needs_model = any(s != "records" and (s == AUTO or strategy_named(s).uses_model) for s in strategies)
    if needs_model:
        from summarizer.backend import ModelSettings, open_client

        settings = ModelSettings.load(config_path, base_url=base_url, model=model, gguf_path=gguf)
        asks_embedded = [s for s in strategies if s not in ("records", AUTO) and strategy_named(s).uses_model]
        if asks_embedded:
            require_embedded_runtime(settings, asks_embedded[0])
        client = open_client(settings)
    flat_by_strategy: dict[str, dict[str, float]] = {}
    first_report: Optional[Path] = None
    try:
        for strategy in strategies:
            if records is not None:
                label = f"records ({records_path.name})"
                describe = {"records": str(records_path)}

                def extract(gold):
                    if gold.id not in records:
                        raise KeyError(f"no record for {gold.id} in {records_path}")
                    return records[gold.id]
            else:
                # --questions shape an explicit hybrid; auto picks its own questions per backend
                try:
                    summarizer = Summarizer(settings, strategy=strategy, questions=questions if strategy == Strategy.HYBRID.value else None,
                                            client=client if strategy != "rules" else None,
                                            # naive-only evals load no tagger: the path still goes in, to be checked
                                            attribution_model=tagger if tagger is not None else attribution_model,
                                            attribution_merge=attribution_merge if tagger is None else None)
                except (ValueError, FileNotFoundError) as exc:
                    raise click.UsageError(str(exc)) from None
                label = summarizer.strategy if strategy != "auto" else f"auto ({summarizer.strategy})"
                if summarizer.attribution is not None:
                    label += f" + tagger ({summarizer.attribution.merge_mode})"
                describe = summarizer.describe()

                def extract(gold, summarizer=summarizer):
                    return summarizer.summarize(gold.text, id=gold.id)

            click.echo(f"eval: {label} on {len(golds)} {data.name} articles", err=True)
            run = run_eval(golds, extract, score=data.score)
            target = out_dir / strategy if len(strategies) > 1 else out_dir  # auto and hybrid may both be hybrid
            meta = {"strategy": label, "describe": describe, "dataset": data.name, "gold": data.source,
                    "split": split if data.name == "gold" else None, "articles": len(golds), "limit": limit,
                    "sample": sample, "seed": seed if sample else None}
            write_report(run.scores, run.per_article, target / "report.json", target / "report.md", meta)
            write_rule_report(data, golds, run, target)
            _write_records(run.predictions, target / "records.jsonl")
            if data.name == "gold":  # the view draws gold evidence spans; real-text sets are too big to page
                _write_view(golds, run, target / "view.html")
            flat_by_strategy[label] = run.scores.flat()
            if first_report is None:
                first_report = target / "report.json"
                if write_baseline is not None:
                    write_figures_baseline(run.scores, run.per_article, meta, data.headline, write_baseline)
    finally:
        if client is not None:
            client.close()

    table = _strategy_table(flat_by_strategy, None if data.name == "gold" else data.headline)
    (out_dir).mkdir(parents=True, exist_ok=True)
    (out_dir / "strategies.md").write_text(table, encoding="utf-8")
    click.echo(table)
    problems: list[str] = []
    assert first_report is not None
    if baseline is not None:
        problems += compare_to_baseline(first_report, baseline, margin, measures=data.headline)
    if fail_under:
        problems += check_floors(first_report, _parse_floor(fail_under))
    for problem in problems:
        click.echo(f"FAIL: {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(f"eval: reports in {out_dir}", err=True)


def _write_view(golds, run, path: Path) -> None:
    """The eval as an HTML page: gold and predicted items in the text, matched/missed/extra."""
    try:
        from summarizer.evaluation.diff import ArticleDiff
        from summarizer.html_view import render_eval
    except ImportError:  # pragma: no cover
        return
    diffs = []
    for gold, score, predicted in zip(golds, run.per_article, run.predictions):
        diffs.append(ArticleDiff.from_score(score, gold, predicted))
    articles = {gold.id: gold.text for gold in golds}
    path.write_text(render_eval(diffs, run.scores, articles), encoding="utf-8")


def _read_records(path: Path) -> dict:
    """ArticleRecords of a JSONL file by id (what ``summarizer run`` writes)."""
    from summarizer.schema import ArticleRecord

    records = {}
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                record = ArticleRecord.model_validate_json(line)
                records[record.id] = record
    return records


def _write_records(predictions, path: Path) -> None:
    """Every prediction of the run, one record a line: re-score it with ``--records``."""
    with path.open("w", encoding="utf-8") as out:
        for predicted in predictions:
            out.write(predicted.model_dump_json() + "\n")
