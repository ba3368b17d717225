"""The approver's queue of credit refunds (#19 item 8): the practice coordinator (billing approve) sees the requests
waiting where they may approve (patient, amount, reason, who asked, when, the credit now), approves or declines each
through the same services, and comes back to the queue; billers and the desk do not see it; the read is
recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.billing import services
from clinicdesk.billing.models import CreditRefund, EntryKind, LedgerEntry, RefundStatus
from clinicdesk.billing.statement_selectors import refund_approval_queue
from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import PermissionDenied
from clinicdesk.core.permissions import Role
from tests.factories import PatientFactory, UserFactory

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def waiting(biller, location, clock):
    """Two charts in credit (paid 50.00 on a 20.00 visit), each with a refund request by the biller."""
    refunds = []
    for name in ("Creditor", "Overpaid"):
        patient = PatientFactory(home_location=location, family_name=name)
        with clock_module.frozen_at(NOW - dt.timedelta(days=5)):
            services.charge_post(actor=biller, patient_id=patient.pk, location_id=location.pk,
                                 amount=Decimal("20.00"), description="Visit")
            services.payment_collect(actor=biller, patient_id=patient.pk, location_id=location.pk,
                                     amount=Decimal("50.00"), tender=services.Tender("cash"))
        refunds.append(services.credit_refund_request(actor=biller, patient_id=patient.pk, amount=Decimal("30.00"),
                                                      reason=f"{name} paid twice"))
    return refunds


def test_refund_queue_lists_the_waiting_requests_with_the_credit_now(biller, location, waiting):
    approver = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    rows = refund_approval_queue(actor=approver)
    assert [r.refund.pk for r in rows] == [r.pk for r in waiting]
    assert [(r.credit, r.fits) for r in rows] == [(Decimal("30.00"), True)] * 2
    entry = AuditEntry.objects.filter(action="refund.list").latest("pk")
    assert entry.detail["refunds"] == [r.pk for r in waiting]
    with pytest.raises(PermissionDenied):
        refund_approval_queue(actor=biller)  # billing staff ask; approvers approve


def test_refund_queue_follows_where_the_approver_may_approve(other_location, waiting):
    # The practice coordinator is practice-wide: a coordinator of another location approves these too (the
    # service agrees), so they are listed; a desk user elsewhere holds no billing approve at all.
    elsewhere = UserFactory(role=Role.PRACTICE_COORDINATOR, location=other_location)
    assert [r.refund.pk for r in refund_approval_queue(actor=elsewhere)] == [r.pk for r in waiting]
    with pytest.raises(PermissionDenied):
        refund_approval_queue(actor=UserFactory(role=Role.FRONT_DESK, location=other_location))


def test_approver_approves_and_declines_from_the_queue_screen(signed_in, location, waiting,
                                                             django_assert_max_num_queries):
    client = signed_in(Role.PRACTICE_COORDINATOR, at=location)
    home = client.get("/").content.decode()
    assert 'data-screen="refunds"' in home
    with django_assert_max_num_queries(25):  # a fixed number of queries, not one per request
        page = client.get("/billing/refunds/")
    html = page.content.decode()
    assert page.status_code == 200
    for refund in waiting:
        assert f'data-refund="{refund.pk}"' in html and refund.patient.display_name in html
        assert refund.reason in html
    assert html.count("Approve and post") == 2 and "$30.00" in html
    first, second = waiting
    answer = client.post(f"/billing/refunds/{first.pk}/approve/", {"back": "queue"})
    assert answer.status_code == 302 and answer["Location"] == "/billing/refunds/"
    assert CreditRefund.objects.get(pk=first.pk).status == RefundStatus.POSTED
    assert LedgerEntry.objects.filter(patient=first.patient, kind=EntryKind.REFUND).count() == 1
    answer = client.post(f"/billing/refunds/{second.pk}/decline/", {"back": "queue"})
    assert answer["Location"] == "/billing/refunds/"
    assert CreditRefund.objects.get(pk=second.pk).status == RefundStatus.DECLINED
    after = client.get("/billing/refunds/").content.decode()
    assert "No refund is waiting." in after
    # Deciding twice: told on the queue, nothing posted again.
    again = client.post(f"/billing/refunds/{first.pk}/approve/", {"back": "queue"}, follow=True)
    assert "already decided" in again.content.decode()
    assert LedgerEntry.objects.filter(patient=first.patient, kind=EntryKind.REFUND).count() == 1


def test_refund_queue_screen_is_the_approvers_only(signed_in, location, waiting):
    assert signed_in(Role.BILLING, at=location).get("/billing/refunds/").status_code == 403
    assert signed_in(Role.FRONT_DESK, at=location).get("/billing/refunds/").status_code == 403
    spanish = signed_in(Role.PRACTICE_COORDINATOR, at=location, language="es").get("/billing/refunds/")
    assert spanish.status_code == 200 and 'lang="es"' in spanish.content.decode()
