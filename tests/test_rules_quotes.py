"""Rules-only quote finder: the seed article's known quotes and hand-written cases of each
pattern news uses to mark speech."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("spacy")

from summarizer.grounding import item_problem  # noqa: E402
from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.rules.quotes import QuoteCandidate, find_quotes  # noqa: E402

SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_ffa2c5b90b9276a4.txt"


def quotes_of(text: str) -> list[QuoteCandidate]:
    found = find_quotes(parse(text))
    for candidate in found:
        quote = candidate.quote
        assert text[quote.evidence.start : quote.evidence.end] == quote.text == quote.evidence.text
        assert item_problem(quote, text) is None
        if quote.nested_in is not None:
            assert 0 <= quote.nested_in < len(found) and found[quote.nested_in].quote is not quote
        if quote.speaker is not None:
            assert candidate.speaker_options[0] == quote.speaker
    return found


def only(found: list[QuoteCandidate], starts_with: str) -> QuoteCandidate:
    matches = [c for c in found if c.quote.text.startswith(starts_with)]
    assert len(matches) == 1, [c.quote.text for c in found]
    return matches[0]


@pytest.fixture(scope="module")
def seed() -> tuple[str, list[QuoteCandidate]]:
    if not SEED.exists():
        pytest.skip(f"seed article not available at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    return text, quotes_of(text)


def test_seed_block_quote_by_lavrov(seed):
    _, found = seed
    block = only(found, "We proposed to the US")
    assert block.quote.mode == "direct"
    assert block.quote.text.endswith("adult-like talk.")
    assert block.quote.speaker == "Sergei Lavrov"
    assert "Foreign Minister" in (block.quote.speaker_role or "")


def test_seed_nested_quote_points_at_block(seed):
    _, found = seed
    nested = only(found, "You’re bombing the wrong people")
    outer = found[nested.quote.nested_in]
    assert outer.quote.text.startswith("We proposed to the US")
    assert nested.quote.speaker is not None and "US" in nested.quote.speaker


def test_seed_indirect_quote_by_lavrov(seed):
    _, found = seed
    indirect = only(found, "Russia had rejected a request by US Secretary of State John Kerry")
    assert indirect.quote.mode == "indirect"
    assert indirect.quote.speaker == "Sergei Lavrov"


def test_seed_outlet_block_quote(seed):
    _, found = seed
    block = only(found, "In the city of Aleppo,")
    assert block.quote.mode == "direct"
    assert block.quote.speaker == "Sputnik News"
    assert block.speaker_cue == "colon_intro"


def test_seed_scare_quote_and_caption_are_not_quotes(seed):
    _, found = seed
    texts = [c.quote.text for c in found]
    assert "peace talks" not in texts
    assert not any(t.startswith("The latest Russian attacks") for t in texts)


def test_quote_with_attribution_after():
    text = "“We will not leave our homes whatever happens,” said Amina Yusuf, a teacher in the town."
    found = quotes_of(text)
    quote = only(found, "We will not leave").quote
    assert quote.mode == "direct" and quote.speaker == "Amina Yusuf"
    assert quote.speaker_role == "a teacher in the town"


def test_broken_quote_is_two_quotes_with_one_speaker():
    text = 'Colonel Ahmed Salem spoke at the base on Monday. "We will," he said, "fight on until the last village is free."'
    found = quotes_of(text)
    first, second = only(found, "We will"), only(found, "fight on")
    assert first.quote.text == "We will"
    assert first.quote.speaker == second.quote.speaker == "Ahmed Salem"
    assert second.speaker_cue == "pronoun_antecedent"


def test_title_moves_to_role_and_short_name_expands():
    text = (
        "Interior Minister Karim Haddad visited the border on Sunday.\n\n"
        "“The crossing will stay closed until the shelling stops,” Haddad told reporters."
    )
    quote = only(quotes_of(text), "The crossing").quote
    assert quote.speaker == "Karim Haddad"
    assert quote.speaker_role == "Interior Minister"


def test_multi_paragraph_quote_is_one_quote():
    text = (
        "The mayor, Lena Petrova, described the night.\n\n"
        "“The sirens started at two in the morning and did not stop until dawn.\n\n"
        "“By then half of the street was gone,” Petrova said."
    )
    found = quotes_of(text)
    quote = only(found, "The sirens started").quote
    assert quote.text.endswith("half of the street was gone")
    assert "\n\n" in quote.text
    assert quote.speaker == "Lena Petrova"


def test_block_quote_after_speech_verb_and_colon():
    text = (
        "The Red Crescent said in a statement on Tuesday:\n\n"
        "Our teams reached the village at noon and evacuated forty wounded people to the hospital.\n\n"
        "Officials expect more convoys this week."
    )
    found = quotes_of(text)
    block = only(found, "Our teams reached").quote
    assert block.mode == "direct" and (block.speaker or "").endswith("Red Crescent")
    assert not any(c.quote.text.startswith("Officials expect") and c.quote.mode == "direct" for c in found)


def test_single_quote_marks_are_quotes_but_apostrophes_are_not():
    text = "The rebels' commander, Musa Kamara, said: 'We have taken the bridge and the town's market.'"
    found = quotes_of(text)
    quote = only(found, "We have taken the bridge").quote
    assert quote.text == "We have taken the bridge and the town's market."
    assert quote.speaker == "Musa Kamara"


def test_nested_quote_speaker_is_subject_inside_outer_quote():
    text = (
        "Farida Nasser, a nurse at the clinic, described the raid. “The soldiers came in and the officer "
        "shouted, ‘Everyone on the floor now,’ and then they took the men away,” Nasser said."
    )
    found = quotes_of(text)
    outer = only(found, "The soldiers came in")
    inner = only(found, "Everyone on the floor now")
    assert found[inner.quote.nested_in] is outer
    assert inner.quote.speaker == "the officer"
    assert outer.quote.speaker == "Farida Nasser"


def test_indirect_speech_with_that_and_without():
    text = (
        "The health ministry said that 14 people were killed in the market. "
        "Police spokesman Omar Bello told reporters the attackers fled on motorbikes."
    )
    found = quotes_of(text)
    first = only(found, "14 people were killed").quote
    second = only(found, "the attackers fled").quote
    assert first.mode == second.mode == "indirect"
    assert first.text == "14 people were killed in the market"
    assert first.speaker is not None and "ministry" in first.speaker
    assert second.speaker == "Omar Bello" and second.speaker_role == "Police spokesman"


def test_according_to_is_indirect_speech():
    text = "According to the Syrian Observatory for Human Rights, at least 30 fighters died in the clashes."
    quote = only(quotes_of(text), "at least 30 fighters").quote
    assert quote.mode == "indirect"
    assert quote.speaker == "the Syrian Observatory for Human Rights" or quote.speaker == "Syrian Observatory for Human Rights"


def test_scare_quotes_and_titles_are_not_quotes():
    text = (
        "The so-called “humanitarian corridor” was closed again. The documentary "
        "“Last Days In The Valley” premiered in Geneva on Friday."
    )
    assert quotes_of(text) == []


def test_short_quote_with_a_speech_verb_is_kept():
    text = "Asked whether the talks had failed, the envoy Maria Lund replied: “Not yet.”"
    quote = only(quotes_of(text), "Not yet").quote
    assert quote.speaker == "Maria Lund"


def test_pronoun_resolves_to_earlier_named_speaker():
    text = (
        "Dr Samuel Okafor runs the only hospital in the district. "
        "“We have no fuel for the generators and no oxygen left,” he said."
    )
    candidate = only(quotes_of(text), "We have no fuel")
    assert candidate.quote.speaker == "Samuel Okafor"
    assert candidate.speaker_cue == "pronoun_antecedent"


def test_interview_answers_are_the_interviewees_words():
    text = (
        "Rosa Mendes is a nurse in the northern province. We spoke by phone on Monday.\n\n"
        "Q: How many patients arrived?\n\n"
        "A: More than sixty in one night, most of them children with burns.\n"
    )
    found = quotes_of(text)
    answer = only(found, "More than sixty").quote
    assert answer.speaker == "Rosa Mendes" and answer.mode == "direct"
    assert not any(c.quote.text.startswith("How many") for c in found)


def test_finder_is_deterministic_and_fast(seed):
    import time

    text, found = seed
    doc = parse(text)
    began = time.perf_counter()
    again = find_quotes(doc)
    assert time.perf_counter() - began < 1.0
    assert [c.quote for c in again] == [c.quote for c in found]


# -- reported speech: clause boundaries ---------------------------------------------------------


def test_two_that_clauses_are_two_quotes():
    text = "A police spokesman, Paul Oduya, said that two officers had been wounded and that reinforcements had been sent."
    found = quotes_of(text)
    first = only(found, "two officers had been wounded").quote
    second = only(found, "reinforcements had been sent").quote
    assert first.text == "two officers had been wounded"
    assert first.speaker == second.speaker == "Paul Oduya"


def test_reported_clause_stops_at_a_semicolon():
    text = "The army said at least 50 soldiers were killed; a local trader put the number closer to 80."
    quote = only(quotes_of(text), "at least 50 soldiers").quote
    assert quote.text == "at least 50 soldiers were killed"


def test_relative_clause_around_a_speech_verb_is_not_reported_speech():
    text = "Thousands crossed a border that the government says is closed to all traffic."
    assert not any("closed" in c.quote.text for c in quotes_of(text))


def test_reported_clause_needs_a_verb():
    text = "Rocket attack on Tarvo claims civilian lives\n\nThree people died in the attack, the governor said."
    found = quotes_of(text)
    assert not any(c.quote.text.startswith("civilian lives") for c in found)
    assert only(found, "Three people died").quote.speaker == "the governor"


def test_subject_that_cannot_speak_is_not_a_speaker():
    text = "The summary for this page must state that the rebels protected the villages."
    assert quotes_of(text) == []


def test_any_subject_of_a_reported_clause_is_its_source():
    """Political copy quotes aides, candidates, shares of voters and documents, none of them in
    the speaking-noun lexicons: the subject of "said (that)" is the source all the same."""
    found = quotes_of("Current and former aides said the organization has become a shell of itself.")
    quote = only(found, "the organization has become").quote
    assert (quote.rule, quote.speaker, quote.mode) == ("quote.reported_clause", "Current and former aides", "indirect")
    found = quotes_of("About four in 10 voters were worried, while nine in 10 said they thought the economy favors the wealthy.")
    assert only(found, "they thought the economy").quote.speaker == "nine in 10"
    assert only(quotes_of("Some said they have cringed at the remarks."), "they have cringed").quote.speaker == "Some"


def test_a_misparsed_or_unreported_subject_is_no_source():
    # the subject parsed inside the clause, a bare participle's guessed subject, an obligation
    text = ("A military airstrike killed 17 people early on Thursday, among them four monks and six children, "
            "residents and a local resistance group said.")
    assert all(c.quote.speaker != "among them four monks" for c in quotes_of(text))
    text = "The ministry denounces the false information published by foreign media claiming that 100 soldiers were killed."
    assert all(c.quote.speaker != "the false information" for c in quotes_of(text))
    assert quotes_of("The form must state that the applicant has paid the fee.") == []


def test_a_promise_an_announcement_and_a_question_are_reported_speech():
    """No clause, but what the speaker stated: the infinitive of a promise, the object of an
    announcement, a reported question."""
    found = quotes_of("Sanders has vowed to stay in the campaign until the convention in July.")
    quote = only(found, "to stay in the campaign").quote
    assert (quote.rule, quote.speaker, quote.mode) == ("quote.verb_complement", "Sanders", "indirect")
    found = quotes_of("The Obama administration announced plans on Tuesday to expand the refugee program.")
    assert only(found, "plans on Tuesday").quote.speaker == "The Obama administration"
    found = quotes_of("Scarborough also asked Clinton whether she would debate him again before the primary.")
    assert only(found, "whether she would debate").quote.speaker == "Scarborough"


def test_complements_that_state_nothing_are_not_quotes():
    # a request for anonymity, a directive, a relative clause, a passive with no speaker
    assert quotes_of("A resident asked not to be named because he feared reprisals.") == []
    assert quotes_of("The governor urged residents to stay indoors until the storm passes.") == []
    assert not any(c.quote.text.startswith("is to") for c in quotes_of("The first step towards the security the general promised is to let people count."))
    assert quotes_of("He was asked about the vote in the Senate last week.") == []


def test_the_clause_after_the_reporting_verb_is_the_reported_one():
    # the parser hangs the sentence before the dash on "told" as a clause too
    text = "Carson seems to recognize his credibility problem on national security - he told the AP that his task is to prove to voters that he is tough."
    assert only(quotes_of(text), "his task is to prove").quote.speaker == "Carson"
    # "noting that" with the "that" parsed as a preposition: the words after it are still reported
    text = '"We have come a pretty long way in the last year," Sanders said, noting that at one point earlier in the race he had trailed Clinton by 30 points.'
    quote = only(quotes_of(text), "at one point earlier").quote
    assert (quote.rule, quote.speaker, quote.mode) == ("quote.reported_clause", "Sanders", "indirect")


def test_a_quote_closed_by_a_full_stop_takes_no_attribution_from_the_next_sentence():
    text = ('Htay Oo, the party\'s acting chairman, told the Reuters news agency simply, "We lost." '
            'T-shirts quickly appeared in front of the League headquarters that said "We won."')
    assert only(quotes_of(text), "We lost").quote.speaker != "the League headquarters"


def test_quips_and_continuations_attribute_a_quote():
    text = 'Senator Ted Cruz took the stage. "If you ask one more mean question, I may have to leave," Cruz quipped.'
    assert only(quotes_of(text), "If you ask").quote.speaker_rule == "speaker.verb_after"


def test_an_attribution_after_a_lead_in_reports_the_words_after_it():
    text = "Governor Chris Christie spoke about crime. In his state, Christie said, nonviolent first-time drug offenders are sent to mandatory treatment."
    found = quotes_of(text)
    assert only(found, "nonviolent first-time").quote.speaker == "Chris Christie"
    assert not any(c.quote.text.startswith("In his state") for c in found)
    # the subject before the attribution, its predicate after it
    text = "The Journal ran an editorial on Monday. The editorial, sources said, nailed the narrative the campaign had tried to put forward."
    assert only(quotes_of(text), "nailed the narrative").quote.rule == "quote.set_off_clause"


def test_it_does_not_stand_for_a_plural_description():
    text = ("Armed groups have kidnapped hundreds of people in Zamfara this year. "
            "Ransom demands, it said, ranged from 500,000 naira for a farmer to 50 million naira for a politician.")
    assert all(c.quote.speaker != "Armed groups" for c in quotes_of(text))


def test_a_clause_the_parse_cut_at_a_comma_runs_to_the_sentence_end():
    text = ("Colonel Amadou Kone recalled that the government had, on several occasions, invited the authors of such reports "
            "to present their evidence before the courts.")
    quote = only(quotes_of(text), "the government had").quote
    assert quote.text.endswith("before the courts")


def test_a_clause_before_an_attribution_stops_at_a_semicolon_and_needs_a_plain_attribution():
    text = "The ministry counted 40 dead; local officials spoke of hundreds, the group itself boasted of more."
    assert not any(c.quote.text.startswith("The ministry counted") for c in quotes_of(text))
    text = "Rebels shelled the market at dawn; five people were killed, the governor said."
    assert only(quotes_of(text), "five people were killed").quote.speaker == "the governor"


def test_predictions_and_recollections_report_a_clause():
    text = "Ohio Gov. John Kasich predicted that Republicans will win every state if Sanders is the nominee."
    assert only(quotes_of(text), "Republicans will win").quote.speaker == "John Kasich"


def test_a_clause_the_parse_read_as_an_object_of_say_is_reported():
    text = "Walter Stone says the increase in polarization that Bloomberg decries also makes his election even less likely."
    quote = only(quotes_of(text), "the increase in polarization").quote
    assert (quote.rule, quote.speaker) == ("quote.reported_clause", "Walter Stone")
    assert quotes_of("She said goodbye to the neighbours.") == []


def test_a_name_labelled_with_a_colon_speaks_the_quote():
    text = 'The hearing grew tense.\n\nRep. Trey Gowdy (R-S.C.): "I have not heard anyone other than you ever cite that figure."'
    quote = only(quotes_of(text), "I have not heard").quote
    assert (quote.speaker, quote.speaker_rule) == ("Trey Gowdy", "speaker.colon_label")
    # a gloss is not a label
    text = "[Interpreter's note: 'veredas' are rural subdivisions of a municipality.]"
    assert not any(c.quote.text == "veredas" for c in quotes_of(text))


def test_a_verb_with_its_object_before_the_quote_leads_it_in():
    text = 'Clinton wrote to her aide about the photo. Cheryl Mills then writes back, "You look cute in those glasses."'
    quote = only(quotes_of(text), "You look cute").quote
    assert (quote.speaker, quote.speaker_rule) == ("Cheryl Mills", "speaker.verb_leading_in")


def test_set_off_attribution_with_a_second_clause():
    text = "The chief executive, Wanjiru Kamau, rejected the criticism. Our prices are published, she said, and anyone can compare them."
    found = quotes_of(text)
    assert only(found, "Our prices are published").quote.mode == "indirect"
    assert only(found, "anyone can compare them").quote.mode == "indirect"


def test_set_off_attribution_after_an_adverbial_quotes_the_clause_after():
    text = "Amina Sule spoke to us in the camp. That morning, she said, the gunmen burned the granary."
    quote = only(quotes_of(text), "the gunmen burned the granary").quote
    assert quote.speaker == "Amina Sule"


def test_verbless_tail_after_an_attribution_is_not_a_quote():
    text = "Up to 70 fighters were killed, the ministry said, among them two commanders."
    found = quotes_of(text)
    assert only(found, "Up to 70 fighters were killed").quote.mode == "indirect"
    assert not any(c.quote.text.startswith("among them") for c in found)


def test_dateline_is_not_part_of_the_reported_clause():
    text = "TARVO, May 3 - A car bomb killed 12 people at a checkpoint on Friday, police said."
    quote = only(quotes_of(text), "A car bomb killed 12 people").quote
    assert quote.speaker is not None and "police" in quote.speaker.lower()


def test_casualty_sentence_attributed_to_a_monitor_is_an_indirect_quote():
    """The guidelines label reported speech after a speech verb, figures included (the monitor
    is quoted; the figure is also a casualty report with the monitor as source)."""
    text = "The Local Monitoring Committees said 40 people were killed in Tarvo Province."
    quote = only(quotes_of(text), "40 people were killed").quote
    assert quote.mode == "indirect" and "Committees" in (quote.speaker or "")


# -- direct speech: attribution position --------------------------------------------------------


def test_quoted_word_inside_a_clause_is_not_attributed_to_a_later_noun():
    text = (
        "The relief chief, Anna Berg, told reporters that 700,000 people were facing \u201ccatastrophic\u201d "
        "hunger, the last step before famine is declared."
    )
    found = quotes_of(text)
    assert all(c.quote.speaker == "Anna Berg" for c in found if "catastrophic" in c.quote.text)


# -- interviews -------------------------------------------------------------------------------


INTERVIEW = (
    "\u201cThe river takes everything\u201d: an interview with Ines Carvalho\n\n"
    "Ines Carvalho runs the flood shelter in Baixo. We spoke on Monday.\n\n"
    "Q: How many families are here?\n\n"
    "A: About ninety families, most from the lower town. [Pause.] Many of them lost everything twice this year.\n\n"
    "Q: Will you stay?\n\n"
    "A: No. [Laughs.] I will stay as long as the shelter is open.\n"
)


def test_interview_headline_quote_is_the_interviewees():
    found = quotes_of(INTERVIEW)
    headline = only(found, "The river takes everything")
    assert headline.quote.speaker == "Ines Carvalho"
    assert headline.speaker_cue == "interviewee"


def test_editorial_brackets_split_an_answer():
    found = quotes_of(INTERVIEW)
    first = only(found, "About ninety families").quote
    second = only(found, "Many of them lost everything").quote
    assert "[" not in first.text and "[" not in second.text
    assert first.speaker == second.speaker == "Ines Carvalho"
    assert only(found, "I will stay").quote.text == "I will stay as long as the shelter is open."
    assert not any(c.quote.text.startswith("No.") for c in found)


def test_paired_apostrophes_are_quote_marks():
    """NYT house style opens and closes a quote with two apostrophes (rule quote.double_marks)."""
    text = (
        "Analysts were unimpressed by the new plan on Tuesday.\n\n"
        "''This isn't reform at all,'' said Maria Lopez, an economist at the Harbor Institute. "
        "''It's the opposite. It adds layers.''"
    )
    found = quotes_of(text)
    first = only(found, "This isn't reform at all")
    assert first.quote.text == "This isn't reform at all"
    assert (first.quote.mode, first.quote.speaker, first.quote.rule) == ("direct", "Maria Lopez", "quote.double_marks")
    assert first.quote.speaker_rule == "speaker.verb_after"
    second = only(found, "It's the opposite")
    assert (second.quote.mode, second.quote.speaker) == ("direct", "Maria Lopez")


def test_dash_credit_names_the_speaker_of_each_quote():
    """Reader responses and listicles credit each quote with a dash after it (speaker.dash_credit),
    not the previous quote's speaker."""
    text = (
        "Readers responded to the debate.\n"
        "\u201cHe is ignorant of our culture and our lives.\u201d\u2015 Pamela Padilla\n"
        "\u201cI am so ashamed to be an American today, honestly.\u201d \u2015 Jacklyn Ashley.\n"
        "\u201cTrump must stop portraying us as gangsters, plain and simple.\u201d \u2014 Carla Sanchez"
    )
    found = quotes_of(text)
    speakers = [(c.quote.speaker, c.quote.speaker_rule) for c in found]
    assert speakers == [
        ("Pamela Padilla", "speaker.dash_credit"),
        ("Jacklyn Ashley", "speaker.dash_credit"),
        ("Carla Sanchez", "speaker.dash_credit"),
    ]


def test_a_participle_set_off_after_a_clause_speaks_for_the_main_subject():
    """'X did Y, saying Z' (speaker.participle_subject): the subject of the main clause says Z,
    even when the parser hung the participle on an embedded clause whose subject is someone
    else ('the idea that the mayor would be ...')."""
    text = (
        "Council member Rosa Delgado rejected the idea that the mayor would be a burden on the ticket, "
        "saying the turnout at his town halls proves voters still trust him. "
        "Several senators have called for a new inquiry into the contract, saying the first review was rushed."
    )
    found = quotes_of(text)
    first = only(found, "the turnout at his town halls")
    assert (first.quote.mode, first.quote.speaker, first.quote.speaker_rule) == ("indirect", "Rosa Delgado", "speaker.participle_subject")
    second = only(found, "the first review was rushed")
    assert (second.quote.speaker, second.quote.speaker_rule) == ("Several senators", "speaker.participle_subject")


def test_quantified_and_coordinated_subjects_report_a_clause():
    """A reported clause's subject may be a share of people ('Many in the crowd', 'at least
    3,000') or adjectives coordinated before the noun ('Current and former aides')."""
    text = (
        "Many in the audience said the governor had answered every question. "
        "After the appeal, at least 3,000 said they would volunteer at the polls. "
        "Current and former aides who spoke with the newspaper said the office had stopped answering letters."
    )
    found = quotes_of(text)
    assert only(found, "the governor had answered").quote.speaker == "Many in the audience"
    assert only(found, "they would volunteer").quote.speaker == "at least 3,000"
    aides = only(found, "the office had stopped")
    assert (aides.quote.mode, aides.quote.speaker) == ("indirect", "Current and former aides")


def test_a_reported_clause_ends_before_the_reporters_additions():
    """The reported clause stops before a second act of the speaker conjoined to it ('and
    questioned ...', 'but added ...', a past-tense verb conjoined to a present-tense one) and
    before a set-off relative clause that tells who a name is; a backshifted 'and wanted' stays."""
    text = (
        "Dana Whitfield, a nurse from Keene, said she earns $38,000 a year and questioned how the plan would help her. "
        "The prosecutor said the police had secured the testimony of Mark Ellison, who managed the warehouse before the fire. "
        "The mayor said she admires the council's patience and thanked residents for their letters. "
        "The coach said his players were exhausted and wanted a week off."
    )
    found = quotes_of(text)
    texts = [c.quote.text for c in found if c.quote.mode == "indirect"]
    assert "she earns $38,000 a year" in texts
    assert "the police had secured the testimony of Mark Ellison" in texts
    assert "she admires the council's patience" in texts
    assert "his players were exhausted and wanted a week off" in texts


def test_political_news_people_nouns_speak():
    """Nouns news uses for the people of politics (speakers.toml nouns.persons: senator, attorney,
    nominee, strategist, ...) are speakers: the attribution after a quote names the speaker, and
    a name set beside the noun is who speaks."""
    text = (
        "The hearing ran late into the evening.\n\n"
        "\u201cWe will not fund a bridge to nowhere, not this year and not next year,\u201d said the Ohio senator, "
        "who chairs the committee.\n\n"
        "The company's attorney, Laura Benning, said the contract had been signed in good faith."
    )
    found = quotes_of(text)
    direct = only(found, "We will not fund")
    assert direct.quote.speaker_rule == "speaker.verb_after" and "senator" in (direct.quote.speaker or "")
    assert only(found, "the contract had been signed").quote.speaker == "Laura Benning"


def test_a_subject_the_parse_read_as_the_object_starts_the_reported_clause():
    """'X said the way ... ''would be ...''': the noun phrase between the verb and a clause with
    no subject is that clause's subject; the quoted phrase inside the clause is the clause's
    speaker's (speaker.enclosing_clause), not of a verb the subject phrase mentions."""
    text = (
        "Maria Olsen, a party strategist, said the way the council handled the tenants' letters in the winter "
        "''would be unthinkable in any other city'' today.\n\n"
        "Angered by the delay, Okafor explained the mayor\u2019s refusal to call the flood a result of "
        "\u201cyears of neglect\u201d is a weakness."
    )
    found = quotes_of(text)
    clause = only(found, "the way the council handled")
    assert (clause.quote.mode, clause.quote.speaker) == ("indirect", "Maria Olsen")
    marked = only(found, "would be unthinkable")
    assert (marked.quote.speaker, marked.quote.speaker_rule) == ("Maria Olsen", "speaker.enclosing_clause")
    lost = only(found, "the mayor\u2019s refusal to call the flood")
    assert lost.quote.text.endswith("is a weakness") and lost.quote.speaker == "Okafor"
    assert only(found, "years of neglect").quote.speaker == "Okafor"


def test_the_day_of_the_saying_is_not_reported():
    """'said Tuesday the vote was rigged': the day dates the saying; a possessive day is part of
    the clause ('said Thursday's speeches ...')."""
    text = "Lena Ortiz spoke at the rally. She said Tuesday the vote was rigged. Rachel Berg said Thursday's speeches had changed her mind."
    found = quotes_of(text)
    assert only(found, "the vote was rigged").quote.text == "the vote was rigged"
    assert only(found, "Thursday's speeches had changed her mind").quote.speaker == "Rachel Berg"


def test_a_title_in_marks_is_nobodys_words_even_beside_a_speech_verb():
    """A Title Case phrase in marks after a possessive or a word that introduces a title
    (speech.toml titles.before: podcast, show, called, ...) names a show or a work: no quote,
    though a speech verb is next to it, and no reported clause is read out of it."""
    text = (
        "Speaking Sunday on NBC\u2019s \u201cCity Desk,\u201d Ortiz admitted that the budget was late. "
        "\u201cBeing a mayor, that\u2019s my job,\u201d Ortiz said in May on the podcast \u201cHere\u2019s the Deal.\u201d "
        "\u201cMake Harbor City Work Again,\u201d Ortiz said."
    )
    found = quotes_of(text)
    texts = [c.quote.text for c in found]
    assert "City Desk" not in texts and not any("Here\u2019s the Deal" in t for t in texts)
    assert "Being a mayor, that\u2019s my job" in texts and "Make Harbor City Work Again" in texts
