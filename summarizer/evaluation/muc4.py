"""MUC-4 TST4 as a real-text casualty benchmark (read from ``../shared``, never copied here).

MUC-4 (NIST, 1992) labels Latin American terrorism news with one *template* per relevant
incident. Slots 18-24 describe the incident's human targets; this module turns each target's
``HUM TGT: EFFECT OF INCIDENT`` and ``HUM TGT: NUMBER`` into casualty gold that
:func:`~summarizer.evaluation.scoring.score_article` scores in casualties-only mode
(:data:`MUC4_OPTIONS`). The mapping and its limits are in ``evals/MUC4.md``; in short:

* ``DEATH`` -> killed, ``INJURY`` -> injured; in a ``KIDNAPPING`` template a target with no
  death or injury (``-`` or ``REGAINED FREEDOM``) -> detained; ``NO INJURY OR DEATH``,
  ``RESIGNATION`` and the like -> no item;
* ``17`` -> exact; ``PLURAL`` -> at least 2; ``2 -`` -> at least 2; ``- 12`` -> at most 12;
  ``12 / 15`` -> alternatives (the item matches when any alternative is compatible);
  ``?`` (uncertain) is stripped and recorded;
* the victim group comes from the target description ("POLICEMEN" -> security_forces), else
  from the target type (``CIVILIAN`` -> civilians); it is informational, not matched;
* evidence is the figure with the key's value written nearest a mention of the target's
  description (within 120 characters); None when there is none (named victims, ``PLURAL``).
  The casualty matcher does not need evidence.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional, Sequence

from summarizer.evaluation.scoring import (
    CASUALTIES_ONLY,
    TOKEN_CLAIMS,
    ArticleScore,
    ScoringOptions,
    score_article,
)
from summarizer.figures import find_figures
from summarizer.schema import Evidence, Extraction, Figure

#: Where the data sits: ``../shared/datasets/muc4`` beside the checkout, or ``$SUMMARIZER_MUC4_DIR``.
MUC4_DIR = Path(
    os.environ.get("SUMMARIZER_MUC4_DIR", Path(__file__).resolve().parents[3] / "shared" / "datasets" / "muc4")
)
MESSAGES_FILE = "tst4-muc4.mixed-case"
KEYS_FILE = "key-tst4.v2"

#: Casualties only, no secondary fields (MUC-4 has none of ours), victim typing not matched.
MUC4_OPTIONS = ScoringOptions(fields=CASUALTIES_ONLY, secondary=False, match_victim_group=False, claim_matcher=TOKEN_CLAIMS)

_MESSAGE_ID_RE = re.compile(r"^(TST4-MUC4-\d{4})\s*$", re.MULTILINE)
_SLOT_RE = re.compile(r"^(\d+)\.\s+([A-Z][A-Z :]*?[A-Z])\s{2,}(.*?)\s*$")
_FILLER_RE = re.compile(r'^(?P<value>.*?)\s*:\s*(?P<refs>".*)$')
_QUOTED_RE = re.compile(r'"((?:[^"\\]|\\.)*)"')

#: How far (characters) from a mention of the target a figure may be to count as its evidence.
_EVIDENCE_WINDOW = 120

_EFFECT_OUTCOMES = {"DEATH": "killed", "INJURY": "injured"}
_DESCRIPTION_GROUPS = [
    (("CHILD", "CHILDREN", "MINOR", "MINORS", "BOY", "BOYS", "GIRL", "GIRLS"), "children"),
    (("WOMAN", "WOMEN"), "women"),
    (("GUERRILLA", "GUERRILLAS", "REBEL", "REBELS", "TERRORIST", "TERRORISTS", "INSURGENT",
      "INSURGENTS", "MILITANTS", "GUNMEN"), "fighters"),
    (("SOLDIER", "SOLDIERS", "TROOPS", "POLICE", "POLICEMAN", "POLICEMEN", "GUARD", "GUARDS",
      "BODYGUARD", "BODYGUARDS", "OFFICER", "OFFICERS", "CARABINEROS", "AGENTS", "CORPORAL",
      "LIEUTENANT", "SERGEANT"), "security_forces"),
    (("JOURNALIST", "JOURNALISTS", "REPORTER", "REPORTERS"), "journalists"),
    (("CIVILIAN", "CIVILIANS"), "civilians"),
    (("PEOPLE", "PERSONS", "INDIVIDUALS"), "people"),
]
_TYPE_GROUPS = {
    "CIVILIAN": "civilians", "ACTIVE MILITARY": "security_forces", "LAW ENFORCEMENT": "security_forces",
    "SECURITY GUARD": "security_forces",
}


# --------------------------------------------------------------------------- raw files


@dataclass(frozen=True)
class Filler:
    """One line of a slot: ``VALUE: "REF" / "REF"`` (either part may be empty)."""

    value: str
    refs: tuple[str, ...]
    uncertain: bool = False


@dataclass
class Template:
    """One answer-key template: slot number -> filler lines (``*`` templates: no incident)."""

    message_id: str
    slots: dict[int, list[str]] = field(default_factory=dict)

    def first(self, slot: int) -> str:
        return (self.slots.get(slot) or ["-"])[0]

    @property
    def relevant(self) -> bool:
        return self.first(1) != "*"

    @property
    def optional(self) -> bool:
        return "OPTIONAL" in self.first(1)

    @property
    def number(self) -> str:
        return self.first(1).split()[0]

    @property
    def incident_type(self) -> str:
        return self.first(4)

    def fillers(self, slot: int) -> list[Filler]:
        return [parse_filler(line) for line in self.slots.get(slot, []) if line not in ("-", "*")]


def parse_filler(line: str) -> Filler:
    """``? 12 / 15: "RESIDENTS" / "CIVILIANS"`` -> value "12 / 15", refs, uncertain."""
    uncertain = line.startswith("?")
    line = line.lstrip("? ").strip()
    match = _FILLER_RE.match(line)
    if match and not match.group("value").startswith('"'):
        value, refs = match.group("value"), match.group("refs")
    elif line.startswith('"'):
        value, refs = "", line
    else:
        value, refs = line, ""
    value = value.lstrip("? ").strip()
    return Filler(value=value, refs=tuple(_QUOTED_RE.findall(refs)), uncertain=uncertain)


def read_messages(path: Path) -> dict[str, str]:
    """Message id -> text (the lines after the id line, without surrounding whitespace)."""
    raw = path.read_text(encoding="latin-1")
    parts = _MESSAGE_ID_RE.split(raw)
    return {parts[i]: parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}


def read_keys(path: Path) -> list[Template]:
    """Every template of the answer-key file, in file order."""
    templates: list[Template] = []
    current: Optional[Template] = None
    slot: Optional[int] = None
    for line in path.read_text(encoding="latin-1").splitlines():
        match = _SLOT_RE.match(line)
        if match:
            slot = int(match.group(1))
            if slot == 0:
                current = Template(message_id=match.group(3).strip())
                templates.append(current)
            elif current is not None:
                current.slots.setdefault(slot, []).append(match.group(3).strip())
        elif line.strip() and current is not None and slot is not None and line[:1].isspace():
            current.slots.setdefault(slot, []).append(line.strip())
    return templates


# --------------------------------------------------------------------------- mapping to gold


@dataclass(frozen=True)
class Muc4Casualty:
    """One human target with a casualty outcome, in the shape the casualty matcher reads."""

    outcome: str
    figure: Figure
    alternatives: tuple[Figure, ...]
    victim_group: str
    description: str
    template: str
    optional: bool
    uncertain: bool
    evidence: Optional[Evidence] = None


@dataclass(frozen=True)
class Muc4Article:
    """A MUC-4 message as gold: the text and its casualty items (no summary, quotes or claims)."""

    id: str
    text: str
    casualties: tuple[Muc4Casualty, ...]
    incidents: int
    optional_incidents: int
    summary: str = ""
    quotes: tuple = ()
    claims: tuple = ()


def parse_number(value: str) -> list[Figure]:
    """A ``HUM TGT: NUMBER`` value as figures, one per ``/`` alternative (empty when none)."""
    figures = []
    for alternative in value.split("/"):
        text = alternative.strip().lstrip("? ").strip()
        if not text or text == "-":
            continue
        if text == "PLURAL":
            figures.append(Figure(text=text, kind="lower_bound", low=2, qualifier="plural"))
        elif re.fullmatch(r"\d+", text):
            figures.append(Figure(text=text, kind="exact", low=int(text), high=int(text)))
        elif match := re.fullmatch(r"(\d+)\s*-\s*(\d+)", text):
            low, high = sorted((int(match.group(1)), int(match.group(2))))
            figures.append(
                Figure(text=text, kind="range", low=low, high=high)
                if low < high
                else Figure(text=text, kind="exact", low=low, high=low)
            )
        elif match := re.fullmatch(r"(\d+)\s*-", text):
            figures.append(Figure(text=text, kind="lower_bound", low=int(match.group(1)), qualifier="at least"))
        elif match := re.fullmatch(r"-\s*(\d+)", text):
            figures.append(Figure(text=text, kind="upper_bound", high=int(match.group(1)), qualifier="up to"))
    return figures


def victim_group(descriptions: Iterable[str], target_type: str) -> str:
    """Our victim group from a MUC target's descriptions, else from its type."""
    words = {w for d in descriptions for w in re.findall(r"[A-Z]+", d.upper())}
    for keys, group in _DESCRIPTION_GROUPS:
        if words & set(keys):
            return group
    types = {t.strip() for t in target_type.lstrip("? ").split("/") if t.strip()}
    groups = {_TYPE_GROUPS.get(t, "other") for t in types}
    return groups.pop() if len(groups) == 1 else "people"  # no type, or a mix: unspecified


def _outcome(effect: Optional[Filler], incident_type: str) -> Optional[str]:
    effects = {e.strip() for e in effect.value.split("/")} if effect else set()
    for name, outcome in _EFFECT_OUTCOMES.items():
        if name in effects:
            return outcome
    if "KIDNAPPING" in incident_type and (not effects or effects <= {"REGAINED FREEDOM"}):
        return "detained"
    return None


def _locate(figures: Sequence[Figure], descriptions: Sequence[str], text: str) -> Optional[Evidence]:
    wanted = {(f.low, f.high) for f in figures if f.kind != "upper_bound" and f.text != "PLURAL"}
    if not wanted:
        return None
    anchors = [m.start() for d in descriptions if d for m in re.finditer(re.escape(d), text, re.IGNORECASE)]
    candidates = [
        (min(abs(found.start - a) for a in anchors), found)
        for found in find_figures(text)
        if (found.figure.low, found.figure.high) in wanted and anchors
    ]
    near = [(distance, found) for distance, found in candidates if distance <= _EVIDENCE_WINDOW]
    if not near:
        return None
    best = min(near, key=lambda pair: pair[0])[1]
    return Evidence(start=best.start, end=best.end, text=text[best.start : best.end])


def _match_ref(fillers: list[Filler], refs: tuple[str, ...], position: int) -> Optional[Filler]:
    """The filler about the same target: by shared reference strings, and when several targets
    share them ("DEATH: RESIDENTS" and "INJURY: RESIDENTS"), the one on the same line position."""
    sharing = [i for i, f in enumerate(fillers) if set(f.refs) & set(refs)]
    if not sharing:
        return None
    return fillers[position] if position in sharing else fillers[sharing[0]]


def casualties_from_template(template: Template, text: str) -> list[Muc4Casualty]:
    """The casualty items of one relevant template."""
    if not template.relevant:
        return []
    numbers, effects = template.fillers(21), template.fillers(23)
    types, descriptions = template.fillers(20), template.fillers(19)
    items = []
    for position, number in enumerate(numbers):
        effect = _match_ref(effects, number.refs, position)
        outcome = _outcome(effect, template.incident_type)
        figures = parse_number(number.value)
        if outcome is None or not figures:
            continue
        described = _match_ref(descriptions, number.refs, position)
        names = [*number.refs, *(re.findall(r'"([^"]*)"', described.value) if described else [])]
        target_type = _match_ref(types, number.refs, position)
        items.append(
            Muc4Casualty(
                outcome=outcome,
                figure=figures[0],
                alternatives=tuple(figures),
                victim_group=victim_group(names, target_type.value if target_type else ""),
                description=" / ".join(names),
                template=template.number,
                optional=template.optional,
                uncertain=number.uncertain or bool(effect and effect.uncertain),
                evidence=_locate(figures, names, text),
            )
        )
    return items


def muc4_available(directory: Path = MUC4_DIR) -> bool:
    """Whether both TST4 files are there (tests and benchmarks skip cleanly when not)."""
    return (directory / MESSAGES_FILE).is_file() and (directory / KEYS_FILE).is_file()


def load_muc4(directory: Path = MUC4_DIR, include_optional: bool = True) -> list[Muc4Article]:
    """Every TST4 message as a :class:`Muc4Article`; raises FileNotFoundError when absent
    (check :func:`muc4_available` first to skip cleanly)."""
    if not muc4_available(directory):
        raise FileNotFoundError(f"MUC-4 TST4 not found under {directory}")
    messages = read_messages(directory / MESSAGES_FILE)
    by_message: dict[str, list[Template]] = {}
    for template in read_keys(directory / KEYS_FILE):
        by_message.setdefault(template.message_id, []).append(template)
    articles = []
    for message_id, text in messages.items():
        templates = [t for t in by_message.get(message_id, []) if t.relevant]
        if not include_optional:
            templates = [t for t in templates if not t.optional]
        items = [item for t in templates for item in casualties_from_template(t, text)]
        articles.append(
            Muc4Article(
                id=message_id, text=text, casualties=tuple(items), incidents=len(templates),
                optional_incidents=sum(t.optional for t in templates),
            )
        )
    return articles


def score_muc4(article: Muc4Article, predicted: Extraction) -> ArticleScore:
    """Score a prediction on a MUC-4 message: casualties only (:data:`MUC4_OPTIONS`)."""
    return score_article(article, predicted, article.text, options=MUC4_OPTIONS)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Muc4Statistics:
    """Counts that say what the benchmark can measure (see ``evals/MUC4.md``)."""

    messages: int
    messages_with_incidents: int
    incidents: int
    optional_incidents: int
    casualty_items: int
    by_outcome: dict[str, int]
    by_figure_kind: dict[str, int]
    with_evidence: int
    messages_with_casualties: int


def statistics(articles: Sequence[Muc4Article]) -> Muc4Statistics:
    """Messages, incidents and casualty items of ``articles`` (``by_figure_kind`` counts items
    with several alternatives as "alternatives")."""
    items = [c for a in articles for c in a.casualties]
    return Muc4Statistics(
        messages=len(articles),
        messages_with_incidents=sum(1 for a in articles if a.incidents),
        incidents=sum(a.incidents for a in articles),
        optional_incidents=sum(a.optional_incidents for a in articles),
        casualty_items=len(items),
        by_outcome=dict(Counter(c.outcome for c in items)),
        by_figure_kind=dict(Counter("alternatives" if len(c.alternatives) > 1 else c.figure.kind for c in items)),
        with_evidence=sum(1 for c in items if c.evidence is not None),
        messages_with_casualties=sum(1 for a in articles if a.casualties),
    )


if __name__ == "__main__":
    if not muc4_available():
        print(f"MUC-4 data not found under {MUC4_DIR}")
        sys.exit(1)
    print(statistics(load_muc4()))
