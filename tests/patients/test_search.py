import datetime as dt

import pytest

from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.patients.selectors import patient_search
from tests.factories import PatientFactory


@pytest.fixture
def people(location):
    return {
        "nunez": PatientFactory(family_name="Núñez", given_name="José", birth_date=dt.date(1971, 12, 3),
                                phone="(602) 555-0142", email="jnunez@example.com", home_location=location),
        "garcia": PatientFactory(family_name="Garcia", given_name="Ana", birth_date=dt.date(1990, 4, 5),
                                 phone="413.555.0100", home_location=location),
        "smith": PatientFactory(family_name="Smith", given_name="Jonathan", birth_date=dt.date(1955, 1, 30),
                                phone="", home_location=location),
    }


def _names(found):
    return [p.family_name for p in found]


@pytest.mark.parametrize(("query", "expected"), [
    ("nun", "Núñez"), ("Núñez", "Núñez"), ("nunez, jo", "Núñez"), ("José Núñez", "Núñez"), ("Nunez Jose", "Núñez"),
    ("gar", "Garcia"), ("Garcai", "Garcia"), ("Garica, Ana", "Garcia"), ("Smiht", "Smith"), ("Smyth, Jon", "Smith"),
    ("12/03/1971", "Núñez"), ("1971-12-03", "Núñez"), ("12-3-1971", "Núñez"), ("12/3/71", "Núñez"),
    ("Dec 3 1971", "Núñez"), ("(602) 555-0142", "Núñez"), ("602.555.0142", "Núñez"), ("+1 602 555 0142", "Núñez"),
    ("6025550142", "Núñez"), ("JNunez@Example.com", "Núñez"), ("555-0100", "Garcia"),
])
def test_patient_search_finds_by_every_key(clerk, people, query, expected):
    assert _names(patient_search(actor=clerk, query=query))[:1] == [expected]


def test_patient_search_finds_by_mrn(clerk, people):
    assert patient_search(actor=clerk, query=people["smith"].mrn) == [people["smith"]]


def test_patient_search_does_not_return_unrelated_names(clerk, people):
    assert patient_search(actor=clerk, query="Okonkwo") == []


def test_patient_search_hides_other_locations(clerk_elsewhere, people):
    assert patient_search(actor=clerk_elsewhere, query="Garcia") == []


def test_patient_search_refuses_an_outsider(outsider, people):
    with pytest.raises(PermissionDenied):
        patient_search(actor=outsider, query="Garcia")


def test_patient_search_leaves_out_merged_away_charts(clerk, people, location):
    PatientFactory(family_name="Garcia", given_name="Anna", home_location=location, active=False,
                   merged_into=people["garcia"])
    assert patient_search(actor=clerk, query="Garcia") == [people["garcia"]]


def test_search_page_query_count_does_not_grow_with_results(signed_in, location):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(Role.FRONT_DESK, at=location)
    for n in range(3):
        PatientFactory(family_name="Quill", given_name=f"A{n}", home_location=location)
    client.post("/patients/", {"q": "quill"}, HTTP_HX_REQUEST="true")  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.post("/patients/", {"q": "quill"}, HTTP_HX_REQUEST="true")
    for n in range(20):
        PatientFactory(family_name="Quill", given_name=f"B{n}", home_location=location)
    with CaptureQueriesContext(connection) as many:
        response = client.post("/patients/", {"q": "quill"}, HTTP_HX_REQUEST="true")
    assert response.content.count(b"<tr>") == 24
    assert len(many.captured_queries) == len(few.captured_queries) <= 25


@pytest.fixture
def obrien(location):
    return PatientFactory(family_name="O'Brien", given_name="Siobhán", birth_date=dt.date(1984, 2, 9),
                          home_location=location)


@pytest.mark.parametrize("query", [
    "O'Brien", "O\u2019Brien", "o brien", "OBrien", "obri", "Siobhan", "Siobhán", "siob", "O'Brien, Siobhan",
    "Siobhan O'Brien", "siobhan o brien", "o brien, siob",
])
def test_patient_search_folds_apostrophes_spaces_and_finds_a_first_name_alone(clerk, obrien, people, query):
    assert patient_search(actor=clerk, query=query)[:1] == [obrien]


def test_patient_search_by_first_name_lists_family_name_matches_first(clerk, location):
    family = PatientFactory(family_name="Jose", given_name="Maria", home_location=location)
    given = PatientFactory(family_name="Alvarez", given_name="José", home_location=location)
    assert patient_search(actor=clerk, query="jose") == [family, given]


def test_patient_search_folds_hyphenated_family_names(clerk, location):
    both = PatientFactory(family_name="Núñez-Díaz", given_name="Ana", home_location=location)
    for query in ("Nunez Diaz", "núñez-díaz", "nunezdiaz", "Ana Nunez-Diaz", "Nunez Diaz, Ana"):
        assert patient_search(actor=clerk, query=query)[:1] == [both], query
