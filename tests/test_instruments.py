"""The instrument catalogue scores as the published instructions do."""

import pytest

from sessions_app import instruments
from sessions_app.instruments import CATALOGUE, CRAVING_VAS, GAD7, PHQ2, PHQ9, UCLA3


def _answers(values):
    return {f"q{n}": v for n, v in enumerate(values, 1)}


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        # The PHQ-9 instructions: add the column scores; 0-4 minimal, 5-9 mild, 10-14
        # moderate, 15-19 moderately severe, 20-27 severe.
        ([0] * 9, 0, "Minimal"),
        ([1, 1, 1, 1, 0, 0, 0, 0, 0], 4, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0, 0, 0], 5, "Mild"),
        ([1, 1, 1, 2, 2, 0, 0, 3, 0], 10, "Moderate"),
        ([2, 2, 2, 2, 2, 2, 2, 1, 0], 15, "Moderately severe"),
        ([3, 3, 3, 3, 2, 2, 2, 2, 0], 20, "Severe"),
        ([3] * 9, 27, "Severe"),
    ],
)
def test_it_scores_the_phq9_as_its_instructions_do(values, total, band):
    assert PHQ9.score(_answers(values)) == total
    assert PHQ9.band(total).label == band


def test_it_scores_the_phq2_from_the_first_two_items_with_three_as_a_positive_screen():
    assert PHQ2.score(_answers([1, 1])) == 2
    assert PHQ2.band(2).label == "Negative screen"
    assert PHQ2.band(PHQ2.score(_answers([2, 1]))).label == "Positive screen"
    assert [i.text for i in PHQ2.items] == [i.text for i in PHQ9.items[:2]]


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ([0] * 7, 0, "Minimal"),
        ([1, 1, 1, 1, 1, 0, 0], 5, "Mild"),
        ([2, 2, 2, 2, 1, 1, 0], 10, "Moderate"),
        ([3, 3, 3, 2, 2, 1, 1], 15, "Severe"),
        ([3] * 7, 21, "Severe"),
    ],
)
def test_it_scores_the_gad7_as_its_instructions_do(values, total, band):
    assert GAD7.score(_answers(values)) == total
    assert GAD7.band(total).label == band


def test_it_scores_the_three_item_loneliness_scale_from_three_to_nine():
    assert (UCLA3.min_score, UCLA3.max_score) == (3, 9)
    assert UCLA3.score(_answers([1, 1, 1])) == 3
    assert UCLA3.score(_answers([2, 3, 1])) == 6
    assert UCLA3.band(6).label == "Lonely"
    assert UCLA3.band(5).label == "Not lonely"


def test_it_reads_the_craving_scale_from_zero_to_a_hundred():
    assert CRAVING_VAS.score({"craving": 73}) == 73
    assert (CRAVING_VAS.min_score, CRAVING_VAS.max_score) == (0, 100)
    with pytest.raises(ValueError):
        CRAVING_VAS.score({"craving": 101})


def test_it_gives_the_check_in_no_total():
    assert (
        instruments.get("checkin_after").score({"mood": 6, "craving": 2, "connection": 4}) is None
    )


@pytest.mark.parametrize(
    "answers",
    [
        _answers([1] * 8),  # one missing
        _answers([1] * 8 + [4]),  # out of range
        _answers([1] * 9) | {"q10": 1},  # a question it does not have
        _answers([1] * 8 + ["1"]),  # a string is not an answer
        _answers([1] * 8 + [True]),
    ],
)
def test_it_refuses_incomplete_or_wrong_answers(answers):
    assert PHQ9.problems(answers)
    with pytest.raises(ValueError):
        PHQ9.score(answers)


def test_it_flags_phq9_item_nine_above_zero_whatever_the_total():
    assert PHQ9.safety_concern(_answers([0] * 8 + [1]))
    assert not PHQ9.safety_concern(_answers([3] * 8 + [0]))


def test_it_knows_a_reliable_improvement_by_the_published_threshold():
    assert PHQ9.improved_reliably(first=18, latest=12) is True
    assert PHQ9.improved_reliably(first=18, latest=13) is False
    assert GAD7.improved_reliably(first=12, latest=8) is True
    assert UCLA3.improved_reliably(first=9, latest=3) is None  # none published


def test_every_instrument_says_where_it_comes_from_and_on_what_terms():
    for instrument in CATALOGUE.values():
        assert instrument.citation and instrument.terms, instrument.code
        assert instrument.plain_title and instrument.name not in instrument.plain_title
        for item in instrument.items:
            assert item.is_choice or item.low < item.high, (instrument.code, item.key)
