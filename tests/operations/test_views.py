"""The supplies screens: stock list, reorder -> orders -> approve/send -> receive (over-receipt flashed), counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from clinicdesk.operations import services
from clinicdesk.operations.models import CountLine, OrderStatus, PurchaseOrder, StockBalance

from .conftest import stock


@pytest.fixture
def client_for():
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _flashes(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_stock_list_shows_on_hand_and_status_in_few_queries(coordinator, nurse, gloves, vaccine, location,
                                                           client_for, django_assert_max_num_queries):
    stock(coordinator, gloves, location, 3)
    client = client_for(nurse)
    with django_assert_max_num_queries(20):
        response = client.get(f"/operations/supplies/?location={location.pk}")
    assert response.status_code == 200
    assert b"status-stock-low" in response.content and b"status-stock-out" in response.content
    assert b"Exam gloves, medium" in response.content


def test_a_coordinator_works_the_reorder_list_into_an_order_and_receives_it(coordinator, nurse, gloves, medline,
                                                                           location, client_for, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    offer = services.supplier_item_set(actor=coordinator, supplier_id=medline.pk, item_id=gloves.pk,
                                       price=Decimal("12.50"), pack_size=10, preferred=True)
    stock(coordinator, gloves, location, 3)
    client = client_for(coordinator)
    page = client.get(f"/operations/reorder/?location={location.pk}")
    assert b"Exam gloves, medium" in page.content
    place = gloves.places.get()
    response = client.post("/operations/reorder/", {"location": location.pk, f"pick-{place.pk}": "1",
                                                    f"packs-{place.pk}": "2", f"offer-{place.pk}": offer.pk})
    assert response.status_code == 302
    order = PurchaseOrder.objects.get()
    assert client.post(f"/operations/orders/{order.pk}/submit/").status_code == 302
    assert client.post(f"/operations/orders/{order.pk}/send/").status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.SENT
    line = order.lines.get()
    nurse_client = client_for(nurse)
    refused = nurse_client.post(f"/operations/orders/{order.pk}/receive/", {f"packs-{line.pk}": "3"})
    assert any("Only 2 packs" in text for text in _flashes(refused))
    nurse_client.post(f"/operations/orders/{order.pk}/receive/", {f"packs-{line.pk}": "2"})
    order.refresh_from_db()
    assert order.status == OrderStatus.RECEIVED
    assert StockBalance.objects.get(item=gloves, location=location, lot="").quantity == 23
    assert client.get(f"/operations/orders/{order.pk}/pdf/").content.startswith(b"%PDF")


def test_a_count_is_entered_and_posted_from_the_screen(coordinator, gloves, location, client_for):
    stock(coordinator, gloves, location, 10)
    client = client_for(coordinator)
    response = client.post("/operations/counts/", {"location": location.pk})
    count_url = response["Location"]
    page = client.get(count_url)
    assert b"Exam gloves, medium" in page.content
    entry = CountLine.objects.get(item=gloves)
    response = client.post(count_url, {f"counted-{entry.pk}": "8", "post": "1"})
    assert "Count posted" in " ".join(_flashes(response))
    assert StockBalance.objects.get(item=gloves, location=location, lot="").quantity == 8


def test_a_nurse_records_use_and_sees_the_refusal(coordinator, nurse, gloves, location, client_for):
    stock(coordinator, gloves, location, 1)
    client = client_for(nurse)
    response = client.post(f"/operations/supplies/{gloves.pk}/use/", {"location": location.pk, "quantity": "2"})
    assert any("Only 1 box" in text for text in _flashes(response))
    response = client.post(f"/operations/supplies/{gloves.pk}/use/", {"location": location.pk, "quantity": "1"})
    assert _flashes(response)[-1] == "Use recorded."
