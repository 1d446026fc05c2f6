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

from summarizer.evaluation.gold import GOLD_DIR, GoldArticle, load_gold
from summarizer.evaluation.report import compare_to_baseline, check_floors, run_eval, write_report
from summarizer.evaluation.scoring import ScoringOptions


def _parse_floor(values: tuple[str, ...]) -> dict[str, float]:
    floors = {}
    for value in values:
        key, _, number = value.partition("=")
        try:
            floors[key.strip()] = float(number)
        except ValueError:
            raise click.BadParameter(f"expected FIELD=VALUE, got {value!r}", param_hint="--fail-under")
    return floors


def _strategy_table(results: dict[str, dict[str, float]]) -> str:
    keys = [
        ("casualties.f1", "casualty F1"), ("quotes.f1", "quote F1"), ("secondary.quotes.speaker", "speaker right"),
        ("claims.f1", "claim F1"), ("hallucinated_quotes", "hallucinated quotes"),
        ("summary_faithfulness", "summary faithful"), ("summary_rouge_l", "summary ROUGE-L"),
        ("lead3_rouge_l", "lead-3 ROUGE-L"), ("seconds_per_article", "s/article"), ("tokens_per_article", "tokens/article"),
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
@click.option("--muc4", "muc4_dir", type=click.Path(path_type=Path), default=None,
              help="Score casualties on the MUC-4 TST4 answer keys in this directory instead of the gold set.")
@click.option("--strategy", "strategies", multiple=True, default=("auto",), show_default=True,
              type=click.Choice(["auto", "rules", "naive", "hybrid"]),
              help="Strategy to run; repeat to compare side by side (the first is judged by --baseline/--fail-under).")
@click.option("--questions", default=None,
              help="Hybrid questions, comma-separated (speaker,casualty_check,summary,additions); default per backend.")
@click.option("--limit", type=int, default=None, help="Only the first N articles (a stated subset).")
@click.option("--id", "ids", multiple=True, help="Only these article ids (repeatable).")
@click.option("--base-url", default=None, envvar="OPENAI_BASE_URL", help="OpenAI-compatible endpoint; unset = embedded model.")
@click.option("--model", default=None, envvar="SUMMARIZER_MODEL", help="Model name at the endpoint.")
@click.option("--gguf", type=click.Path(exists=True, path_type=Path), default=None, help="Another local GGUF for the embedded server.")
@click.option("--config", "config_path", type=click.Path(exists=True, path_type=Path), default=None, help="TOML config file.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("eval-out"), show_default=True,
              help="Where report.json, report.md and view.html go (one set per strategy).")
@click.option("--baseline", type=click.Path(exists=True, path_type=Path), default=None,
              help="A previous report.json: fail on a regression beyond --margin.")
@click.option("--margin", type=float, default=0.02, show_default=True, help="Noise margin for --baseline (F1 points, 0-1).")
@click.option("--fail-under", "fail_under", multiple=True, metavar="FIELD=VALUE",
              help='Floor for a score, e.g. "casualties.f1=0.8" (repeatable; keys as in report.json "flat").')
@click.option("--claim-matcher", type=click.Choice(["default", "token", "embedding"]), default="default", show_default=True,
              help="How claim texts are compared (see summarizer/evaluation/scoring.py).")
def eval_command(gold_path, split, muc4_dir, strategies, questions, limit, ids, base_url, model, gguf, config_path,
                 out_dir, baseline, margin, fail_under, claim_matcher) -> None:
    """Score strategies against gold labels and write JSON + Markdown reports and an HTML view.

    Exit status 1 when --baseline finds a regression or a --fail-under floor is missed.
    """
    from summarizer.pipeline import Summarizer

    if muc4_dir is not None:
        from summarizer.evaluation import muc4

        golds = list(muc4.load_muc4(muc4_dir))
        options = muc4.MUC4_OPTIONS
    else:
        golds = load_gold(gold_path or GOLD_DIR, split=None if split == "all" else split)
        options = ScoringOptions()
    if claim_matcher != "default" and muc4_dir is None:
        from summarizer.evaluation import scoring

        matcher = scoring.TOKEN_CLAIMS if claim_matcher == "token" else scoring.embedding_claim_matcher()
        options = ScoringOptions(claim_matcher=matcher)
    if ids:
        golds = [g for g in golds if g.id in set(ids)]
    if limit:
        golds = golds[:limit]
    if not golds:
        raise click.ClickException("no gold articles selected")

    settings = None
    client = None
    needs_model = any(s != "rules" for s in strategies)
    if needs_model:
        from summarizer.backend import ModelSettings, open_client

        settings = ModelSettings.load(config_path, base_url=base_url, model=model, gguf_path=gguf)
        client = open_client(settings)
    question_set = frozenset(q.strip() for q in questions.split(",") if q.strip()) if questions else None
    flat_by_strategy: dict[str, dict[str, float]] = {}
    first_report: Optional[Path] = None
    try:
        for strategy in strategies:
            # --questions shape an explicit hybrid; auto picks its own questions per backend
            summarizer = Summarizer(settings, strategy=strategy, questions=question_set if strategy == "hybrid" else None,
                                    client=client if strategy != "rules" else None)
            label = summarizer.strategy if strategy != "auto" else f"auto ({summarizer.strategy})"
            click.echo(f"eval: {label} on {len(golds)} articles", err=True)

            def extract(gold: GoldArticle):
                return summarizer.summarize(gold.text, id=gold.id)

            run = run_eval(golds, extract, options=options)
            target = out_dir / strategy if len(strategies) > 1 else out_dir  # auto and hybrid may both be hybrid
            meta = {"strategy": summarizer.strategy, "describe": summarizer.describe(),
                    "gold": "muc4" if muc4_dir else str(gold_path or "evals/gold"), "split": split,
                    "articles": len(golds), "limit": limit}
            write_report(run.scores, run.per_article, target / "report.json", target / "report.md", meta)
            if muc4_dir is None:  # MUC-4 gold has no evidence spans to draw
                _write_view(golds, run, target / "view.html")
            flat_by_strategy[label] = run.scores.flat()
            if first_report is None:
                first_report = target / "report.json"
    finally:
        if client is not None:
            client.close()

    table = _strategy_table(flat_by_strategy)
    (out_dir).mkdir(parents=True, exist_ok=True)
    (out_dir / "strategies.md").write_text(table, encoding="utf-8")
    click.echo(table)
    problems: list[str] = []
    assert first_report is not None
    if baseline is not None:
        problems += compare_to_baseline(first_report, baseline, margin)
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
        from summarizer.html_view import ArticleDiff, render_eval
    except ImportError:  # pragma: no cover
        return
    diffs = []
    for gold, score, predicted in zip(golds, run.per_article, run.predictions):
        diffs.append(ArticleDiff.from_score(score, gold, predicted))
    articles = {gold.id: gold.text for gold in golds}
    path.write_text(render_eval(diffs, run.scores, articles), encoding="utf-8")
