"""Casualty rules on invented wire copy: the general ways news states a toll, beyond the phrasing
of the dev articles (issue #10: held-out recall). Each passage is written for this test; the
expected reports give outcome, interval, victim group and the index of the total a subset
belongs to, in text order."""

from __future__ import annotations

from typing import Optional

import pytest

from summarizer.rules.casualties import find_casualties
from summarizer.rules.nlp import parse

#: (outcome, low, high, victim_group, subset_of)
Expected = tuple[str, Optional[int], Optional[int], str, Optional[int]]

PASSAGES: list[tuple[str, list[Expected]]] = [
    # verbs of killing and dying, in the shapes wire copy uses
    ("A car bomb exploded outside a market in Tarvik on Monday, killing at least 14 people.",
     [("killed", 14, None, "people", None)]),
    ("The blast left 9 dead and 23 wounded in the town of Osmir.",
     [("killed", 9, 9, "people", None), ("injured", 23, 23, "people", None)]),
    ("Rescuers said 17 bodies were recovered from the rubble in Kelva.",
     [("killed", 17, 17, "people", None)]),
    ("The death toll from the landslide climbed to 63, officials said.",
     [("killed", 63, 63, "people", None)]),
    ("The death toll stood at 41 on Thursday, the governor said.",
     [("killed", 41, 41, "people", None)]),
    ("By nightfall the death toll had reached 112.",
     [("killed", 112, 112, "people", None)]),
    ("Some 30 people lost their lives when the ferry capsized off Marun.",
     [("killed", 30, 30, "people", None)]),
    ("The fighting has claimed 220 lives since March.",
     [("killed", 220, 220, "people", None)]),
    ("The ministry reported 15 fatalities after the storm.",
     [("killed", 15, 15, "people", None)]),
    ("Twenty-three people drowned when the overloaded boat capsized.",
     [("killed", 23, 23, "people", None)]),
    ("Two more bodies were pulled from the river on Wednesday.",
     [("killed", 2, 2, "people", None)]),
    ("The war has killed an estimated 500,000 people.",
     [("killed", 500000, 500000, "people", None)]),
    ("Up to 60 people are feared dead after the boat sank near Ostra.",
     [("killed", None, 60, "people", None)]),
    ("The clashes left 3 police officers dead.",
     [("killed", 3, 3, "security_forces", None)]),
    ("Guards shot dead 3 inmates during the riot at the prison in Haldor.",
     [("killed", 3, 3, "other", None)]),
    # injuries
    ("Police said 8 people were hurt when the crowd surged toward the gate.",
     [("injured", 8, 8, "people", None)]),
    ("Officials said 48 were hurt in the stampede.",
     [("injured", 48, 48, "people", None)]),
    ("Scores of people were wounded in the clashes in Dersa.",
     [("injured", 40, 99, "people", None)]),
    ("The attack left dozens injured, the hospital said.",
     [("injured", 24, 99, "people", None)]),
    ("Fewer than 10 people were injured in the blast.",
     [("injured", None, 9, "people", None)]),
    ("Gunmen opened fire on a bus near Dovan, killing 4 passengers and wounding dozens.",
     [("killed", 4, 4, "people", None), ("injured", 24, 99, "people", None)]),
    ("At least 6 civilians were killed and 11 were wounded in shelling on Tuesday.",
     [("killed", 6, None, "civilians", None), ("injured", 11, 11, "civilians", None)]),
    ("A suicide bomber struck a mosque in Harun, killing 22 worshippers and injuring 40 others.",
     [("killed", 22, 22, "other", None), ("injured", 40, 40, "other", None)]),
    # detained: arrested, abducted, kidnapped, taken hostage
    ("Militants abducted 25 villagers in a raid on Sefra.",
     [("detained", 25, 25, "people", None)]),
    ("Eleven aid workers were kidnapped on the road to Pilar.",
     [("detained", 11, 11, "aid_workers", None)]),
    ("Gunmen took 30 students hostage at a school in Bari.",
     [("detained", 30, 30, "other", None)]),
    ("Two journalists were arrested in Velnor on Friday.",
     [("detained", 2, 2, "journalists", None)]),
    ("Police arrested 120 protesters in the capital.",
     [("detained", 120, 120, "other", None)]),
    ("Pirates seized 14 fishermen off the coast of Lantra.",
     [("detained", 14, 14, "other", None)]),
    ("Nine tourists were taken hostage by armed men in the hills.",
     [("detained", 9, 9, "other", None)]),
    # missing
    ("Six people remain unaccounted for after the explosion at the depot.",
     [("missing", 6, 6, "people", None)]),
    ("Some 300 migrants are missing after their boat capsized.",
     [("missing", 300, 300, "other", None)]),
    # displaced: fled, crossed into, sought refuge, homeless, evacuated
    ("Hundreds of families have fled the fighting around Kesh.",
     [("displaced", 200, 999, "people", None)]),
    ("Tens of thousands of people have been displaced by the floods.",
     [("displaced", 20000, 99999, "people", None)]),
    ("Thousands of residents fled their homes as the army advanced.",
     [("displaced", 2000, 9999, "people", None)]),
    ("The floods have displaced roughly 15,000 people across the province.",
     [("displaced", 15000, 15000, "people", None)]),
    ("A total of 1,200 people have been evacuated from the border villages.",
     [("displaced", 1200, 1200, "people", None)]),
    ("The quake killed 2,100 people and left 30,000 homeless.",
     [("killed", 2100, 2100, "people", None), ("displaced", 30000, 30000, "people", None)]),
    ("More than 700 Rohingya crossed into Bangladesh over the weekend.",
     [("displaced", 701, None, "civilians", None)]),
    ("Nearly 2,000 Yazidis fled to the mountains north of the town.",
     [("displaced", 2000, 2000, "civilians", None)]),
    ("About 4,000 Ukrainians sought refuge in Poland last week.",
     [("displaced", 4000, 4000, "civilians", None)]),
    ("Some 800 refugees crossed the border into Chad on Sunday.",
     [("displaced", 800, 800, "other", None)]),
    # ethnic, religious and national groups as victims
    ("Air strikes killed 27 Palestinians in the camp on Tuesday.",
     [("killed", 27, 27, "civilians", None)]),
    ("Gunmen killed 12 Hazaras at a checkpoint on the highway.",
     [("killed", 12, 12, "civilians", None)]),
    # other harm
    ("Thirty-four miners were trapped underground after the collapse.",
     [("other", 34, 34, "other", None)]),
    # subsets
    ("The attack killed 19 people, including 7 children.",
     [("killed", 19, 19, "people", None), ("killed", 7, 7, "children", 0)]),
    ("The bombing killed 31 people, among them 4 aid workers and 2 journalists.",
     [("killed", 31, 31, "people", None), ("killed", 4, 4, "aid_workers", 0), ("killed", 2, 2, "journalists", 0)]),
    ("The explosion injured 60 people, 15 of them seriously.",
     [("injured", 60, 60, "people", None), ("injured", 15, 15, "people", 0)]),
    ("At least 35 people were killed, mostly women and children.",
     [("killed", 35, None, "people", None)]),
    # "victims" counts people; the verb says what happened to them
    ("Police said three victims died at the scene of the crash.", [("killed", 3, 3, "people", None)]),
    ("Four victims were rushed to a trauma center after the gunfire.", [("injured", 4, 4, "people", None)]),
    # a harm the reporting verb states is fatal when its complement says so
    ("Police said three men were found shot to death in a parked van.", [("killed", 3, 3, "men", None)]),
    # ranges and number words
    ("Between 20 and 30 civilians were killed in the airstrike on Homra.",
     [("killed", 20, 30, "civilians", None)]),
    ("A dozen soldiers were killed in the ambush.",
     [("killed", 12, 12, "security_forces", None)]),
    # bulletins and tables
    ("Casualties in Verno district:\nKilled: 12\nWounded: 40\nMissing: 3",
     [("killed", 12, 12, "people", None), ("injured", 40, 40, "people", None), ("missing", 3, 3, "people", None)]),
    # counts that are not casualties
    ("The shelling destroyed 40 homes in Ravna but no one was hurt.", []),
    # an age is not a count; the one boy reported is (casualty.victims.one_by_one)
    ("A 12-year-old boy was shot dead at the checkpoint.", [("killed", 1, 1, "children", None)]),
    ("The government deployed 3,000 troops to the region after the attack.", []),
    ("Health officials recorded 350 cases of cholera in the camp.", []),
    ("Health officials recorded 350 cases of cholera and 12 deaths in the camp.",
     [("killed", 12, 12, "people", None)]),
    ("The army said it had sent 500 soldiers and 40 tanks to the front.", []),
]


def _observed(text: str) -> list[Expected]:
    return [
        (r.outcome, r.figure.low, r.figure.high, r.victim_group, r.subset_of)
        for r in (c.report for c in find_casualties(parse(text)))
    ]


@pytest.mark.parametrize("text, expected", PASSAGES, ids=[p[0][:48] for p in PASSAGES])
def test_general_casualty_phrasing(text: str, expected: list[Expected]) -> None:
    assert _observed(text) == expected


@pytest.mark.parametrize(
    "text, place",
    [
        ("Fourteen people were killed on Sunday. The attack took place in the village of Bekra.", "Bekra"),
        ("A strike hit a market in Solvan on Friday. Nine people were killed.", "Solvan"),
        ("About 900 families crossed into Kazakhstan after the shelling of Dorsk.", "Kazakhstan"),
    ],
)
def test_place_from_the_neighbouring_sentence(text: str, place: str) -> None:
    found = [c.report for c in find_casualties(parse(text))]
    assert [r.location for r in found] == [place]
