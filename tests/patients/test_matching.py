import datetime as dt

from clinicdesk.patients.keys import sound
from clinicdesk.patients.matching import LIKELY, POSSIBLE, Person, find_duplicate_pairs, score

BASE = dict(family_name="Robinson", given_name="William", birth_date=dt.date(1975, 4, 9), sex="male",
            phone="(413) 555-0101", email="w.robinson@example.com", address_line="14 Oak Street",
            postal_code="01103")


def p(**changes):
    return Person.of(**{**BASE, **changes})


def test_identical_records_score_as_likely():
    assert score(p(), p()).likely


def test_nickname_typo_and_transposed_birth_date_still_match():
    result = score(p(), p(given_name="Bill", family_name="Robinsen", birth_date=dt.date(1975, 9, 4),
                          email="", address_line=""))
    assert result.likely
    assert "first name (nickname)" in result.agreeing and "date of birth (transposed)" in result.agreeing


def test_changed_last_name_matches_through_the_previous_name():
    result = score(p(family_name="Okafor", previous_family_name="Robinson", email="", address_line="9 Pine Rd"),
                   p())
    assert result.score >= POSSIBLE and "last name (previous)" in result.agreeing


def test_twins_are_not_duplicates():
    assert score(p(), p(given_name="Walter", email="")).score < POSSIBLE


def test_same_name_different_people_are_not_duplicates():
    other = p(birth_date=dt.date(1962, 11, 23), phone="(602) 555-0199", email="", address_line="1 Desert Way",
              postal_code="85018")
    assert score(p(), other).score < POSSIBLE


def test_accents_and_case_do_not_matter():
    assert score(Person.of(family_name="Núñez", given_name="José", birth_date=dt.date(1980, 1, 2)),
                 Person.of(family_name="NUNEZ", given_name="jose", birth_date=dt.date(1980, 1, 2))).score > LIKELY


def test_sound_codes_tolerate_common_typos():
    assert sound("Garcia") == sound("Garsia") == sound("Garcai")
    assert sound("Smith") == sound("Smyth")


def test_find_duplicate_pairs_compares_only_within_blocks():
    people = [p(ref=1), p(ref=2, given_name="Will"), p(ref=3, family_name="Chen", given_name="Li",
                                                       birth_date=dt.date(1990, 1, 1), phone="", email="",
                                                       address_line="", postal_code="")]
    pairs = find_duplicate_pairs(people)
    assert [(a, b) for a, b, _ in pairs] == [(1, 2)]
