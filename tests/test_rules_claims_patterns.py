"""Rules-only disputed-claim finder: one invented news sentence (or pair) per dispute pattern,
and the look-alikes that are deliberately not disputes."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from summarizer.grounding import item_problem  # noqa: E402
from summarizer.rules.claims import ClaimCandidate, find_claims  # noqa: E402
from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.rules.quotes import find_quotes  # noqa: E402
from summarizer.schema import ARTICLE_VOICE, DisputedClaim  # noqa: E402


def claims_of(text: str) -> list[ClaimCandidate]:
    doc = parse(text)
    found = find_claims(doc, find_quotes(doc))
    for candidate in found:
        assert item_problem(candidate.claim, text) is None
    return found


def only_claim(text: str) -> DisputedClaim:
    found = claims_of(text)
    assert len(found) == 1, [c.claim.claim for c in found]
    return found[0].claim


def test_relative_denial_takes_the_reported_clause():
    claim = only_claim("Western diplomats have said the militia is armed by Iran, which Tehran denies.")
    assert claim.claim == "the militia is armed by Iran"
    assert claim.claimant is not None and "diplomats" in claim.claimant
    assert claim.disputant == "Tehran"


def test_denial_of_a_statement_by_a_named_source_with_a_that_clause():
    claim = only_claim(
        "The monitoring group said all of the dead were farmers, rejecting a statement by the "
        "regional police that officers had only fired at armed smugglers near the border."
    )
    assert claim.claim == "officers had only fired at armed smugglers near the border"
    assert claim.claimant is not None and "police" in claim.claimant


def test_passive_challenge_points_back_to_the_previous_claim():
    text = (
        "The mining firm says its new dam meets every international safety standard. "
        "That claim was challenged by the Lakeside Residents Union, which says cracks appeared in May."
    )
    claim = only_claim(text)
    assert claim.claim == "its new dam meets every international safety standard"
    assert claim.disputant == "the Lakeside Residents Union"


def test_accusation_is_what_a_later_rejection_points_back_to():
    text = (
        "The provincial governor blamed the Northern Front, which controls the hills above the town. "
        "A nurse said the clinic had run out of blood. "
        '"We worked through the night," she said. '
        "The Northern Front rejected the accusation."
    )
    claim = only_claim(text)
    assert claim.claim.startswith("the Northern Front")
    assert "which controls" not in claim.claim  # the relative clause is not part of the accusation
    assert claim.claimant is not None and "governor" in claim.claimant


def test_plain_denial_takes_the_accusation_against_the_denier():
    text = (
        "Police blamed the Freedom Brigade for the bombing, saying the group had planted the device. "
        "The Freedom Brigade denied planting any bomb."
    )
    claim = only_claim(text)
    assert "the group had planted the device" in claim.claim
    assert claim.claimant == "Police"


def test_owner_of_the_account_picks_its_statement_over_a_nearer_one():
    text = (
        "The regional army says its units have recaptured the bridge at Tal Rifat. "
        "A local doctor said 14 wounded fighters had arrived overnight. "
        "The rebel commander Omar Fadel rejected the army's account."
    )
    claim = only_claim(text)
    assert claim.claim == "its units have recaptured the bridge at Tal Rifat"


def test_rejected_report_finds_the_statement_introduced_as_a_report():
    text = (
        "According to a report by the Coastal Rights Group, guards beat at least 30 detainees at the port. "
        "Relatives described broken ribs and burns. "
        '"They came every night," one former detainee said. '
        '"Nobody stopped them," another said. '
        "The interior ministry dismissed the report as fabricated."
    )
    claim = only_claim(text)
    assert "guards beat at least 30 detainees at the port" in claim.claim
    assert claim.disputant is not None and "ministry" in claim.disputant


def test_false_adjective_on_a_claim_noun_is_the_articles_voice():
    claim = only_claim(
        "Hostile channels circulated false reports that the airport had been closed by the rebels."
    )
    assert claim.claim == "the airport had been closed by the rebels"
    assert claim.disputant == ARTICLE_VOICE
    assert claim.claimant is not None and "channels" in claim.claimant


def test_it_is_not_true_points_back():
    text = "The agency said the convoy carried weapons. That is not true, the drivers' union said."
    claim = only_claim(text)
    assert claim.claim == "the convoy carried weapons"
    assert claim.disputant is not None and "union" in claim.disputant


def test_finding_no_sign_answers_the_statement_before_it():
    text = (
        "The defence ministry said its jets had struck a weapons depot in the suburb. "
        "Reporters who visited the site found no sign of any military equipment."
    )
    claim = only_claim(text)
    assert claim.claim == "its jets had struck a weapons depot in the suburb"
    assert claim.disputant is not None and "Reporters" in claim.disputant


def test_describe_the_opposite_disputes_the_previous_statement():
    text = "The militia says it is escorting food convoys. Drivers on the route describe the opposite."
    claim = only_claim(text)
    assert claim.claim == "it is escorting food convoys"
    assert claim.disputant is not None and "Drivers" in claim.disputant


def test_spokesman_restating_his_side_is_not_disputing_it():
    text = (
        "The Eastern Alliance rejected the accusation and said the army had shelled the village itself. "
        '"These are lies," Eastern Alliance spokesman Idris Kamal told reporters.'
    )
    assert not any(c.claim.claim.startswith("the army had shelled") for c in claims_of(text))


def test_negated_dispute_verb_is_no_dispute():
    text = "Witnesses said troops opened fire. The army has not denied that account."
    assert claims_of(text) == []


def test_bare_noun_denial_is_too_little_to_be_a_claim():
    assert claims_of("The militia denies involvement.") == []


def test_cover_up_in_a_speakers_words_is_an_accusation_not_the_articles_voice():
    text = "The reports are an attempt to cover up the shelling of the market, the army spokesman said."
    assert not any(c.claim.disputant == ARTICLE_VOICE for c in claims_of(text))


def test_rejecting_a_request_is_not_a_dispute():
    assert claims_of("The government rejected a request for a ceasefire in the north.") == []
