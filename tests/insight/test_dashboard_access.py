"""Who sees which dashboard: the practice view, the location view, everyone else; the page, its CSV and its
query count."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from clinicdesk.core.exceptions import NotFound, PermissionDenied
from clinicdesk.insight.dashboard_selectors import dashboard_read

from .dashboard_world import RANGE, build


@pytest.fixture
def world(db, clock):
    return build()


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_coordinator_sees_the_whole_practice(world):
    board = dashboard_read(actor=world.coordinator, params=RANGE, keys=["volume"])
    assert board.scope.practice_wide
    assert {loc.name for loc in board.scope.locations} == {"Downtown", "Uptown"}


def test_a_location_user_sees_only_their_location(world):
    board = dashboard_read(actor=world.uptown_biller, params=RANGE, keys=["volume", "volume-provider"])
    assert not board.scope.practice_wide
    assert [loc.name for loc in board.scope.locations] == ["Uptown"]
    volume, providers = board.figures
    assert {s.label: s.values for s in volume.series} == {"Uptown": [1, 0]}
    assert providers.labels == ["Ben Franklin, MD"]
    assert all(p.pk != world.ada.pk for p in board.scope.practitioners)


def test_another_locations_numbers_are_not_found(world):
    with pytest.raises(NotFound):
        dashboard_read(actor=world.uptown_biller, params={**RANGE, "location": str(world.downtown.pk)})
    with pytest.raises(NotFound):
        dashboard_read(actor=world.uptown_biller, params={**RANGE, "provider": str(world.ada.pk)})


def test_staff_without_reports_read_are_refused(world):
    with pytest.raises(PermissionDenied):
        dashboard_read(actor=world.front_desk, params=RANGE)


def test_the_page_draws_every_chart_with_a_table_and_a_csv_link(world, django_assert_max_num_queries):
    client = client_for(world.coordinator)
    # about 9 a location and new-patient type go to the lead-time search, and a few to its cache (the test's
    # cache is the database; it does not grow with the data: see the next test)
    with django_assert_max_num_queries(60):
        response = client.get("/insight/dashboards/", RANGE)
    assert response.status_code == 200
    html = response.content.decode()
    for key in ("volume", "volume-provider", "volume-type", "utilisation", "noshow", "visit-times", "waitlist",
                "reminders"):
        assert f'id="chart-{key}-data"' in html and f"/insight/dashboards/{key}.csv?" in html
    assert "vendor/chart.umd.min.js" in html and "insight/dashboards.js" in html
    assert " style=" not in html and "<script>" not in html  # the CSP holds: data in json_script, a static file draws


def test_the_page_query_count_does_not_grow_with_the_data(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AppointmentFactory

    from .dashboard_world import at

    client = client_for(world.coordinator)
    client.get("/insight/dashboards/", RANGE)  # the session settles
    with CaptureQueriesContext(connection) as before:
        assert client.get("/insight/dashboards/", RANGE).status_code == 200
    for n in range(20):
        AppointmentFactory(location=world.downtown, practitioner=world.ada, appointment_type=world.follow_up,
                           start=at(11, 8, 0) + n * (at(11, 8, 20) - at(11, 8, 0)), status="fulfilled",
                           bookings=False)
    from clinicdesk.insight.dashboards import rollup

    rollup.rebuild()
    with CaptureQueriesContext(connection) as after:
        assert client.get("/insight/dashboards/", RANGE).status_code == 200
    assert len(after) == len(before)


def test_the_csv_has_words_in_its_header_and_one_row_per_week(world):
    response = client_for(world.coordinator).get("/insight/dashboards/noshow.csv", RANGE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="noshow-2026-11-02-2026-11-15.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Week starting", "No-show rate (%)", "Late-cancellation rate (%)"],
                    ["2026-11-02", "25.0", "20.0"], ["2026-11-09", "", "0.0"]]


def test_the_csv_speaks_spanish(world):
    world.coordinator.language = "es"
    world.coordinator.save(update_fields=["language"])
    response = client_for(world.coordinator).get("/insight/dashboards/volume-type.csv", RANGE)
    header, *rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(header) == 2 and len(rows) == 2
    assert {r[0] for r in rows} == {"Seguimiento", "Paciente nuevo"}


def test_the_location_user_gets_a_404_for_another_locations_csv(world):
    client = client_for(world.uptown_biller)
    assert client.get("/insight/dashboards/volume.csv", {**RANGE, "location": world.downtown.pk}).status_code == 404
    response = client.get("/insight/dashboards/volume.csv", RANGE)
    assert response.status_code == 200 and "Downtown" not in response.content.decode()


def test_an_unknown_figure_is_not_found(world):
    assert client_for(world.coordinator).get("/insight/dashboards/nothing.csv").status_code == 404


def test_a_bad_range_is_a_clear_message_not_a_500(world):
    response = client_for(world.coordinator).get("/insight/dashboards/", {"from": "2026-11-15", "to": "2026-11-01"})
    assert response.status_code in (400, 422)
