"""The rules' lexicons (summarizer/rules/lexicons/*.toml): well-formed data, all of it read by a rule,
shipped in the wheel, and the rule ids the finders put on items."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from summarizer.rules import lexicon
from summarizer.rules.nlp import parse

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p.stem for p in lexicon.LEXICON_DIR.glob("*.toml"))


def _import_every_rules_module() -> None:
    import summarizer.rules.boilerplate  # noqa: F401
    import summarizer.rules.casualties  # noqa: F401
    import summarizer.rules.claims  # noqa: F401
    import summarizer.rules.quotes  # noqa: F401
    import summarizer.rules.speakers  # noqa: F401
    import summarizer.rules.victims  # noqa: F401


def _leaves(node, path=""):
    """(dotted key, value) of every word list and every word -> label table in a parsed file."""
    for key, value in node.items():
        dotted = f"{path}.{key}" if path else key
        if isinstance(value, list) or (isinstance(value, dict) and all(isinstance(v, str) for v in value.values())):
            yield dotted, value
        elif isinstance(value, dict):
            yield from _leaves(value, dotted)


def test_there_are_lexicon_files():
    assert {"outcomes", "victim_groups", "places", "casualty_context", "speech", "speakers", "disputes"} <= set(FILES)


@pytest.mark.parametrize("name", FILES)
def test_every_list_is_sorted_without_repeats(name):
    for key, value in _leaves(lexicon.load(name)):
        if isinstance(value, list):
            assert all(isinstance(w, str) and w for w in value), f"{name}.toml {key}: not all non-empty strings"
            assert len(set(value)) == len(value), f"{name}.toml {key}: repeated {sorted({w for w in value if value.count(w) > 1})}"
            assert value == sorted(value), f"{name}.toml {key} is not sorted"
        else:
            assert list(value) == sorted(value), f"{name}.toml [{key}] words are not sorted"


def test_label_tables_put_a_word_under_one_label_in_sorted_order():
    _import_every_rules_module()
    assert lexicon.LABEL_TABLES
    for name, key in sorted(lexicon.LABEL_TABLES):
        value = lexicon.table(name, key)
        words = [w for group in value.values() for w in group]
        assert len(set(words)) == len(words), f"{name}.toml [{key}]: a word under two labels"
        if (name, key) not in lexicon.ORDERED_TABLES:
            assert list(value) == sorted(value), f"{name}.toml [{key}] labels are not sorted"


def test_every_entry_is_read_by_a_rule():
    _import_every_rules_module()
    unread = [
        f"{name}.toml {key}"
        for name in FILES
        for key, _ in _leaves(lexicon.load(name))
        if (name, key) not in lexicon.READ
    ]
    assert not unread, f"lexicon entries no rule reads: {unread}"


def test_files_are_parsed_once_per_process():
    assert lexicon.load("outcomes") is lexicon.load("outcomes")


def test_a_missing_entry_is_a_clear_error():
    with pytest.raises(lexicon.LexiconError, match="no entry 'verbs.exploded'"):
        lexicon.words("outcomes", "verbs.exploded")
    with pytest.raises(lexicon.LexiconError, match="no lexicon file nonsense.toml"):
        lexicon.load("nonsense")


def test_phrase_lists_match_whole_words_case_insensitively():
    pattern = lexicon.phrase_pattern("casualty_context", "phrases.day")
    assert pattern.search("killed On Tuesday night")
    assert pattern.search("on March 3 a strike")
    assert not pattern.search("todays")


def test_casualty_items_carry_their_outcome_and_source_rule_ids():
    from summarizer.rules.casualties import OUTCOME_RULES, SOURCE_RULES, find_casualties

    doc = parse(
        "Three people were killed in an airstrike on Tuesday, the health ministry said.\n\n"
        "The death toll rose to 45, according to the observatory. Among the dead were 11 children."
    )
    reports = [c.report for c in find_casualties(doc)]
    by_figure = {r.figure.text: r for r in reports}
    assert by_figure["Three"].rule == "casualty.governor.verb"
    assert by_figure["Three"].speaker_rule == "source.reporting_subject"
    assert by_figure["45"].rule == "casualty.governor.toll"
    assert by_figure["45"].speaker_rule == "source.according_to"
    assert by_figure["11"].rule == "casualty.governor.outcome_on_verb"
    table_ids = {rule.id for rule in OUTCOME_RULES}
    assert all(r.rule.rsplit(".", 1)[0] in table_ids or r.rule in table_ids for r in reports)
    assert all(r.speaker_rule in {rule_id for rule_id, _ in SOURCE_RULES} for r in reports if r.speaker_rule)


def test_lexicons_ship_in_the_wheel(tmp_path):
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    wheel = next(tmp_path.glob("summarizer-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in FILES:
        assert f"summarizer/rules/lexicons/{name}.toml" in names


def test_quote_items_carry_their_finding_and_speaker_rule_ids():
    from summarizer.rules.quotes import QUOTE_RULES, SPEAKER_RULES, find_quotes

    doc = parse(
        "\u201cWe have nothing left,\u201d said Amina Yusuf, a farmer in the village.\n\n"
        "The health ministry said that 40 people had been treated in the town overnight.\n\n"
        "Interior Minister John Doe told reporters:\n\n"
        "The situation on the border is under control and the roads will reopen soon."
    )
    quotes = {c.quote.text: c.quote for c in find_quotes(doc)}
    marked = quotes["We have nothing left"]
    assert (marked.rule, marked.speaker_rule, marked.speaker) == ("quote.double_marks", "speaker.verb_after", "Amina Yusuf")
    reported = next(q for text, q in quotes.items() if text.startswith("40 people"))
    assert (reported.rule, reported.speaker_rule) == ("quote.reported_clause", "speaker.reporting_subject")
    block = next(q for text, q in quotes.items() if text.startswith("The situation"))
    assert (block.rule, block.speaker_rule) == ("quote.colon_block", "speaker.colon_intro")
    assert {q.rule for q in quotes.values()} <= {rule_id for rule_id, _ in QUOTE_RULES}
    assert {q.speaker_rule for q in quotes.values()} <= {rule_id for rule_id, _ in SPEAKER_RULES}


def test_claim_items_carry_their_dispute_rule_id():
    from summarizer.rules.claims import DISPUTE_RULES, find_claims
    from summarizer.rules.quotes import find_quotes

    doc = parse(
        "Residents said the army shelled the market on Monday. The army denied shelling the market.\n\n"
        "The ministry said 300 people had died. Local doctors said the figure was exaggerated."
    )
    claims = find_claims(doc, find_quotes(doc))
    rules = {c.claim.rule for c in claims}
    assert "dispute.verb" in rules
    assert "dispute.exaggerated" in rules
    assert rules <= {rule.id for rule in DISPUTE_RULES}
    assert len({rule.id for rule in DISPUTE_RULES}) == len(DISPUTE_RULES)
