"""Access-matrix rows for the patient portal (issue #23). See matrix.py for what a row means.

The `patient` actor (world.PATIENT) is Pia, signed in to the portal with its own cookie and no staff session; she
holds a parent's authorization for Kit. Every patient route answers her for her own and Kit's records only (Sam's
ids answer 404), and answers staff (who have no portal session) and anonymous visitors with the portal's sign-in
page (302). Staff routes treat Pia as anonymous (matrix.expected).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .matrix import DESK, NOBODY, PATIENT_READERS, PATIENT_WRITERS, PRACTICE_ADMINS, Row, page, public
from .world import PATIENT, SECRET, TODAY, at


def mine(method: str, path: str, ok: int = 200, **kw: Any) -> Row:
    """A route for the signed-in patient only: everyone else is sent to the portal's sign-in (302)."""
    return Row(method, path, 302, NOBODY, denied=302, elsewhere=None, anon=302, who={PATIENT: ok, **kw.pop("who", {})},
               **kw)


def mine_api(method: str, path: str, ok: int = 200, body: Any = None, **kw: Any) -> Row:
    """A portal JSON API route: the signed-in patient only (her own and Kit's ids); everyone else 401."""
    sends = method == "POST"
    return Row(method, path, 401, NOBODY, denied=401, elsewhere=None, anon=401, who={PATIENT: ok, **kw.pop("who", {})},
               data=(lambda w: json.dumps(body(w) if body else {})) if sends else None,
               content_type="application/json" if sends else None, **kw)


def _option(w: Any, days: int, hour: int) -> str:
    start = at(hour, 0, TODAY + dt.timedelta(days=days))
    return f"{w.doc.pk}:{int(start.timestamp())}"


def _rule(w: Any) -> dict[str, str]:
    prefix = f"t{w.portal_type.pk}"
    return {f"{prefix}-bookable": "on", f"{prefix}-who": "anyone", f"{prefix}-max_days_ahead": "30",
            f"{prefix}-min_notice_hours": "24", f"{prefix}-max_open_bookings": "3"}


ROWS: list[Row] = [
    # Signing in: the same answer for everyone; nothing about who is known.
    public("GET", "/portal/", 200),
    public("POST", "/portal/", 200, data=lambda w: {"contact": "nobody@example.org"}, case="unknown contact"),
    public("GET", "/portal/sign-in/link/not-a-real-token/", 404, case="a wrong link"),
    public("POST", "/portal/sign-in/code/", 422, data=lambda w: {"contact": "4135550000", "code": "123456",
                                                                "birth_date": "1980-01-01"}, case="a wrong code"),
    public("POST", "/portal/language/", 302, data=lambda w: {"language": "es"}),
    public("POST", "/portal/sign-out/", 302),
    # The patient's own pages.
    mine("GET", "/portal/home/"),
    mine("POST", "/portal/person/", 302, data=lambda w: {"patient_id": w.portal_child.pk},
         case="an authorized dependent"),
    mine("POST", "/portal/person/", 404, data=lambda w: {"patient_id": w.portal_stranger.pk}, case="another patient"),
    mine("GET", "/portal/book/"),
    mine("GET", "/portal/book/{portal_type.pk}/"),
    mine("GET", "/portal/book/{kind.pk}/", 404, case="a type not bookable online"),
    mine("POST", "/portal/book/{portal_type.pk}/", 302, data=lambda w: {"option": _option(w, 3, 14)}),
    mine("POST", "/portal/book/{portal_type.pk}/waitlist/", 302),
    mine("GET", "/portal/appointments/{portal_appointment.pk}/"),
    mine("GET", "/portal/appointments/{portal_stranger_appointment.pk}/", 404, case="another patient's"),
    mine("POST", "/portal/appointments/{portal_appointment.pk}/cancel/", 302),
    mine("POST", "/portal/appointments/{portal_stranger_appointment.pk}/cancel/", 404, case="another patient's"),
    mine("POST", "/portal/appointments/{portal_appointment.pk}/move/", 302,
         data=lambda w: {"option": _option(w, 4, 14)}),
    mine("POST", "/portal/appointments/{portal_stranger_appointment.pk}/move/", 404,
         data=lambda w: {"option": _option(w, 4, 14)}, case="another patient's"),
    mine("GET", "/portal/messages/"),
    mine("POST", "/portal/messages/", 302, data=lambda w: {"topic": "billing", "body": "A question"}),
    # Intake before the visit (pending changes) and the kiosk.
    mine("GET", "/portal/intake/"),
    mine("POST", "/portal/intake/details/", 302, data=lambda w: {"city": "Matrixville"}),
    mine("POST", "/portal/intake/insurance/", 302,
         data=lambda w: {"payer_id": w.portal_payer.pk, "member_id": "MX123"}),
    mine("POST", "/portal/intake/history/", 302, data=lambda w: {"problems": "Asthma"}),
    mine("POST", "/portal/intake/forms/{portal_form.pk}/", 302,
         data=lambda w: {f"f{w.portal_form.pk}-typed_name": "Pia", f"f{w.portal_form.pk}-agree": "on"}),
    public("GET", "/portal/kiosk/{portal_location.pk}/", 403, case="a device not switched to kiosk mode"),
    public("POST", "/portal/kiosk/{portal_location.pk}/check-in/", 404, data=lambda w: {"token": "x"},
           case="a device not switched to kiosk mode"),
    public("POST", "/portal/kiosk/{portal_location.pk}/alive/", 404, data=lambda w: {"token": "x"},
           case="a device not switched to kiosk mode"),
    public("POST", "/portal/kiosk/{portal_location.pk}/language/", 302, data=lambda w: {"language": "es"}),
    page("POST", "/portal/kiosk/{portal_location.pk}/enable/", 302, DESK, anon=404, elsewhere=403),
    page("GET", "/portal/staff/intake/", 200, DESK, elsewhere=None),
    page("GET", "/portal/staff/intake/{portal_intake.pk}/", 200, DESK),
    page("POST", "/portal/staff/intake/{portal_intake.pk}/", 302, PATIENT_WRITERS,
         data=lambda w: {"decision": "reject"}),
    # Paying online (the provider's webhook is signed, not signed in) and the portal's JSON API.
    mine("GET", "/portal/pay/"),
    mine("POST", "/portal/pay/", 422, data=lambda w: {"choice": "nothing"}, case="nothing chosen"),
    mine("POST", "/portal/pay/plan/", 422, data=lambda w: {"instalments": "3"}, case="no balance to spread"),
    mine("GET", "/portal/pay/{portal_payment.reference}/"),
    mine("GET", "/portal/pay/{portal_stranger_payment.reference}/", 404, case="another patient's"),
    mine("GET", "/portal/pay/{portal_payment.reference}/receipt.pdf", 404, case="not paid yet"),
    mine("GET", "/portal/pay/{portal_stranger_payment.reference}/receipt.pdf", 404, case="another patient's"),
    public("POST", "/portal/pay/webhook/", 400, data=lambda w: {"id": "evt_forged"}, case="an unsigned webhook"),
    mine_api("GET", "/api/v1/portal/patients/{portal_patient.pk}"),
    mine_api("GET", "/api/v1/portal/patients/{portal_child.pk}", case="an authorized dependent"),
    mine_api("GET", "/api/v1/portal/patients/{portal_stranger.pk}", 404, case="another patient"),
    mine_api("GET", "/api/v1/portal/patients/{portal_patient.pk}/appointments"),
    mine_api("GET", "/api/v1/portal/patients/{portal_stranger.pk}/appointments", 404, case="another patient"),
    mine_api("POST", "/api/v1/portal/patients/{portal_patient.pk}/appointments", 201,
             body=lambda w: {"appointmentType": w.portal_type.pk, "option": _option(w, 3, 14)}),
    mine_api("POST", "/api/v1/portal/patients/{portal_stranger.pk}/appointments", 404,
             body=lambda w: {"appointmentType": w.portal_type.pk, "option": _option(w, 3, 14)},
             case="another patient"),
    mine_api("POST", "/api/v1/portal/patients/{portal_patient.pk}/appointments/{portal_appointment.pk}/cancel"),
    mine_api("POST", "/api/v1/portal/patients/{portal_patient.pk}/appointments/{portal_stranger_appointment.pk}"
                     "/cancel", 404, case="another patient's visit"),
    mine_api("GET", "/api/v1/portal/patients/{portal_patient.pk}/booking-options"),
    mine_api("GET", "/api/v1/portal/patients/{portal_stranger.pk}/booking-options", 404, case="another patient"),
    mine_api("GET", "/api/v1/portal/patients/{portal_patient.pk}/messages"),
    mine_api("GET", "/api/v1/portal/patients/{portal_stranger.pk}/messages", 404, case="another patient"),
    mine_api("POST", "/api/v1/portal/patients/{portal_child.pk}/messages", 201,
             body=lambda w: {"topic": "billing", "body": "A question"}, case="for a dependent"),
    mine_api("POST", "/api/v1/portal/patients/{portal_stranger.pk}/messages", 404,
             body=lambda w: {"topic": "billing", "body": "A question"}, case="another patient"),
    mine_api("GET", "/api/v1/portal/patients/{portal_patient.pk}/account"),
    mine_api("GET", "/api/v1/portal/patients/{portal_stranger.pk}/account", 404, case="another patient"),
    # The practice's side.
    page("GET", "/portal/staff/inbox/", 200, DESK, elsewhere=None),
    page("GET", "/portal/staff/inbox/{portal_message.pk}/", 200, DESK),
    page("POST", "/portal/staff/inbox/{portal_message.pk}/", 302, DESK, data=lambda w: {"body": "Answered."}),
    page("GET", "/portal/staff/booking-rules/", 200, PRACTICE_ADMINS, elsewhere=None),
    page("POST", "/portal/staff/booking-rules/{portal_type.pk}/", 302, PRACTICE_ADMINS, elsewhere=None, data=_rule),
    page("GET", "/portal/staff/proxies/", 200, PATIENT_READERS, elsewhere=None),
    page("POST", "/portal/staff/proxies/", 302, PATIENT_WRITERS, elsewhere=422,
         data=lambda w: {"proxy_mrn": w.portal_stranger.mrn, "dependent_mrn": w.portal_child.mrn,
                         "kind": "caregiver", "valid_from": "2026-11-01"},
         who={"patient_coordinator@uptown": 422}, why="another location's staff cannot find the charts by MRN"),
    page("POST", "/portal/staff/proxies/{portal_proxy.pk}/revoke/", 302, PATIENT_WRITERS),
]


def objects(world: Any) -> dict[str, Any]:
    """Pia (signed in to the portal), her son Kit (a recorded parent's authorization), Sam (another patient), a
    visit type patients may book online, a visit of Pia's and one of Sam's, and a message from Pia."""
    from clinicdesk.portal import services
    from clinicdesk.portal.models import PortalBookingRule
    from tests.factories import AppointmentFactory, AppointmentTypeFactory, PatientFactory
    from tests.portal.helpers import actor_for, portal_session_key

    home = world.home
    desk = world.users["front_desk"]
    pia = PatientFactory(home_location=home, family_name=SECRET, given_name="Pia", email="pia@example.org",
                         birth_date=dt.date(1984, 4, 4))
    kit = PatientFactory(home_location=home, family_name=SECRET, given_name="Kit", birth_date=dt.date(2017, 6, 1))
    sam = PatientFactory(home_location=home, family_name=SECRET, given_name="Sam", birth_date=dt.date(1970, 2, 2))
    proxy = services.proxy_authorize(actor=desk, proxy_id=pia.pk, dependent_id=kit.pk, kind="parent-of-minor",
                                     valid_from=dt.date(2026, 1, 1))
    kind = AppointmentTypeFactory(code="portal-visit", name="Portal visit", patient_facing_name="Check-up",
                                  duration_minutes=20)
    PortalBookingRule.objects.create(appointment_type=kind, bookable=True, max_days_ahead=30, min_notice_hours=24,
                                     max_open_bookings=3)
    day = TODAY + dt.timedelta(days=10)
    mine_ = AppointmentFactory(location=home, practitioner=world.doc, patient=pia, appointment_type=kind,
                               start=at(9, 0, day))
    theirs = AppointmentFactory(location=home, practitioner=world.doc, patient=sam, appointment_type=kind,
                                start=at(11, 0, day))
    message = services.portal_message_send(actor=actor_for(pia), topic="other", body="Matrix message")
    from clinicdesk.patients.models import FormTemplate, Payer
    from clinicdesk.portal.services import intake

    payer = Payer.objects.create(name="Portal Intake Health")
    form = FormTemplate.objects.create(code="matrix-consent", version=1, language="en", title="Consent",
                                       body="I agree.", required=True)
    pending = intake.intake_history_submit(actor=actor_for(pia), problems="Asthma", medications="", allergies="")
    from decimal import Decimal

    from clinicdesk.core import clock
    from clinicdesk.portal.models import OnlinePayment

    payment, stranger_payment = (OnlinePayment.objects.create(
        patient=who, paid_by=who, location=home, purpose="balance", amount=Decimal("10.00"), reference=f"CDMATRIX{n}",
        session_id=f"cs_matrix_{n}", created_at=clock.now()) for n, who in enumerate((pia, sam)))
    world.portal[PATIENT] = portal_session_key(pia)
    return {"portal_patient": pia, "portal_child": kit, "portal_stranger": sam, "portal_proxy": proxy,
            "portal_type": kind, "portal_appointment": mine_, "portal_stranger_appointment": theirs,
            "portal_message": message, "portal_payer": payer, "portal_form": form, "portal_intake": pending,
            "portal_location": home, "portal_payment": payment, "portal_stranger_payment": stranger_payment}
