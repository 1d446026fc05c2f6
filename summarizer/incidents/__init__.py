"""Incidents across articles: one record per real event, every source's toll side by side.

Python API::

    from summarizer.incidents import group_incidents
    result = group_incidents(records, texts)      # texts: {id: text} or a function of the record
    for incident in result.incidents:
        print(incident.date_start, incident.place, incident.toll("killed"), len(incident.articles))
    result.unassigned                             # reports in no incident, each with a reason

Stages, one module each: :mod:`~summarizer.incidents.dates` (event dates),
:mod:`~summarizer.incidents.places` (place keys), :mod:`~summarizer.incidents.features` (what an
article says about its event), :mod:`~summarizer.incidents.grouping` (blocking and link rules,
incremental), :mod:`~summarizer.incidents.build` (assembly and tolls),
:mod:`~summarizer.incidents.model` (the pydantic contract), :mod:`~summarizer.incidents.export`
(JSONL/CSV/Parquet), :mod:`~summarizer.incidents.view` (HTML) and
:mod:`~summarizer.incidents.evaluate` (B-cubed and tolls against the GVA).
"""

from summarizer.incidents.build import check_records, group_incidents
from summarizer.incidents.grouping import IncidentIndex, LinkRules
from summarizer.incidents.model import Incident, IncidentSet, OutcomeToll, SourceFigure, Unassigned

__all__ = [
    "Incident",
    "IncidentIndex",
    "IncidentSet",
    "LinkRules",
    "OutcomeToll",
    "SourceFigure",
    "Unassigned",
    "check_records",
    "group_incidents",
]
