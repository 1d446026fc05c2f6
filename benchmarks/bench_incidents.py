"""Incident grouping at scale: 100,000 records, then 1,000 more added incrementally.

Real records (the GVA dev articles run through ``summarizer run``) are described once
(dates, places, names, words: :func:`summarizer.incidents.features.describe_article`) and then
repeated with shifted dates and places: copy *k* moves every date by ``k * shift`` days and gives
every place, name and rare word a copy suffix, so each copy is a new set of towns and people.
Records go in in day order, as a store grows. The default shift is the real records' span
(1st to 99th percentile of their days), so
copies follow each other and the stream has the real corpus's density all along: memory should
then stay flat in the number of records (the index holds a window of days; what grows is the
output, 9 bytes a record). ``--shift 29`` overlaps the copies (about 12 times the density).
Common words stay shared, so document frequencies grow as a real store's would.

Printed, never asserted: describing cost per real article, grouping time and RSS as the
records go in (chunks of 1,000, as a store is read), and for the incremental add of 1,000 to the
100,000: blocks touched out of all blocks, pairs compared, time. Timings are on whatever machine
runs it (a shared 2-core box when these figures were taken).

    python benchmarks/bench_incidents.py .scratch/gva-records.jsonl --texts .scratch/gva-input.jsonl
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import time
from collections import Counter
from pathlib import Path

from summarizer.incidents.dates import ResolvedDate
from summarizer.incidents.features import ArticleEvent, describe_article
from summarizer.incidents.grouping import IncidentIndex
from summarizer.incidents.places import Place
from summarizer.store import read_records


def rss_mb() -> float:
    """Resident set size now (Linux /proc), in MB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def shifted(event: ArticleEvent, copy: int, position: int, rare: set[str], terms: tuple[str, ...], shift: int) -> ArticleEvent:
    """Copy ``copy`` of a real event: dates moved, places, names and rare words made its own."""
    if copy == 0:
        return dataclasses.replace(event, position=position, terms=terms)
    days = dt.timedelta(days=shift * copy)
    suffix = f" x{copy}"
    resolved = event.event
    if resolved is not None:
        resolved = ResolvedDate(resolved.start + days, resolved.end + days, resolved.cue, resolved.rule)
    return dataclasses.replace(
        event,
        article_id=f"{event.article_id}~{copy}",
        position=position,
        published=event.published + days.days if event.published is not None else None,
        event=resolved,
        places=tuple(Place(p.text + suffix, p.key + suffix if p.key else "", p.state, p.rule) for p in event.places),
        names=frozenset(name + suffix for name in event.names),
        name_runs=frozenset(name + suffix for name in event.name_runs),
        terms=tuple(term + f"x{copy}" if term in rare else term for term in terms),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("records", type=Path, help="results JSONL of `summarizer run` (e.g. on the GVA dev articles)")
    parser.add_argument("--texts", type=Path, default=None, help="the run's input JSONL (id, text) for the texts")
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--add", type=int, default=1_000)
    parser.add_argument("--chunk", type=int, default=1_000)
    parser.add_argument("--shift", type=int, default=None,
                        help="days between copies (default: the real records' span, so copies follow each other)")
    args = parser.parse_args()

    texts: dict[str, str] = {}
    if args.texts is not None:
        with open(args.texts, encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                texts[row["id"]] = row["text"]
    records = [record for record in read_records(args.records) if record.status == "ok"]
    started = time.perf_counter()
    base = [describe_article(record, texts.get(record.id), n) for n, record in enumerate(records)]
    describe_s = time.perf_counter() - started
    print(f"describe: {len(base):,} real articles in {describe_s:.2f} s = {describe_s / len(base) * 1000:.2f} ms/article "
          f"(texts for {sum(1 for r in records if r.id in texts):,}); for {args.total:,}: "
          f"~{describe_s / len(base) * args.total:.0f} s on one core, ~{describe_s / len(base) * args.total / 2:.0f} s on 2 processes")
    base_terms = [event.terms or () for event in base]
    df = Counter(term for terms in base_terms for term in terms)
    rare = {term for term, count in df.items() if count <= 20}

    dated = sorted((n for n, event in enumerate(base) if event.day is not None), key=lambda n: base[n].day)
    # the span of the bulk of the days (1st to 99th percentile: a few dates read off old events stretch the full one)
    span = base[dated[len(dated) * 99 // 100]].day - base[dated[len(dated) // 100]].day + 1
    shift = args.shift or span
    copies = (args.total + args.add) // len(dated) + 1
    order = sorted(((copy, n) for copy in range(copies) for n in dated), key=lambda cn: (base[cn[1]].day + shift * cn[0], cn))
    print(f"stream: copies every {shift} days (the real days' span, 1st-99th percentile: {span}), "
          f"{len(dated) / shift:.1f} records a day, in day order")

    def stream(start: int, count: int):
        for position in range(start, start + count):
            copy, number = order[position]
            yield shifted(base[number], copy, position, rare, base_terms[number], shift)

    index = IncidentIndex()
    print(f"{'records':>9} {'group s':>8} {'RSS MB':>7} {'held':>7} {'blocks':>8} {'pairs':>9} {'links':>8}")
    rss_start = rss_mb()
    total_s = 0.0
    pairs = links = 0
    for start in range(0, args.total, args.chunk):
        chunk = list(stream(start, min(args.chunk, args.total - start)))
        began = time.perf_counter()
        report = index.add(chunk)
        total_s += time.perf_counter() - began
        pairs += report.compared_pairs
        links += report.links
        done = start + len(chunk)
        if done % 10_000 == 0 or done == args.total:
            print(f"{done:>9,} {total_s:>8.1f} {rss_mb():>7.0f} {index.held:>7,} {index.block_count:>8,} {pairs:>9,} {links:>8,}")
    groups = index.groups()
    rss_end = rss_mb()
    print(f"grouped {args.total:,} records in {total_s:.1f} s ({args.total / total_s:,.0f}/s): {len(groups):,} incidents, "
          f"{pairs:,} pairs compared (all pairs would be {args.total * (args.total - 1) // 2:,}); "
          f"RSS {rss_start:.0f} -> {rss_end:.0f} MB = {(rss_end - rss_start) * 1024 * 1024 / args.total:,.0f} bytes/record")

    began = time.perf_counter()
    report = index.add(stream(args.total, args.add))
    added_s = time.perf_counter() - began
    changed = sum(1 for members in index.groups() if any(m >= args.total for m in members))
    print(f"incremental: +{report.added:,} records in {added_s:.2f} s; touched {report.touched_blocks:,} block keys "
          f"({index.block_count:,} blocks held after), compared {report.compared_pairs:,} pairs, {report.links:,} links, "
          f"{report.merged_groups:,} merges; {changed:,} incidents hold a new record; the other "
          f"{len(groups) - report.merged_groups:,} were not revisited")
    print(f"python {os.sys.version.split()[0]}, cpu count {os.cpu_count()}, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
