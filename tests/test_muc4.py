"""The MUC-4 loader: key parsing on hand-written snippets, then known TST4 messages from ../shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evaluation.muc4 import (
    MUC4_DIR,
    Muc4Article,
    Template,
    casualties_from_template,
    load_muc4,
    muc4_available,
    parse_filler,
    parse_number,
    read_keys,
    score_muc4,
    statistics,
    victim_group,
)
from summarizer.figures import parse_figure
from summarizer.schema import CasualtyReport, Evidence, Extraction

# A template in the key format, written for this test (not taken from the data set).
KEY_SNIPPET = """\
0.  MESSAGE: ID                    TEST-0001
1.  MESSAGE: TEMPLATE              1 (OPTIONAL)
4.  INCIDENT: TYPE                 ATTACK
19. HUM TGT: DESCRIPTION           "VILLAGERS"
                                   "OFFICER": "JUAN PEREZ"
20. HUM TGT: TYPE                  CIVILIAN: "VILLAGERS"
                                   ACTIVE MILITARY: "JUAN PEREZ"
21. HUM TGT: NUMBER                7 / 9: "VILLAGERS"
                                   1: "JUAN PEREZ"
23. HUM TGT: EFFECT OF INCIDENT    DEATH: "VILLAGERS"
                                   ? INJURY: "JUAN PEREZ"
24. HUM TGT: TOTAL NUMBER          -

0.  MESSAGE: ID                    TEST-0002
1.  MESSAGE: TEMPLATE              *
21. HUM TGT: NUMBER                *
"""
SNIPPET_TEXT = "Gunmen killed nine villagers on Monday. Officer Juan Perez was hurt."

needs_data = pytest.mark.skipif(not muc4_available(), reason=f"MUC-4 TST4 not found under {MUC4_DIR}")


@pytest.fixture(scope="module")
def articles() -> dict[str, Muc4Article]:
    return {a.id: a for a in load_muc4()}


def test_read_keys_parses_slots_and_continuation_lines(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(KEY_SNIPPET, encoding="latin-1")
    first, second = read_keys(path)
    assert first.message_id == "TEST-0001" and first.relevant and first.optional
    assert first.slots[21] == ['7 / 9: "VILLAGERS"', '1: "JUAN PEREZ"']
    assert not second.relevant


def test_template_maps_to_casualties(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_text(KEY_SNIPPET, encoding="latin-1")
    villagers, officer = casualties_from_template(read_keys(path)[0], SNIPPET_TEXT)
    assert villagers.outcome == "killed" and villagers.victim_group == "civilians"
    assert [(f.low, f.high) for f in villagers.alternatives] == [(7, 7), (9, 9)]
    assert villagers.evidence is not None and villagers.evidence.text == "nine"
    assert officer.outcome == "injured" and officer.uncertain and officer.victim_group == "security_forces"
    assert officer.evidence is None  # "1" is not written next to the name


def test_kidnapping_target_without_harm_is_detained() -> None:
    template = Template(
        message_id="T", slots={1: ["1"], 4: ["KIDNAPPING"], 21: ['3: "ENGINEERS"'], 23: ["-"]}
    )
    (item,) = casualties_from_template(template, "Rebels kidnapped three engineers.")
    assert item.outcome == "detained" and item.figure.low == 3
    no_harm = Template(message_id="T", slots={1: ["1"], 4: ["BOMBING"], 21: ['3: "ENGINEERS"'],
                                              23: ['NO INJURY OR DEATH: "ENGINEERS"']})
    assert casualties_from_template(no_harm, "") == []


@pytest.mark.parametrize(
    ("value", "intervals"),
    [
        ("17", [(17, 17)]),
        ("PLURAL", [(2, None)]),
        ("2 -", [(2, None)]),
        ("- 12", [(None, 12)]),
        ("7 - 9", [(7, 9)]),
        ("12 / 15 / - 12", [(12, 12), (15, 15), (None, 12)]),
        ("? 20", [(20, 20)]),
        ("-", []),
    ],
)
def test_parse_number(value: str, intervals: list) -> None:
    assert [(f.low, f.high) for f in parse_number(value)] == intervals


def test_parse_filler_and_victim_group() -> None:
    filler = parse_filler('? CIVILIAN: "RESIDENTS" / "CIVILIANS"')
    assert filler.uncertain and filler.value == "CIVILIAN" and filler.refs == ("RESIDENTS", "CIVILIANS")
    assert victim_group(["POLICEMEN"], "LAW ENFORCEMENT") == "security_forces"
    assert victim_group(["GUERRILLAS"], "ACTIVE MILITARY / CIVILIAN") == "fighters"
    assert victim_group(["JUAN PEREZ"], "GOVERNMENT OFFICIAL") == "other"
    assert victim_group(["X"], "CIVILIAN / ACTIVE MILITARY") == "people"


@needs_data
def test_dataset_statistics(articles: dict[str, Muc4Article]) -> None:
    stats = statistics(list(articles.values()))
    assert stats.messages == 100
    assert stats.incidents == 86 and stats.optional_incidents == 18
    assert stats.messages_with_incidents == 57
    assert stats.casualty_items == 73
    assert stats.by_outcome == {"killed": 47, "injured": 19, "detained": 7}


@needs_data
def test_known_messages(articles: dict[str, Muc4Article]) -> None:
    assert articles["TST4-MUC4-0001"].text.startswith("Concepcion, 23 Aug 88")
    assert articles["TST4-MUC4-0001"].incidents == 1 and articles["TST4-MUC4-0001"].casualties == ()  # no injuries
    assert articles["TST4-MUC4-0002"].incidents == 0  # "*": no relevant incident
    killed = {(c.outcome, c.figure.low, c.victim_group) for c in articles["TST4-MUC4-0042"].casualties}
    assert {("killed", 17, "fighters"), ("killed", 2, "security_forces"), ("injured", 6, "civilians")} <= killed
    for casualty in articles["TST4-MUC4-0042"].casualties:
        assert casualty.evidence is not None
        assert articles["TST4-MUC4-0042"].text[casualty.evidence.start : casualty.evidence.end] == casualty.evidence.text


@needs_data
def test_scoring_a_prediction_on_a_known_message(articles: dict[str, Muc4Article]) -> None:
    article = articles["TST4-MUC4-0042"]
    text = article.text
    start = text.index("17 guerrillas")
    predicted = Extraction(
        summary="ignored",
        casualties=[
            CasualtyReport(outcome="killed", figure=parse_figure("17"), victim_group="people",
                           evidence=Evidence(start=start, end=start + 13, text="17 guerrillas")),
        ],
    )
    result = score_muc4(article, predicted)
    assert list(result.fields) == ["casualties"]
    assert result.fields["casualties"].tp == 1  # victim group not matched in MUC-4 mode
    assert result.fields["casualties"].fn == len(article.casualties) - 1
    assert result.secondary == {}
