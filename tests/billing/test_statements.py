"""Patient balances and disputes (#19 items 8-9): the statement cycle's selection rules, aging on a known ledger,
the Spanish PDF on the chart, the e-mail with the pay link through the outbox, credit refunds approved and posted
once, the payment plan's missed-payment path, and a dispute that holds statements and closes with a letter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from clinicdesk.billing import services
from clinicdesk.billing.models import (
    CreditRefund,
    EntryKind,
    LedgerEntry,
    RefundStatus,
    Statement,
    StatementDelivery,
)
from clinicdesk.billing.statement_selectors import balance_page
from clinicdesk.comms.models import Message
from clinicdesk.core import clock as clock_module
from clinicdesk.core.exceptions import Conflict, InvalidTransition, PermissionDenied
from clinicdesk.core.permissions import Role
from clinicdesk.patients.models import Document
from clinicdesk.portal.models import PaymentPlan
from clinicdesk.portal.services import plans
from tests.core.test_documents_l10n import pdf_text
from tests.factories import PatientFactory, UserFactory

NOW = dt.datetime(2026, 11, 23, 15, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 23)


def _charge(biller, patient, amount, days_ago, description="Office visit"):
    with clock_module.frozen_at(NOW - dt.timedelta(days=days_ago)):
        return services.charge_post(actor=biller, patient_id=patient.pk, location_id=patient.home_location_id,
                                    amount=Decimal(amount), description=description)


def _pay(biller, patient, amount, days_ago=0):
    with clock_module.frozen_at(NOW - dt.timedelta(days=days_ago)):
        return services.payment_collect(actor=biller, patient_id=patient.pk, location_id=patient.home_location_id,
                                        amount=Decimal(amount), tender=services.Tender("cash"))


@pytest.fixture
def ledger(biller, location, clock):
    """Six charts: one owing with aged charges, one even, one in credit, one on hold, one disputing, one on a plan."""
    def chart(name, **extra):
        return PatientFactory(home_location=location, family_name=name, email=f"{name.lower()}@example.org",
                              email_opt_in=True, **extra)

    owing, even, credit = chart("Owing", preferred_language="es"), chart("Even"), chart("Credit")
    held, disputing, planned = chart("Held"), chart("Disputing"), chart("Planned")
    # Owing: 100 (130 days ago), 50 (75 days ago), 40 (10 days ago), paid 30 last week -> 160 open, FIFO:
    # the payment pays the oldest first, so 0-30: 40, 61-90: 50, 120+: 70.
    _charge(biller, owing, "100.00", 130)
    _charge(biller, owing, "50.00", 75)
    _charge(biller, owing, "40.00", 10, "Análisis de laboratorio")
    _pay(biller, owing, "30.00", 7)
    _charge(biller, even, "25.00", 20)
    _pay(biller, even, "25.00", 5)
    _charge(biller, credit, "20.00", 40)
    _pay(biller, credit, "50.00", 3)
    for who in (held, disputing, planned):
        _charge(biller, who, "80.00", 40)
    services.collections_hold_place(actor=biller, patient_id=held.pk, reason="Sent to the agency")
    charge = LedgerEntry.objects.get(patient=disputing)
    services.dispute_open(actor=biller, patient_id=disputing.pk, reason="I was never seen that day",
                          entry_id=charge.pk)
    plans.staff_plan_create(actor=biller, patient_id=planned.pk, instalments=2, first_due=TODAY + dt.timedelta(days=3))
    return {"owing": owing, "even": even, "credit": credit, "held": held, "disputing": disputing,
            "planned": planned}


def test_statement_cycle_skips_zero_credit_hold_dispute_and_plan(biller, ledger):
    plan = services.statement_cycle_preview(actor=biller, as_of=TODAY)
    assert [c.patient.pk for c in plan.due] == [ledger["owing"].pk]
    assert {s.patient.pk: s.reason for s in plan.skipped} == {
        ledger["credit"].pk: "credit", ledger["held"].pk: "hold", ledger["disputing"].pk: "dispute",
        ledger["planned"].pk: "payment-plan"}
    assert ledger["even"].pk not in {s.patient.pk for s in plan.skipped}
    # Running it makes one statement; running it again the same day makes none (and none "recent" later).
    result = services.statement_cycle_run(actor=biller, as_of=TODAY)
    assert [s.patient_id for s in result.created] == [ledger["owing"].pk]
    assert services.statement_cycle_run(actor=biller, as_of=TODAY).created == []
    later = services.statement_cycle_preview(actor=biller, as_of=TODAY + dt.timedelta(days=10))
    assert {s.patient.pk: s.reason for s in later.skipped}[ledger["owing"].pk] == "recent"


def test_statement_ages_a_known_ledger_in_spanish_and_emails_the_pay_link(biller, ledger):
    owing = ledger["owing"]
    statement = services.statement_create(actor=biller, patient_id=owing.pk, as_of=TODAY)
    assert statement.balance == Decimal("160.00")
    assert statement.buckets == [Decimal("40.00"), Decimal("0.00"), Decimal("50.00"), Decimal("0.00"),
                                 Decimal("70.00")]
    # The PDF is in Spanish, on the chart.
    assert statement.language == "es"
    document = Document.objects.get(pk=statement.document_id, patient=owing)
    with default_storage.open(document.storage_name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "Estado de cuenta" in text and "Análisis de laboratorio" in text and "Más de 120 días" in text
    # The e-mail goes through the outbox (billing consent) with the portal's pay link and no amount or name.
    assert statement.delivery == StatementDelivery.EMAIL
    message = Message.objects.get(pk=statement.message_id)
    assert message.purpose == "billing" and message.to_address == owing.email
    assert "/portal/pay/" in message.body
    assert "160" not in message.body and owing.family_name not in message.body + message.subject
    # Without consent to billing e-mail it goes to the print queue instead.
    even = ledger["even"]
    _charge(biller, even, "10.00", 1)
    even.email_opt_in = False
    even.save(update_fields=["email_opt_in"])
    printed = services.statement_create(actor=biller, patient_id=even.pk, as_of=TODAY)
    assert printed.delivery == StatementDelivery.PRINT and printed.message_id is None


def test_credit_refund_is_approved_by_someone_else_and_posted_once(biller, ledger, location):
    credit = ledger["credit"]
    approver = UserFactory(role=Role.PRACTICE_COORDINATOR, location=location)
    assert services.credit_of(credit.pk) == Decimal("30.00")
    with pytest.raises(Exception, match="more than the credit"):
        services.credit_refund_request(actor=biller, patient_id=credit.pk, amount=Decimal("30.01"), reason="x")
    refund = services.credit_refund_request(actor=biller, patient_id=credit.pk, amount=Decimal("30.00"),
                                            reason="Overpaid at the desk", idempotency_key="rf-1")
    again = services.credit_refund_request(actor=biller, patient_id=credit.pk, amount=Decimal("30.00"),
                                           reason="Overpaid at the desk", idempotency_key="rf-1")
    assert again.pk == refund.pk and CreditRefund.objects.count() == 1
    # Billing staff ask, they do not approve (billing approve); whoever asked never approves their own request.
    with pytest.raises(PermissionDenied):
        services.credit_refund_approve(actor=biller, refund_id=refund.pk)
    CreditRefund.objects.filter(pk=refund.pk).update(requested_by=approver)
    with pytest.raises(PermissionDenied, match="someone else approves it") as refused:
        services.credit_refund_approve(actor=approver, refund_id=refund.pk)
    assert refused.value.code == "own-refund"
    assert not LedgerEntry.objects.filter(patient=credit, kind=EntryKind.REFUND).exists()
    assert CreditRefund.objects.get(pk=refund.pk).status == RefundStatus.REQUESTED
    CreditRefund.objects.filter(pk=refund.pk).update(requested_by=biller)
    posted = services.credit_refund_approve(actor=approver, refund_id=refund.pk)
    assert posted.status == RefundStatus.POSTED and len(posted.entry_ids) == 1
    entry = LedgerEntry.objects.get(pk=posted.entry_ids[0])
    assert entry.kind == EntryKind.REFUND and entry.amount == Decimal("30.00") and entry.method == "cash"
    assert services.balance_of(credit.pk) == Decimal("0.00")
    with pytest.raises(InvalidTransition):
        services.credit_refund_approve(actor=approver, refund_id=refund.pk)
    assert LedgerEntry.objects.filter(patient=credit, kind=EntryKind.REFUND).count() == 1


def test_payment_plan_missed_instalments_notify_then_default_back_to_statements(biller, ledger):
    planned = ledger["planned"]
    plan = PaymentPlan.objects.get(patient=planned)
    first_due = plan.first_due
    # Three days before the first instalment: a reminder, once.
    report = plans.plans_check_due(today=TODAY)
    assert report.reminded == 1
    assert plans.plans_check_due(today=TODAY).reminded == 1  # counted again, queued once (the dedupe key)
    assert Message.objects.filter(patient=planned, dedupe_key__startswith=f"plan-reminder:{plan.pk}:1").count() == 1
    # The first instalment missed: the plan is late, the patient told; still off statements.
    late_day = first_due + dt.timedelta(days=2)
    plans.plans_check_due(today=late_day)
    assert plans.standing(PaymentPlan.objects.get(pk=plan.pk), late_day, 2).status == "late"
    assert Message.objects.filter(patient=planned, dedupe_key__startswith=f"plan-late:{plan.pk}:1").exists()
    assert services.held_patients({planned.pk}) == {planned.pk: "payment-plan"}
    # The second missed too (limit 2): the plan defaults and the balance returns to the statement cycle.
    default_day = first_due + dt.timedelta(days=40)
    assert plans.plans_check_due(today=default_day).defaulted == 1
    plan.refresh_from_db()
    assert plan.ended_at is not None
    assert plans.standing(plan, default_day, 2).status == "defaulted"
    assert Message.objects.filter(patient=planned, dedupe_key__startswith=f"plan-default:{plan.pk}").exists()
    assert services.held_patients({planned.pk}) == {}
    due = services.statement_cycle_preview(actor=biller, as_of=TODAY)
    assert planned.pk in {c.patient.pk for c in due.due}


def test_dispute_holds_statements_and_closes_with_a_spanish_letter(biller, ledger):
    disputing = ledger["disputing"]
    disputing.preferred_language = "es"
    disputing.save(update_fields=["preferred_language"])
    page = balance_page(actor=biller, patient_id=disputing.pk)
    dispute = page.open_dispute
    assert dispute is not None and dispute.due_on == TODAY + dt.timedelta(days=30)
    with pytest.raises(Conflict):
        services.statement_create(actor=biller, patient_id=disputing.pk, as_of=TODAY)
    closed = services.dispute_close(actor=biller, dispute_id=dispute.pk, outcome="written-off",
                                    response="Revisamos su expediente y no hubo visita ese día.")
    assert closed.status == "closed" and closed.language == "es" and closed.document_id
    with default_storage.open(closed.document.storage_name, "rb") as handle:
        text = pdf_text(handle.read())
    assert "Nuestra respuesta a su disputa de facturación" in text and "no hubo visita" in text
    # The write-off was posted (append-only adjustment) and the balance is clear; closing twice is refused.
    assert services.balance_of(disputing.pk) == Decimal("0.00")
    with pytest.raises(InvalidTransition):
        services.dispute_close(actor=biller, dispute_id=dispute.pk, outcome="upheld", response="x")
    assert not Statement.objects.filter(patient=disputing).exists()


def test_statement_services_hide_other_locations_and_refuse_the_desk(ledger, other_location, location):
    from clinicdesk.core.exceptions import NotFound, PermissionDenied

    elsewhere = UserFactory(role=Role.BILLING, location=other_location)
    with pytest.raises((NotFound, PermissionDenied)):
        services.statement_create(actor=elsewhere, patient_id=ledger["owing"].pk, as_of=TODAY)
    assert services.statement_cycle_preview(actor=elsewhere, as_of=TODAY).due == []
    desk = UserFactory(role=Role.FRONT_DESK, location=location)
    with pytest.raises(PermissionDenied):
        services.credit_refund_request(actor=desk, patient_id=ledger["credit"].pk, amount=Decimal("1.00"),
                                       reason="x")


def test_statement_screens_and_api_answer_the_biller(biller, ledger, client, django_assert_max_num_queries):
    import json

    client.force_login(biller)
    owing, disputing, credit = ledger["owing"], ledger["disputing"], ledger["credit"]
    with django_assert_max_num_queries(45):  # the cycle page: a fixed number of queries, not one per chart
        page = client.get("/billing/statements/?as_of=2026-11-23")
    assert page.status_code == 200 and owing.family_name in page.content.decode()
    balance = client.get(f"/billing/patients/{disputing.pk}/balance/")
    assert balance.status_code == 200 and "Open dispute" in balance.content.decode()
    made = client.post(f"/api/v1/patients/{owing.pk}/statements", data="{}", content_type="application/json")
    assert made.status_code == 201 and made.json()["aging"]["120+"] == "70.00"
    assert client.get(f"/billing/statements/{made.json()['id']}/statement.pdf").status_code == 200
    too_much = client.post(f"/api/v1/patients/{credit.pk}/credit-refunds", content_type="application/json",
                           data=json.dumps({"amount": "99.00", "reason": "x"}))
    assert too_much.status_code == 422
    dispute_id = client.get("/api/v1/disputes").json()["items"][0]["id"]
    closed = client.post(f"/api/v1/disputes/{dispute_id}/close", content_type="application/json",
                         data=json.dumps({"outcome": "upheld", "response": "The visit took place."}))
    assert closed.status_code == 200 and closed.json()["letter"] is True
    assert client.get(f"/billing/disputes/{dispute_id}/letter.pdf").status_code == 200
    assert client.get("/api/v1/disputes/999999").status_code == 404
