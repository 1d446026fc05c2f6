"""Speaker resolution on invented sentences: each test is one way news names (or re-names) the
person or body that speaks."""

from __future__ import annotations

import pytest

pytest.importorskip("spacy")

from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.rules.quotes import QuoteCandidate, find_quotes  # noqa: E402
from summarizer.rules.speakers import SpeakerIndex, subject_of  # noqa: E402


def quote_starting(text: str, prefix: str) -> QuoteCandidate:
    found = [c for c in find_quotes(parse(text)) if c.quote.text.startswith(prefix)]
    assert len(found) == 1, [c.quote.text for c in find_quotes(parse(text))]
    return found[0]


def test_she_skips_a_town_named_after_the_speaker():
    text = (
        "Grace Achieng fled her village near Lodwar in March.\n\n"
        "She now lives in a camp on the edge of Lodwar, where food runs out by the third week.\n\n"
        "\u201cWe eat once a day and the children cry at night,\u201d she said."
    )
    quote = quote_starting(text, "We eat once a day").quote
    assert quote.speaker == "Grace Achieng"


def test_he_skips_people_mentioned_inside_the_quote():
    text = (
        "We spoke to Samuel Kiprop, a bus driver who carried wounded people to the clinic. "
        "\u201cOn the last trip the old man beside me stopped breathing,\u201d he said."
    )
    quote = quote_starting(text, "On the last trip").quote
    assert quote.speaker == "Samuel Kiprop"


def test_a_speaker_who_gives_only_a_first_name_is_named_by_it():
    text = "A fisherman who gave his name only as Tomas said the patrol boats had sunk two canoes overnight."
    quote = quote_starting(text, "the patrol boats").quote
    assert quote.speaker == "Tomas"


def test_a_body_named_in_apposition_speaks_under_its_name():
    text = "The UN monitoring mission, UNMOLA, said it had received reports of looting in the district."
    quote = quote_starting(text, "it had received reports").quote
    assert quote.speaker == "UNMOLA"


def test_the_official_is_the_official_introduced_earlier():
    text = (
        "Twelve people were killed when a shell hit the market, hospital staff and a provincial official said.\n\n"
        "The official, who asked not to be named, said the shell hit a row of fruit stalls at noon."
    )
    quote = quote_starting(text, "the shell hit a row").quote
    assert quote.speaker == "a provincial official"


def test_the_group_is_the_body_acting_just_before():
    text = (
        "The Northern Relief Network runs kitchens in the camp. The Lowland Front denied shelling it.\n\n"
        "The Lowland Front rejected the accusation. In a statement, the group said its units were far from the camp."
    )
    quote = quote_starting(text, "its units were far").quote
    assert quote.speaker == "The Lowland Front" or quote.speaker == "Lowland Front"


def test_the_army_names_itself_rather_than_a_nearby_name():
    text = "Rebels ambushed a convoy near Marsabit. The army said at least 20 soldiers were killed in the ambush."
    quote = quote_starting(text, "at least 20 soldiers").quote
    assert (quote.speaker or "").lower() == "the army"


def test_it_said_is_the_body_from_the_sentence_before():
    text = (
        "The provincial health ministry denied that the clinic had been hit.\n\n"
        "In a statement read on state radio, it said the fire had started in a fuel depot next door."
    )
    quote = quote_starting(text, "the fire had started").quote
    assert "ministry" in (quote.speaker or "")


def test_a_label_before_a_colon_is_not_the_subject():
    doc = parse("Note: The Defence Ministry said on Friday that its jets had hit a depot.")
    said = next(t for t in doc if t.lemma_ == "say")
    subject = subject_of(said)
    assert subject is not None and subject.text == "Ministry"


def test_a_dateline_glued_to_a_name_is_cut_off():
    doc = parse("TARVO, Elbania - Marek Olsen still has the dust of the road on his boots.")
    index = SpeakerIndex.for_doc(doc)
    assert not any("Tarvo" in m.text or "Elbania" in m.text and "Olsen" in m.text for m in index.mentions)
    assert all(" - " not in m.text for m in index.mentions)


def test_is_person_reads_how_the_article_uses_a_name():
    text = "Aid reached Lodwar on Monday. Grace Achieng said the trucks arrived empty."
    index = SpeakerIndex.for_doc(parse(text))
    grace = next(m for m in index.mentions if "Achieng" in m.text)
    assert index.is_person(grace)
    lodwar = [m for m in index.mentions if m.text == "Lodwar"]
    assert all(not index.is_person(m) for m in lodwar)
