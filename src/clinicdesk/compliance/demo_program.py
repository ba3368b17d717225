"""The demo practice's compliance program (called from `compliance_demo`): at each location the OSHA checks on
the calendar (the eyewash check overdue and escalated), a practice duty, the exposure control plan and safety data
sheets (one review overdue), a sharps injury on the OSHA 300 log as a privacy case and another case; once for the
practice: this year's risk assessment half answered, business associate agreements (one review overdue), the
privacy and security officers, and policies whose newest versions some staff have yet to acknowledge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from clinicdesk.accounts.models import User

from . import services
from .models import RiskItem


def program_location(at: Callable[[int, Callable[[], Any]], Any], day: Callable[[int], dt.date], location_id: int,
                     coordinator: User, nurse: User) -> None:
    duties = at(10, lambda: services.builtin_duties_ensure(actor=coordinator, location_id=location_id,
                                                           owner_id=nurse.pk))
    for duty in duties:
        first_id: int = duty.occurrences.get().pk

        def complete(occurrence_id: int = first_id) -> Any:
            return services.occurrence_complete(actor=coordinator, occurrence_id=occurrence_id, done_on=day(9),
                                                evidence_note="Checked and tagged; nothing to report.")

        at(9, complete)
    at(40, lambda: services.duty_add(actor=coordinator, location_id=location_id, title="Test the panic buttons",
                                     owner_id=coordinator.pk, recurrence="quarterly", starts_on=day(40) +
                                     dt.timedelta(days=60)))
    services.safety_document_add(actor=coordinator, location_id=location_id, kind="exposure-plan",
                                 title="Bloodborne pathogens exposure control plan", review_on=day(-90))
    services.safety_document_add(actor=coordinator, location_id=location_id, kind="sds", title="Bleach germicidal "
                                 "wipes", manufacturer="Clorox Healthcare", review_on=day(5))
    services.safety_document_add(actor=coordinator, location_id=location_id, kind="sds", title="Isopropyl alcohol "
                                 "70%", manufacturer="Medline", review_on=day(-200))
    sharps = at(25, lambda: services.sharps_injury_log(
        actor=coordinator, location_id=location_id, occurred_on=day(25), device="25G safety needle, BD Eclipse",
        work_area="Lab draw station", how="Stuck while activating the safety shield after a draw."))
    at(24, lambda: services.injury_case_record(
        actor=coordinator, location_id=location_id, employee_name=f"{nurse.first_name} {nurse.last_name}",
        job_title="Medical assistant", occurred_on=day(25), where="Lab draw station",
        description="Needlestick, left index finger, used needle", outcome="other", case_type="injury",
        sharps_id=sharps.pk))
    at(60, lambda: services.injury_case_record(
        actor=coordinator, location_id=location_id, employee_name="Front desk staff member", job_title="Receptionist",
        occurred_on=day(60), where="Supply room", description="Strained lower back lifting a box of paper",
        outcome="days-away", days_away=3, case_type="injury"))


def program_practice(day: Callable[[int], dt.date], coordinator: User, officer: User, staff: list[User]) -> None:
    today = day(0)
    assessment = services.risk_assessment_start(actor=coordinator, year=today.year, owner_id=officer.pk)
    for index, item in enumerate(RiskItem.objects.filter(assessment=assessment).order_by("pk")[:6]):
        services.risk_item_update(actor=coordinator, item_id=item.pk, status="gap" if index == 2 else "met",
                                  owner_id=officer.pk, evidence_note="Reviewed with the IT vendor; notes on file.")
    services.baa_add(actor=coordinator, vendor="CloudEHR Hosting", services="Hosting and backups of the record",
                     signed_on=day(700), review_on=day(-30), expires_on=day(-400))
    services.baa_add(actor=coordinator, vendor="SecureShred", services="Shredding of paper records on site",
                     signed_on=day(400), review_on=day(35))
    services.baa_add(actor=coordinator, vendor="Harbor Billing Services", services="Claims and statements",
                     signed_on=day(380), review_on=day(15))
    services.officer_set(actor=coordinator, role="privacy", user_id=officer.pk, since=day(500))
    services.officer_set(actor=coordinator, role="security", user_id=coordinator.pk, since=day(500))
    policies = (("Hand hygiene", ["front_desk", "nurse", "provider"], "Clean hands before and after every patient "
                 "contact, after removing gloves, and after touching the patient's surroundings."),
                ("Minimum necessary use of patient information", ["front_desk", "patient_coordinator", "billing",
                                                                  "nurse", "provider"],
                 "Look at, use and share only the patient information your task needs."),
                ("Sharps handling and disposal", ["nurse", "provider"], "Never recap a used needle. Drop sharps in "
                 "the container at the point of use; replace it when it is three-quarters full."))
    for index, (title, audience, text) in enumerate(policies):
        policy = services.policy_add(actor=coordinator, title=title, owner_id=officer.pk,
                                     review_on=day(-20) if index == 2 else day(-300), audience=audience)
        version = services.policy_publish(actor=coordinator, policy_id=policy.pk, effective_on=day(30), text=text,
                                          summary="First version")
        asked = [u for u in staff if u.role in audience]
        for user in asked[: max(1, len(asked) // 2)]:
            services.policy_acknowledge(actor=user, version_id=version.pk)
        services.policy_remind(actor=coordinator, version_id=version.pk)
    services.duties_escalate_overdue()  # what the worker does every hour: the overdue eyewash check is flagged
