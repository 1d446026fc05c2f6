"""Writing incidents: JSONL (everything), CSV and Parquet (one row per incident), HTML (the view).

JSONL holds one object per line with a ``kind``: ``incident`` (an
:class:`~summarizer.incidents.model.Incident`), ``unassigned`` (a report in no incident, with its
reason) or ``problem`` (an input record that contributed nothing, or a warning). CSV and Parquet
have one row per incident (:data:`INCIDENT_COLUMNS`; Parquet adds ``incident_json``); what is
in no incident goes beside them into ``NAME.unassigned.csv`` / ``NAME.unassigned.parquet``, so
no report is lost whatever the format. Every file is written to a temporary name and moved into
place when complete.
"""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Literal, Optional

from summarizer.incidents.model import Incident, IncidentSet

IncidentFormat = Literal["jsonl", "csv", "parquet", "html"]
OUTCOMES = ("killed", "injured", "missing", "detained", "displaced")

INCIDENT_COLUMNS = (
    "id", "date_start", "date_end", "published_first", "published_last", "place", "state", "articles",
    "reports", "cumulative_reports",
    *(f"{outcome}_{field}" for outcome in OUTCOMES for field in ("min", "max", "latest", "median")),
    "disagreements", "sources", "link_rules", "article_ids",
)
UNASSIGNED_COLUMNS = ("article_id", "casualty_index", "reason", "message")


def format_for_path(path: Path | str) -> IncidentFormat:
    """The format a file name implies: .csv, .parquet/.pq, .html/.htm, else JSONL."""
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".html", ".htm"):
        return "html"
    return "jsonl"


def incident_row(incident: Incident) -> dict[str, Any]:
    """One incident as a flat row (:data:`INCIDENT_COLUMNS`)."""
    row: dict[str, Any] = {
        "id": incident.id,
        "date_start": incident.date_start.isoformat() if incident.date_start else None,
        "date_end": incident.date_end.isoformat() if incident.date_end else None,
        "published_first": incident.published_first.isoformat() if incident.published_first else None,
        "published_last": incident.published_last.isoformat() if incident.published_last else None,
        "place": incident.place,
        "state": incident.state,
        "articles": len(incident.articles),
        "reports": len(incident.reports),
        "cumulative_reports": len(incident.cumulative),
        "disagreements": "; ".join(incident.disagreements),
        "sources": "; ".join(incident.sources),
        "link_rules": " ".join(incident.link_rules),
        "article_ids": " ".join(article.id for article in incident.articles),
    }
    for outcome in OUTCOMES:
        toll = incident.tolls.get(outcome)
        row[f"{outcome}_min"] = toll.min if toll else None
        row[f"{outcome}_max"] = toll.max if toll else None
        row[f"{outcome}_latest"] = toll.latest if toll else None
        row[f"{outcome}_median"] = toll.median if toll else None
    return row


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(f"{path.stem}.unassigned{suffix}")


def _temporary(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_incidents(result: IncidentSet, path: Path | str, format: Optional[IncidentFormat] = None,
                    *, html: Optional[str] = None) -> list[Path]:
    """Write ``result`` to ``path`` (and its sidecar); returns the files written.

    ``html`` is the rendered page for the HTML format (see :mod:`summarizer.incidents.view`).
    """
    target = Path(path)
    chosen = format or format_for_path(target)
    if chosen == "jsonl":
        temporary = _temporary(target)
        with open(temporary, "w", encoding="utf-8") as handle:
            for incident in result.incidents:
                handle.write(json.dumps({"kind": "incident", **incident.model_dump(mode="json")}, ensure_ascii=False) + "\n")
            for item in result.unassigned:
                handle.write(json.dumps({"kind": "unassigned", **item.model_dump(mode="json")}, ensure_ascii=False) + "\n")
            for problem in result.problems:
                handle.write(json.dumps({"kind": "problem", **problem.model_dump(mode="json")}, ensure_ascii=False) + "\n")
        os.replace(temporary, target)
        return [target]
    if chosen == "html":
        if html is None:
            raise ValueError("the HTML format needs the rendered page")
        temporary = _temporary(target)
        temporary.write_text(html, encoding="utf-8")
        os.replace(temporary, target)
        return [target]
    rows = [incident_row(incident) for incident in result.incidents]
    unassigned = [item.model_dump(mode="json", include=set(UNASSIGNED_COLUMNS)) for item in result.unassigned]
    if chosen == "csv":
        written = [target]
        _write_csv(target, INCIDENT_COLUMNS, rows)
        sidecar = _sidecar(target, ".csv")
        _write_csv(sidecar, UNASSIGNED_COLUMNS, unassigned)
        return written + [sidecar]
    if chosen == "parquet":
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise RuntimeError("Parquet export needs pyarrow: pip install 'summarizer[export]'") from exc
        for row, incident in zip(rows, result.incidents):
            row["incident_json"] = incident.model_dump_json()
        sidecar = _sidecar(target, ".parquet")
        for file, data, columns in ((target, rows, INCIDENT_COLUMNS + ("incident_json",)), (sidecar, unassigned, UNASSIGNED_COLUMNS)):
            temporary = _temporary(file)
            table = pa.Table.from_pylist(data) if data else pa.table({name: pa.array([], pa.string()) for name in columns})
            pq.write_table(table, str(temporary))
            os.replace(temporary, file)
        return [target, sidecar]
    raise ValueError(f"unknown incident format {chosen!r}")


def _write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    temporary = _temporary(path)
    with open(temporary, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    os.replace(temporary, path)
