"""Rules-only disputed-claim finder: the seed article's dispute and hand-written cases of
each dispute cue."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("spacy")

from summarizer.grounding import item_problem  # noqa: E402
from summarizer.rules.claims import DISPUTE_RULES, ClaimCandidate, find_claims  # noqa: E402
from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.rules.quotes import find_quotes  # noqa: E402
from summarizer.schema import ARTICLE_VOICE  # noqa: E402

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ffa2c5b90b9276a4.txt"


DISPUTE_RULE_IDS = {rule.id for rule in DISPUTE_RULES}


def claims_of(text: str) -> list[ClaimCandidate]:
    doc = parse(text)
    found = find_claims(doc, find_quotes(doc))
    for candidate in found:
        claim = candidate.claim
        assert text[claim.evidence.start : claim.evidence.end] == claim.evidence.text
        assert claim.claim in text
        assert item_problem(claim, text) is None
        assert claim.rule in DISPUTE_RULE_IDS
    return found


def test_seed_sputnik_account_is_disputed_by_the_article():
    if not SEED.exists():
        pytest.skip(f"seed article not available at {SEED}")
    found = claims_of(SEED.read_text(encoding="utf-8"))
    sputnik = [c for c in found if c.claim.claimant == "Sputnik News"]
    assert len(sputnik) == 1
    assert sputnik[0].claim.disputant == ARTICLE_VOICE
    assert "Syrian air force" in sputnik[0].claim.claim
    # Russia rejecting a *request* is not a dispute over a statement.
    assert not any(c.claim.claim.startswith("a request") for c in found)


def test_plain_denial_has_no_claimant():
    found = claims_of("The interior ministry denied carrying out the strike on the refugee camp.")
    assert len(found) == 1
    claim = found[0].claim
    assert claim.claimant is None
    assert claim.disputant is not None and "ministry" in claim.disputant
    assert claim.claim == "carrying out the strike on the refugee camp"


def test_rejected_claims_that_clause_with_owner():
    text = "The army rejected claims by Amnesty International that its troops had shot protesters."
    claim = claims_of(text)[0].claim
    assert claim.claim == "its troops had shot protesters"
    assert claim.claimant == "Amnesty International"
    assert claim.disputant is not None and "army" in claim.disputant


def test_denial_pointing_back_takes_the_earlier_statement_and_counter_claim():
    text = (
        "Local officials said government aircraft had bombed the bakery. "
        "The defence ministry dismissed the accusation, saying that the bakery was hit by rebel mortars."
    )
    found = claims_of(text)
    assert len(found) == 1
    claim = found[0].claim
    assert claim.claim == "government aircraft had bombed the bakery"
    assert claim.claimant == "Local officials"
    assert claim.counter_claim == "the bakery was hit by rebel mortars"


def test_falsely_is_the_articles_voice():
    text = "The state broadcaster falsely reported that the dam had been destroyed by saboteurs."
    claim = claims_of(text)[0].claim
    assert claim.disputant == ARTICLE_VOICE
    assert claim.claimant == "The state broadcaster" or claim.claimant == "state broadcaster"
    assert "the dam had been destroyed by saboteurs" in claim.claim


def test_called_baseless_is_a_dispute():
    text = (
        "Opposition activists said 40 detainees had died in custody. "
        "Prison director Hamid Saleh called the reports baseless."
    )
    claim = claims_of(text)[0].claim
    assert claim.disputant == "Hamid Saleh"
    assert claim.claimant == "Opposition activists"
    assert claim.claim == "40 detainees had died in custody"


def test_no_evidence_is_the_articles_voice():
    text = "There is no evidence that the village housed any fighters."
    claim = claims_of(text)[0].claim
    assert claim.disputant == ARTICLE_VOICE
    assert "the village housed any fighters" in claim.claim


def test_no_dispute_cue_no_claim():
    text = "Rescuers said 12 people were killed when the bridge collapsed. The governor visited the site."
    assert claims_of(text) == []
