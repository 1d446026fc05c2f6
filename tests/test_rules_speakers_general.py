"""Speaker resolution on invented passages, grouped by the general ways news names a speaker
that the rules used to get wrong: "according to a report by X", a body re-named by its kind
("the company says"), pronouns in an interview answer, names the tagger misreads, and "he"/"she"
when the article has told the reader who is a man and who a woman.

Every passage is made up; none is taken from an evaluated article. Speakers are compared the way
the scorer compares them (alias equality), so "Jua Grid" and "the Jua Grid company" agree but
"the company" does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pytest

pytest.importorskip("spacy")

from summarizer.evaluation.aliases import alias_equal  # noqa: E402
from summarizer.rules.nlp import parse  # noqa: E402
from summarizer.rules.quotes import find_quotes  # noqa: E402


@dataclass(frozen=True)
class Case:
    """A passage, the start of one quote in it (direct or reported), and who says it."""

    kind: str
    text: str
    quote_prefix: str
    speaker: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.quote_prefix}"


CASES: tuple[Case, ...] = (
    # -- 1. "according to (a report / statement by) X" attributes to X, not a name in the clause --
    Case(
        "according",
        "According to a report by Amnesty International, members of the Tigray militia executed nine farmers near the river.",
        "members of the Tigray militia",
        "Amnesty International",
    ),
    Case(
        "according",
        "Soldiers loyal to the Northern Alliance burned at least forty homes, according to a statement by the Danish Refugee Council.",
        "Soldiers loyal to the Northern Alliance",
        "Danish Refugee Council",
    ),
    Case(
        "according",
        "According to a new report from the International Crisis Group, fighters of the Islamic State in the Sahel have seized three more villages.",
        "fighters of the Islamic State",
        "International Crisis Group",
    ),
    Case(
        "according",
        "According to figures released by the World Health Organization, cholera has killed 214 people in Sudan since June.",
        "cholera has killed 214 people",
        "World Health Organization",
    ),
    Case(
        "according",
        "Police in Lagos arrested eleven students on Friday, according to Reuters.",
        "Police in Lagos arrested",
        "Reuters",
    ),
    Case(
        "according",
        "According to an investigation by Bellingcat, the drone that struck the wedding was launched by Hezbollah units in the south.",
        "the drone that struck the wedding",
        "Bellingcat",
    ),
    # -- 2. a body re-named by its kind is the body named earlier -----------------------------
    Case(
        "body noun",
        "Solari Power builds mini-grids for villages in northern Ghana. Its founder started with two panels.\n\n"
        "The company says it now serves more than 9,000 households.",
        "it now serves more than 9,000 households",
        "Solari Power",
    ),
    Case(
        "body noun",
        "The Interior Ministry of Niger announced a curfew in Tillaberi on Monday. Rebels attacked a convoy overnight.\n\n"
        "The ministry said the curfew would last two weeks.",
        "the curfew would last two weeks",
        "Interior Ministry",
    ),
    Case(
        "body noun",
        "Anadolu Agency reported heavy shelling near the port. Residents fled towards the hills.\n\n"
        "The agency said at least six civilians had been wounded.",
        "at least six civilians had been wounded",
        "Anadolu Agency",
    ),
    Case(
        "body noun",
        "Save the Children runs four clinics in the camp, where Oxfam also distributes water.\n\n"
        "The charity said malnutrition among under-fives had doubled since April.",
        "malnutrition among under-fives had doubled",
        "Save the Children",
    ),
    Case(
        "body noun",
        "The Syrian Network for Human Rights documented the raid in a report on Tuesday. Government forces have denied it.\n\n"
        "The monitor said 23 people were detained, including four children.",
        "23 people were detained",
        "Syrian Network for Human Rights",
    ),
    Case(
        "body noun",
        "Médecins du Monde opened a field hospital in Goma last year, with funding from the European Union.\n\n"
        "The organisation says it treated 3,400 patients in its first month.",
        "it treated 3,400 patients",
        "Médecins du Monde",
    ),
    Case(
        "body noun",
        "Kyiv Independent first published the photographs. Ukrainian officials later confirmed the strike.\n\n"
        "The outlet said its reporters had reached the village two hours after the attack.",
        "its reporters had reached the village",
        "Kyiv Independent",
    ),
    # -- 3. pronouns in an interview answer do not take names from the question ----------------
    Case(
        "interview",
        "In an interview with Halima Noor, a councillor in Baidoa, we asked about the drought.\n\n"
        "Q: Your district council says aid is arriving. Is that true?\n\n"
        "A: No. The truck drivers came once in May. \u201cWe cannot pass the checkpoints,\u201d they told us.",
        "We cannot pass the checkpoints",
        "the truck drivers",
    ),
    Case(
        "interview",
        "This is an interview with Tomas Reyes, who runs a shelter in Tapachula.\n\n"
        "Q: The National Migration Institute says it has closed the route. What do you see?\n\n"
        "A: People still arrive every night. The local police officers know it, and \u201cwe are only following orders,\u201d they tell me.",
        "we are only following orders",
        "the local police officers",
    ),
    Case(
        "interview",
        "Below is our interview with Sister Agnes Mwangi, who runs a clinic in Kakuma camp.\n\n"
        "Q: Did the World Food Programme cut rations?\n\n"
        "A: Yes, by half. Last week a mother told me: \u201cMy children sleep hungry every night.\u201d",
        "My children sleep hungry",
        "a mother",
    ),
    Case(
        "interview",
        "We spoke to Yusuf Adan, a teacher in Dolow, by phone.\n\n"
        "Q: Your ministry says the schools have reopened. Have they?\n\n"
        "A: Some. The parents are afraid. \u201cWe will not send them while the shelling goes on,\u201d they say.",
        "We will not send them",
        "the parents",
    ),
    # -- 4. names the tagger misreads ---------------------------------------------------------
    Case(
        "tagger",
        "Aminata Kone said the soldiers arrived before dawn and took the men away.",
        "the soldiers arrived before dawn",
        "Aminata Kone",
    ),
    Case(
        "tagger",
        "Hawa Tapsoba told reporters that the school in her village had been closed for a year.",
        "the school in her village had been closed",
        "Hawa Tapsoba",
    ),
    Case(
        "tagger",
        "A displaced farmer in Kaya described the attack.\n\n"
        "\u201cThey burned the granaries first,\u201d said Boureima Sawadogo, who now lives near Kaya.",
        "They burned the granaries first",
        "Boureima Sawadogo",
    ),
    Case(
        "tagger",
        "Fatoumata Diallo fled her home in Djibo in January.\n\n"
        "\u201cWe walked for three days without food,\u201d she said.",
        "We walked for three days",
        "Fatoumata Diallo",
    ),
    Case(
        "tagger",
        "Salif Ouattara, a trader, left Djibo after the market was burned.\n\n"
        "\u201cEverything I owned was in that shop,\u201d he said.",
        "Everything I owned",
        "Salif Ouattara",
    ),
    Case(
        "tagger",
        "Ibrahim Maiga told the court he had been beaten in custody for four days.",
        "he had been beaten in custody",
        "Ibrahim Maiga",
    ),
    # -- 5. "he"/"she" follow the gender the article gives a person ---------------------------
    Case(
        "gender",
        "Grace Wanjiru lost her husband in the first raid. Peter Otieno, her neighbour, helped bury him on his farm.\n\n"
        "\u201cI had nothing left to give the children,\u201d she said.",
        "I had nothing left to give",
        "Grace Wanjiru",
    ),
    Case(
        "gender",
        "Ms Oduya runs the only pharmacy in town. Last week a customer, Daniel Mwangi, brought in his wounded son.\n\n"
        "\u201cWe had no antibiotics left,\u201d she said.",
        "We had no antibiotics left",
        "Oduya",
    ),
    Case(
        "gender",
        "Mr Haidari drove the ambulance that night with a nurse, Leila Ahmadi, beside him.\n\n"
        "\u201cThe road was full of craters,\u201d he said.",
        "The road was full of craters",
        "Haidari",
    ),
    Case(
        "gender",
        "Nadia Karimi, a midwife, was on her night shift when the shelling began. Omar Saleh, a surgeon, was operating on his own patient next door.\n\n"
        "\u201cWe delivered two babies by torchlight,\u201d she said.",
        "We delivered two babies",
        "Nadia Karimi",
    ),
    Case(
        "gender",
        "Joseph Kamau says his brother disappeared in March. Mary Njeri, a lawyer, took up the case in her spare time.\n\n"
        "\u201cNobody will tell us where he is,\u201d he said.",
        "Nobody will tell us where he is",
        "Joseph Kamau",
    ),
    # controls: without any evidence of gender the nearest person is kept
    Case(
        "gender",
        "Amani Mushi runs a school in Bunia. Kito Baraka teaches there.\n\n"
        "\u201cThe children come even on the days of fighting,\u201d she said.",
        "The children come even",
        "Kito Baraka",
    ),
    Case(
        "gender",
        "Rosa Delgado helped found the shelter. Her colleague Ana Ruiz now runs it.\n\n"
        "\u201cWe are full every night,\u201d she said.",
        "We are full every night",
        "Ana Ruiz",
    ),
)


def speaker_of(case: Case) -> Optional[str]:
    found = [c for c in find_quotes(parse(case.text)) if c.quote.text.startswith(case.quote_prefix)]
    assert len(found) == 1, [c.quote.text for c in find_quotes(parse(case.text))]
    return found[0].quote.speaker


#: Names the small spaCy model does not see at all ("Save" parsed as a verb, "Médecins du Monde"
#: as common nouns): left failing on purpose so that a better parse or rule shows up here.
UNTAGGED_NAMES = {"malnutrition among under-fives had doubled", "it treated 3,400 patients"}


def _params() -> list:
    return [
        pytest.param(case, marks=pytest.mark.xfail(strict=True, reason="name not tagged by spaCy")) if case.quote_prefix in UNTAGGED_NAMES else case
        for case in CASES
    ]


@pytest.mark.parametrize("case", _params(), ids=str)
def test_general_speaker_naming(case: Case) -> None:
    speaker = speaker_of(case)
    assert alias_equal(speaker, case.speaker), (speaker, case.speaker)


def test_the_set_covers_every_failure_kind() -> None:
    kinds = {case.kind for case in CASES}
    assert kinds == {"according", "body noun", "interview", "tagger", "gender"}
    assert len(CASES) >= 30


def test_she_in_a_paragraph_naming_nobody_is_the_she_of_the_paragraph_before() -> None:
    text = (
        "Rukia Hamisi, a seamstress, lost her shop in the fire.\n\n"
        "Dr Yaw Mensah treated the burns of six traders that night.\n\n"
        "For Hamisi, the question is money. What she needs is a loan, she said.\n\n"
        "\u201cI can sew again if someone gives me a machine,\u201d she said."
    )
    assert alias_equal(speaker_of(Case("gender", text, "I can sew again", "")), "Rukia Hamisi")


def test_she_carries_over_a_paragraph_even_without_a_stated_gender() -> None:
    text = (
        "Amani Mushi runs a school in Bunia. Kito Baraka teaches there.\n\n"
        "For Mushi, the question is money. What they need is books, she said.\n\n"
        "\u201cWe share one book between five children,\u201d she said."
    )
    # no "Ms", no "her": nothing says who "she" is, so the one named in the paragraph before speaks
    assert alias_equal(speaker_of(Case("gender", text, "We share one book", "")), "Amani Mushi")
