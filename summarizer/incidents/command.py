"""``summarizer incidents RESULTS_OR_STORE -o incidents.{jsonl,csv,parquet,html}``."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Optional

import click



def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as handle:
        return handle.read(16) == b"SQLite format 3\x00"


@click.command("incidents")
@click.argument("source", metavar="RESULTS_OR_STORE", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", "outputs", required=True, multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file, by suffix: .jsonl (incidents, unassigned reports, input problems), .csv / .parquet "
                   "(one row per incident, plus NAME.unassigned.*), .html (the incident table, plus "
                   "NAME.articles.html, the article view its evidence links point to). Repeatable.")
@click.option("--store", "store_path", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="Run store with the articles' texts when RESULTS_OR_STORE is a results file (default: "
                   "$SUMMARIZER_STORE or ~/.cache/summarizer/runs.sqlite, if it exists).")
@click.option("--input", "input_paths", multiple=True, type=click.Path(exists=True), metavar="PATH",
              help="Original inputs to take texts from instead (repeatable).")
@click.option("--run-key", default=None, help="With a run store: only records made with these settings.")
@click.option("--no-text", is_flag=True, help="Group from the records' fields alone (no dateline, names from the text).")
@click.option("--toll-rule", type=click.Choice(["median", "latest", "max"]), default="median", show_default=True,
              help="An incident's toll: the lower median of its articles' figures (default; measured best on GVA dev), the latest published, or the largest.")
@click.option("--title", default="Incidents", show_default=True, help="HTML page title.")
def incidents_command(source: Path, outputs: tuple[Path, ...], store_path: Optional[Path], input_paths: tuple[str, ...],
                      run_key: Optional[str], no_text: bool, toll_rule: str, title: str) -> None:
    """Group article records into incidents: one per real event, every source's figures side by side.

    RESULTS_OR_STORE is a results file written by 'run' (JSONL) or a run store (SQLite). Texts
    (for the dateline, places and names the text gives) come from the store, or --input.
    Every casualty report ends in exactly one incident or in the unassigned list with a reason;
    error records, duplicate article ids and mixed runs are reported.
    """
    from summarizer.incidents.build import check_records, group_incidents
    from summarizer.incidents.export import format_for_path, write_incidents
    from summarizer.inputs import ArticleInput, iter_articles
    from summarizer.store import RunStore, default_store_path, read_records

    store: Optional[RunStore] = None
    try:
        if _is_sqlite(source):
            try:
                store = RunStore(source)
                records = list(store.records(run_key))
            except sqlite3.DatabaseError as exc:
                raise click.ClickException(f"{source} is not a run store: {exc}") from None
        else:
            if run_key is not None:
                raise click.UsageError("--run-key applies to a run store, not a results file")
            try:
                records = list(read_records(source))
            except ValueError as exc:
                raise click.ClickException(f"{source}: not a results file written by 'run': {exc}") from None
            path = store_path or default_store_path()
            if not no_text and not input_paths and path.is_file():
                store = RunStore(path)
        texts: dict[str, str] = {}
        if not no_text:
            wanted = {record.id: record.input_sha256 for record in records}
            for item in iter_articles(list(input_paths)):
                if isinstance(item, ArticleInput) and item.id in wanted and wanted[item.id] in (None, item.sha256):
                    texts[item.id] = item.text
            if store is not None:
                for record in records:
                    if record.id not in texts:
                        text = store.text_for(record.id, record.input_sha256)
                        if text is not None:
                            texts[record.id] = text
    finally:
        if store is not None:
            store.close()
    result = group_incidents(records, texts, toll_rule=toll_rule)  # type: ignore[arg-type]
    for output in outputs:
        page = None
        if format_for_path(output) == "html":
            from summarizer.html_view import render_records
            from summarizer.incidents.view import render_incidents

            articles_page = output.with_name(f"{output.stem}.articles.html")
            page = render_incidents(result, title=title, article_view=articles_page.name)
            kept = check_records(records).records
            write_incidents(result, articles_page, "html", html=render_records(kept, texts, title=f"{title}: articles"))
        written = write_incidents(result, output, html=page)
        click.echo(f"wrote {', '.join(str(path) for path in written)}", err=True)
    multi = sum(1 for incident in result.incidents if len(incident.articles) > 1)
    click.echo(
        f"{result.articles} articles, {result.reports} casualty reports -> {len(result.incidents)} incidents "
        f"({multi} with several articles), {len(result.unassigned)} reports unassigned, "
        f"{len(result.problems)} input problems; texts for {len(texts)} articles",
        err=True,
    )
    for problem in result.problems[:10]:
        click.echo(f"  {problem.kind}: {problem.article_id or ''} {problem.message}", err=True)
    if len(result.problems) > 10:
        click.echo(f"  ... and {len(result.problems) - 10} more (see the JSONL output)", err=True)
