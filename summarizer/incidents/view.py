"""The incident table as one self-contained HTML page (inline CSS, JS and SVG; no network).

One row per incident: dates, place, articles, and per outcome the smallest and largest figure and
the latest article's (the incident's toll under the set's rule drives the chart and the filters). Headers sort, the bar above filters by date range, place and outcome, and
a row expands to its articles and every figure with its source, qualifier and evidence snippet,
linked to the article view (``summarizer show``'s page, written beside this one by the
``incidents`` command) where the span is highlighted in the text. A chart of tolls per month
(inline SVG) sits on top; cumulative figures are listed per incident but never charted or added.

Everything from articles is untrusted and goes through :func:`html.escape`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections import defaultdict
from typing import Optional

from summarizer.incidents.model import Incident, IncidentSet, SourceFigure

CHART_OUTCOMES = ("killed", "injured")
_COLOURS = {"killed": "#b3261e", "injured": "#e8a33d"}


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _range(low: Optional[int], high: Optional[int]) -> str:
    if low is None:
        return "\u2014"
    if high is None:
        return f"\u2265{low}"
    return str(low) if low == high else f"{low}\u2013{high}"


def _date_text(incident: Incident) -> str:
    if incident.date_start is None:
        first = incident.published_first
        return f"? (published {first.isoformat()})" if first else "unknown"
    if incident.date_end and incident.date_end != incident.date_start:
        return f"{incident.date_start.isoformat()}\u2013{incident.date_end.isoformat()}"
    return incident.date_start.isoformat()


def _sort_date(incident: Incident) -> str:
    day = incident.date_start or incident.published_first
    return day.isoformat() if day else ""


def chart_svg(result: IncidentSet, *, width: int = 960, height: int = 180) -> str:
    """Tolls per month (each incident's toll under the set's rule, killed and injured side by side) as inline SVG."""
    months: dict[str, dict[str, int]] = defaultdict(lambda: {outcome: 0 for outcome in CHART_OUTCOMES})
    for incident in result.incidents:
        day = incident.date_start or incident.published_first
        if day is None:
            continue
        key = f"{day.year:04d}-{day.month:02d}"
        for outcome in CHART_OUTCOMES:
            months[key][outcome] += incident.toll(outcome, result.toll_rule)
    if not months:
        return '<p class="note">No dated incident to chart.</p>'
    keys = _month_span(sorted(months))
    # One implausible figure (a rule reading "22,000 killed" off a page) must not flatten the
    # chart: the scale stops at the 98th percentile of monthly values and taller bars are clipped
    # (marked, with their real value in the tooltip).
    values = sorted(value for month in months.values() for value in month.values() if value)
    peak = values[min(len(values) - 1, int(len(values) * 0.98))] if values else 1
    peak = max(peak, 1)
    left, bottom, top = 40, 24, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    slot = plot_w / len(keys)
    bar = max(1.0, slot / (len(CHART_OUTCOMES) + 1))
    parts = [f'<svg id="toll-chart" role="img" aria-label="Tolls per month" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg">']
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - 10}" y2="{top + plot_h}" class="axis"/>')
    parts.append(f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" class="tick">{peak}</text>')
    parts.append(f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end" class="tick">0</text>')
    label_every = max(1, len(keys) // 12)
    for number, key in enumerate(keys):
        x = left + number * slot
        for offset, outcome in enumerate(CHART_OUTCOMES):
            value = months[key][outcome] if key in months else 0
            if not value:
                continue
            bar_h = plot_h * min(value, peak) / peak
            clipped = " clipped" if value > peak else ""
            parts.append(
                f'<rect class="bar bar-{outcome}{clipped}" data-month="{key}" data-outcome="{outcome}" data-value="{value}" '
                f'x="{x + offset * bar:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar:.1f}" height="{bar_h:.1f}" '
                f'fill="{_COLOURS[outcome]}"><title>{key}: {value} {outcome}</title></rect>'
            )
        if number % label_every == 0:
            parts.append(f'<text x="{x:.1f}" y="{height - 6}" class="tick">{key}</text>')
    parts.append("</svg>")
    legend = "".join(f'<span class="swatch" style="background:{_COLOURS[o]}"></span>{o} ' for o in CHART_OUTCOMES)
    note = " Bars above the scale are clipped (dashed outline)." if any(v > peak for v in values) else ""
    return "".join(parts) + f'<p class="legend">{legend}(per month, {result.toll_rule} report per incident).{note}</p>'


def _month_span(keys: list[str]) -> list[str]:
    first_year, first_month = map(int, keys[0].split("-"))
    last_year, last_month = map(int, keys[-1].split("-"))
    span: list[str] = []
    year, month = first_year, first_month
    while (year, month) <= (last_year, last_month) and len(span) < 600:
        span.append(f"{year:04d}-{month:02d}")
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return span


def _figure_row(figure: SourceFigure, article_view: Optional[str], titles: dict[str, str]) -> str:
    snippet = figure.evidence.text if len(figure.evidence.text) <= 240 else figure.evidence.text[:237] + "\u2026"
    link = ""
    if article_view and figure.view_anchor:
        link = f' <a class="evidence-link" href="{_esc(article_view)}#{_esc(figure.view_anchor)}">in the article</a>'
    when = figure.event_date.cue if figure.event_date else (figure.period or "")
    return (
        f'<tr class="figure" data-outcome="{_esc(figure.outcome)}"><td>{_esc(titles.get(figure.article_id, figure.article_id))}</td>'
        f"<td>{_esc(figure.source or 'the article')}</td><td>{_esc(figure.outcome)}</td>"
        f"<td><strong>{_esc(figure.figure_text)}</strong> ({_esc(_range(figure.low, figure.high))})</td>"
        f"<td>{_esc(figure.qualifier or '')}</td><td>{_esc(when)}</td>"
        f'<td class="snippet">\u201c{_esc(snippet)}\u201d{link}</td></tr>'
    )


def _incident_body(incident: Incident, number: int, article_view: Optional[str], toll_rule: str) -> str:
    outcomes = sorted(incident.tolls)
    day = _sort_date(incident)
    killed = incident.tolls.get("killed")
    injured = incident.tolls.get("injured")
    search = " ".join(filter(None, [incident.place or "", *incident.places, *(a.title or "" for a in incident.articles)]))
    row = (
        f'<tbody class="incident" id="inc-{number}" data-id="{_esc(incident.id)}" data-date="{_esc(day)}" '
        f'data-place="{_esc(search.lower())}" data-outcomes="{_esc(" ".join(outcomes))}" '
        f'data-articles="{len(incident.articles)}" data-killed="{incident.toll("killed", toll_rule)}" '  # type: ignore[arg-type]
        f'data-injured="{incident.toll("injured", toll_rule)}">'  # type: ignore[arg-type]
        f'<tr class="summary-row"><td><button class="expand" aria-expanded="false" aria-controls="detail-{number}">+</button></td>'
        f"<td>{_esc(_date_text(incident))}</td><td>{_esc(_place_text(incident))}</td>"
        f"<td>{len(incident.articles)}</td>"
        f"<td>{_esc(_toll_cell(killed))}</td><td>{_esc(_toll_cell(injured))}</td>"
        f"<td>{'&#9888; ' + _esc('; '.join(incident.disagreements)) if incident.disagreements else ''}</td></tr>"
    )
    titles = {article.id: article.title or article.id for article in incident.articles}
    articles = "".join(
        f'<li><span class="pub">{_esc(a.published.isoformat() if a.published else "?")}</span> '
        + (f'<a href="{_esc(a.url)}" rel="noreferrer">{_esc(a.title or a.id)}</a>' if a.url and a.url.startswith(("http://", "https://")) else _esc(a.title or a.id))
        + (f' <a class="view-link" href="{_esc(article_view)}#{_esc(a.view_anchor)}">view</a>' if article_view and a.view_anchor else "")
        + f' <code>{_esc(a.id)}</code>'
        + (f' <span class="rule">{_esc(a.linked_by)}</span>' if a.linked_by else "")
        + (f' <span class="when">{_esc(a.event_date.cue)} \u2192 {_esc(a.event_date.start.isoformat())}</span>' if a.event_date else "")
        + "</li>"
        for a in incident.articles
    )
    tolls = "".join(
        f"<tr><td>{_esc(t.outcome)}</td><td>{t.min}</td><td>{_esc(t.max if t.max is not None else chr(0x2265) + str(t.max_low))}</td>"
        f"<td>{t.latest} ({_esc(titles.get(t.latest_article, t.latest_article))})</td><td>{t.articles}</td>"
        f"<td>{'yes' if t.disagree else 'no'}</td></tr>"
        for t in incident.tolls.values()
    )
    figures = "".join(_figure_row(f, article_view, titles) for f in incident.reports)
    cumulative = "".join(_figure_row(f, article_view, titles) for f in incident.cumulative)
    head = "<tr><th>article</th><th>source</th><th>outcome</th><th>figure</th><th>qualifier</th><th>when</th><th>evidence</th></tr>"
    detail = (
        f'<tr class="detail" id="detail-{number}" hidden><td colspan="7">'
        f"<h3>Articles</h3><ul class=\"articles\">{articles}</ul>"
        + (f"<h3>Tolls</h3><table class=\"tolls\"><tr><th>outcome</th><th>min</th><th>max</th><th>latest</th><th>articles</th><th>disagree</th></tr>{tolls}</table>" if tolls else "")
        + (f"<h3>Figures</h3><table class=\"figures\">{head}{figures}</table>" if figures else '<p class="note">No figure counted toward a toll.</p>')
        + (f"<h3>Cumulative figures and subsets (not added)</h3><table class=\"figures cumulative\">{head}{cumulative}</table>" if cumulative else "")
        + "</td></tr></tbody>"
    )
    return row + detail


def _place_text(incident: Incident) -> str:
    if not incident.place:
        return "\u2014"
    if incident.state and incident.state not in incident.place and "," not in incident.place:
        return f"{incident.place} ({incident.state})"
    return incident.place


def _toll_cell(toll: object) -> str:
    if toll is None:
        return "\u2014"
    low, high, latest = toll.min, toll.max, toll.latest  # type: ignore[attr-defined]
    spread = _range(low, high if high is not None else None) if high is not None else f"{low}\u2013\u2265{toll.max_low}"  # type: ignore[attr-defined]
    return f"{spread} (latest {latest})"


def render_incidents(result: IncidentSet, *, title: str = "Incidents", article_view: Optional[str] = None) -> str:
    """The page for ``result``; ``article_view`` is the file name of the article view to link to."""
    bodies = "".join(_incident_body(incident, n, article_view, result.toll_rule) for n, incident in enumerate(result.incidents))
    outcomes = sorted({outcome for incident in result.incidents for outcome in incident.tolls})
    multi = sum(1 for incident in result.incidents if len(incident.articles) > 1)
    unassigned = "".join(
        f"<li><code>{_esc(u.article_id)}</code> report {_esc(u.casualty_index)}: <strong>{_esc(u.reason)}</strong> {_esc(u.message)}</li>"
        for u in result.unassigned
    )
    problems = "".join(
        f"<li><strong>{_esc(p.kind)}</strong> <code>{_esc(p.article_id or '')}</code> {_esc(p.message)}</li>" for p in result.problems
    )
    options = "".join(f'<option value="{_esc(o)}">{_esc(o)}</option>' for o in outcomes)
    counts = (f"{len(result.incidents)} incidents ({multi} reported by several articles) from {result.articles} articles "
              f"and {result.reports} casualty reports; {len(result.unassigned)} reports unassigned")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{_esc(title)}</title>
<style>{_CSS}</style></head>
<body>
<header><h1>{_esc(title)}</h1><p class="counts" id="counts">{_esc(counts)}</p></header>
<section class="chart">{chart_svg(result)}</section>
<form class="filters" id="filters" onsubmit="return false">
<label>from <input type="date" id="f-from"></label>
<label>to <input type="date" id="f-to"></label>
<label>place <input type="search" id="f-place" placeholder="town, title words"></label>
<label>outcome <select id="f-outcome"><option value="">any</option>{options}</select></label>
<label><input type="checkbox" id="f-multi"> several articles only</label>
<span id="shown" aria-live="polite"></span>
</form>
<table class="incidents" id="incidents">
<thead><tr><th></th><th data-sort="date" class="sortable">date</th><th data-sort="place" class="sortable">place</th>
<th data-sort="articles" class="sortable">articles</th><th data-sort="killed" class="sortable">killed</th>
<th data-sort="injured" class="sortable">injured</th><th>sources disagree</th></tr></thead>
{bodies}
</table>
<section class="unassigned"><h2>Unassigned reports ({len(result.unassigned)})</h2><ul id="unassigned">{unassigned or '<li>none</li>'}</ul></section>
<section class="problems"><h2>Input problems ({len(result.problems)})</h2><ul id="problems">{problems or '<li>none</li>'}</ul></section>
<script>{_JS}</script>
</body></html>
"""


_CSS = """
body{font:14px/1.4 system-ui,sans-serif;margin:0 1.5rem 3rem;color:#1b1b1b}
h1{font-size:1.4rem;margin:.8rem 0 .2rem}.counts{color:#555;margin:0 0 .5rem}
.chart svg{border:1px solid #ddd;background:#fafafa;height:180px}.tick{font-size:10px;fill:#555}.axis{stroke:#888}
.legend{font-size:12px;color:#444}rect.clipped{stroke:#000;stroke-dasharray:2 2}.swatch{display:inline-block;width:10px;height:10px;margin:0 4px 0 8px}
.filters{display:flex;flex-wrap:wrap;gap:.8rem;align-items:center;padding:.5rem 0;position:sticky;top:0;background:#fff;z-index:1}
table.incidents{border-collapse:collapse;width:100%}
table.incidents th,table.incidents td{border-bottom:1px solid #e5e5e5;padding:.3rem .4rem;text-align:left;vertical-align:top}
th.sortable{cursor:pointer;user-select:none}th.sortable[aria-sort=ascending]::after{content:" \\25B2"}
th.sortable[aria-sort=descending]::after{content:" \\25BC"}
button.expand{width:1.7rem}.detail td{background:#f7f7f9}.detail h3{font-size:.95rem;margin:.5rem 0 .2rem}
table.figures,table.tolls{border-collapse:collapse;font-size:13px}table.figures td,table.figures th,table.tolls td,table.tolls th{border:1px solid #ddd;padding:.2rem .35rem}
.snippet{max-width:36rem}.rule,.when,.pub{color:#666;font-size:12px}.cumulative{opacity:.8}.note{color:#777}
"""

_JS = """
(function(){
  const table=document.getElementById('incidents');
  const bodies=()=>Array.from(table.tBodies);
  table.addEventListener('click',function(e){
    const button=e.target.closest('button.expand');
    if(button){const detail=document.getElementById(button.getAttribute('aria-controls'));
      const open=detail.hidden; detail.hidden=!open; button.setAttribute('aria-expanded',String(open)); button.textContent=open?'\\u2212':'+';return;}
    const th=e.target.closest('th.sortable'); if(!th) return;
    const key=th.dataset.sort; const asc=th.getAttribute('aria-sort')!=='ascending';
    table.querySelectorAll('th.sortable').forEach(h=>h.removeAttribute('aria-sort'));
    th.setAttribute('aria-sort',asc?'ascending':'descending');
    const numeric=['articles','killed','injured'].includes(key);
    const sorted=bodies().sort(function(a,b){
      let x=a.dataset[key]||'',y=b.dataset[key]||'';
      if(numeric){x=Number(x);y=Number(y);}
      return (x<y?-1:x>y?1:0)*(asc?1:-1);
    });
    sorted.forEach(b=>table.appendChild(b));
  });
  const f={from:document.getElementById('f-from'),to:document.getElementById('f-to'),place:document.getElementById('f-place'),
           outcome:document.getElementById('f-outcome'),multi:document.getElementById('f-multi')};
  function apply(){
    const place=f.place.value.trim().toLowerCase(); let shown=0;
    bodies().forEach(function(b){
      const d=b.dataset.date; let ok=true;
      if(f.from.value&&(!d||d<f.from.value)) ok=false;
      if(f.to.value&&(!d||d>f.to.value)) ok=false;
      if(place&&b.dataset.place.indexOf(place)<0) ok=false;
      if(f.outcome.value&&b.dataset.outcomes.split(' ').indexOf(f.outcome.value)<0) ok=false;
      if(f.multi.checked&&Number(b.dataset.articles)<2) ok=false;
      b.hidden=!ok; if(ok) shown++;
    });
    document.getElementById('shown').textContent=shown+' shown';
  }
  Object.values(f).forEach(el=>el.addEventListener('input',apply));
  Object.values(f).forEach(el=>el.addEventListener('change',apply));
  apply();
})();
"""
