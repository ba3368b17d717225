"""Sign-in without a password: a link by e-mail or a code by SMS, then the date of birth (issue #23, item 1)."""

from __future__ import annotations

import datetime as dt

import pytest

from clinicdesk.audit.models import AuditEntry
from clinicdesk.comms.models import Message
from clinicdesk.core.exceptions import ValidationFailed
from clinicdesk.portal import services
from clinicdesk.portal.actor import COOKIE_NAME
from clinicdesk.portal.models import PortalSession, SignInChallenge
from tests.factories import PatientFactory

from .helpers import portal_client, sent_code, sent_link

BIRTH = dt.date(1980, 5, 17)


def test_sign_in_request_sends_a_link_to_the_matching_email(clock, ana):
    assert services.portal_sign_in_request(contact=" ANA@example.org ", ip="10.0.0.1") == "email"
    message = Message.objects.get(patient=ana, kind="portal-sign-in")
    assert message.to_address == "ana@example.org"
    assert "/portal/sign-in/link/" in message.body
    challenge = SignInChallenge.objects.get()
    assert challenge.token_hash and sent_link(ana) not in challenge.token_hash  # stored hashed only


def test_sign_in_request_answers_the_same_for_an_unknown_contact(clock, ana):
    assert services.portal_sign_in_request(contact="nobody@example.org", ip="10.0.0.1") == "email"
    assert not Message.objects.exists()
    assert SignInChallenge.objects.get().patient is None


def test_sign_in_request_sends_nothing_when_two_patients_share_the_contact(clock, ana, location):
    PatientFactory(home_location=location, email="ana@example.org")
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    assert not Message.objects.exists()


def test_sign_in_request_ignores_reminder_opt_outs_but_not_inactive_charts(clock, ana):
    ana.email_opt_in = False
    ana.save()
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    assert Message.objects.filter(kind="portal-sign-in").count() == 1


def test_sign_in_request_refuses_what_is_neither_email_nor_phone(clock, db):
    with pytest.raises(ValidationFailed):
        services.portal_sign_in_request(contact="hello", ip="10.0.0.1")


def test_link_and_birth_date_open_a_portal_session(clock, ana):
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    signed = services.portal_sign_in_confirm(token=sent_link(ana), birth_date=BIRTH)
    assert signed.session.patient == ana
    entry = AuditEntry.objects.filter(action="portal.sign_in").latest("pk")
    assert entry.actor_username == f"patient:{ana.pk}" and entry.actor_role == "patient"
    assert entry.patient_id == ana.pk


def test_a_reused_link_is_refused(clock, ana):
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    token = sent_link(ana)
    services.portal_sign_in_confirm(token=token, birth_date=BIRTH)
    with pytest.raises(ValidationFailed) as refused:
        services.portal_sign_in_confirm(token=token, birth_date=BIRTH)
    assert refused.value.code == "link-used"
    assert PortalSession.objects.count() == 1


def test_an_expired_link_is_refused(clock, ana):
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    clock.advance(dt.timedelta(minutes=16))
    with pytest.raises(ValidationFailed) as refused:
        services.portal_sign_in_confirm(token=sent_link(ana), birth_date=BIRTH)
    assert refused.value.code == "link-expired"
    assert not PortalSession.objects.exists()


def test_a_wrong_link_is_refused_and_audited(clock, ana):
    with pytest.raises(ValidationFailed) as refused:
        services.portal_sign_in_confirm(token="made-up", birth_date=BIRTH)
    assert refused.value.code == "link-invalid"
    assert AuditEntry.objects.filter(action="portal.sign_in", outcome="denied").exists()


def test_a_wrong_birth_date_is_refused_and_counted(clock, ana):
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    token = sent_link(ana)
    for _attempt in range(services.MAX_FAILURES):
        with pytest.raises(ValidationFailed) as refused:
            services.portal_sign_in_confirm(token=token, birth_date=dt.date(1990, 1, 1))
        assert refused.value.code == "birth-date"
    with pytest.raises(ValidationFailed) as refused:  # dead now, even with the right date
        services.portal_sign_in_confirm(token=token, birth_date=BIRTH)
    assert refused.value.code == "link-expired"
    assert not PortalSession.objects.exists()


def test_an_sms_code_and_birth_date_open_a_session(clock, ana):
    assert services.portal_sign_in_request(contact="413-555-0100", ip="10.0.0.1") == "sms"
    code = sent_code(ana)
    assert len(code) == 6
    signed = services.portal_sign_in_confirm(contact="(413) 555 0100", code=code, birth_date=BIRTH)
    assert signed.session.patient == ana and signed.session.method == "sms"


def test_a_wrong_code_is_refused_and_five_wrong_codes_kill_it(clock, ana):
    services.portal_sign_in_request(contact="4135550100", ip="10.0.0.1")
    code = sent_code(ana)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _attempt in range(services.MAX_FAILURES):
        with pytest.raises(ValidationFailed):
            services.portal_sign_in_confirm(contact="4135550100", code=wrong, birth_date=BIRTH)
    with pytest.raises(ValidationFailed) as refused:
        services.portal_sign_in_confirm(contact="4135550100", code=code, birth_date=BIRTH)
    assert refused.value.code == "link-expired"


def test_a_code_is_single_use(clock, ana):
    services.portal_sign_in_request(contact="4135550100", ip="10.0.0.1")
    code = sent_code(ana)
    services.portal_sign_in_confirm(contact="4135550100", code=code, birth_date=BIRTH)
    with pytest.raises(ValidationFailed) as refused:
        services.portal_sign_in_confirm(contact="4135550100", code=code, birth_date=BIRTH)
    assert refused.value.code == "link-used"


def test_requests_are_limited_per_contact_without_telling(clock, ana):
    for _attempt in range(services.PER_CONTACT + 2):
        assert services.portal_sign_in_request(contact="ana@example.org", ip=None) == "email"
    assert Message.objects.filter(kind="portal-sign-in").count() == services.PER_CONTACT
    assert AuditEntry.objects.filter(action="portal.sign_in_throttled").count() == 2
    clock.advance(dt.timedelta(minutes=16))
    services.portal_sign_in_request(contact="ana@example.org", ip=None)
    assert Message.objects.filter(kind="portal-sign-in").count() == services.PER_CONTACT + 1


def test_requests_are_limited_per_network_address(clock, db):
    for n in range(services.PER_IP):
        services.portal_sign_in_request(contact=f"someone{n}@example.org", ip="10.0.0.9")
    with pytest.raises(services.TooManyRequests):
        services.portal_sign_in_request(contact="another@example.org", ip="10.0.0.9")
    services.portal_sign_in_request(contact="another@example.org", ip="10.0.0.10")


def test_the_pages_sign_in_by_link_and_set_the_portal_cookie_only(client, clock, ana):
    response = client.post("/portal/", {"contact": "ana@example.org"})
    assert response.status_code == 200 and b"sent-notice" in response.content
    page = client.get(f"/portal/sign-in/link/{sent_link(ana)}/")
    assert page.status_code == 200
    response = client.post(f"/portal/sign-in/link/{sent_link(ana)}/", {"birth_date": "1980-05-17"})
    assert response.status_code == 302 and response["Location"] == "/portal/home/"
    assert COOKIE_NAME in response.cookies and "sessionid" not in response.cookies
    assert client.get("/portal/home/").status_code == 200
    assert client.get("/patients/").status_code == 302  # a portal session opens no staff page


def test_opening_the_link_does_not_use_it_up(client, clock, ana):
    services.portal_sign_in_request(contact="ana@example.org", ip="10.0.0.1")
    token = sent_link(ana)
    client.get(f"/portal/sign-in/link/{token}/")
    client.get(f"/portal/sign-in/link/{token}/")
    assert services.portal_sign_in_confirm(token=token, birth_date=BIRTH)


def test_a_bad_link_page_says_so_plainly(client, clock, clerk):
    response = client.get("/portal/sign-in/link/nonsense/")
    assert response.status_code == 404 and b"Ask for a new link" in response.content


def test_the_portal_session_ends_after_15_idle_minutes(client, clock, ana):
    portal_client(client, ana)
    assert client.get("/portal/home/").status_code == 200
    clock.advance(dt.timedelta(minutes=14))
    assert client.get("/portal/home/").status_code == 200
    clock.advance(dt.timedelta(minutes=16))
    response = client.get("/portal/home/")
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert PortalSession.objects.get().ended_at is not None


def test_a_portal_page_records_the_patients_activity_at_most_once_a_minute(client, clock, ana):
    portal_client(client, ana)
    signed_in_at = PortalSession.objects.get().last_seen_at
    clock.advance(dt.timedelta(seconds=30))
    assert client.get("/portal/home/").status_code == 200
    assert PortalSession.objects.get().last_seen_at == signed_in_at  # no UPDATE for a request of the same minute
    clock.advance(dt.timedelta(seconds=31))
    assert client.get("/portal/home/").status_code == 200
    assert PortalSession.objects.get().last_seen_at == clock.now()


def test_the_idle_time_out_counts_from_the_last_recorded_request_never_later(client, clock, ana):
    portal_client(client, ana)
    clock.advance(dt.timedelta(seconds=59))
    assert client.get("/portal/home/").status_code == 200  # not recorded: within the minute
    clock.advance(dt.timedelta(minutes=15, seconds=2))  # 15 minutes after this request, 15:01 after the recorded one
    assert client.get("/portal/home/").status_code == 302


def test_a_staff_session_gets_no_portal_page(clock, signed_in, ana):
    staff = signed_in()
    response = staff.get("/portal/home/")
    assert response.status_code == 302 and response["Location"] == "/portal/"


def test_sign_out_ends_the_session(client, clock, ana):
    portal_client(client, ana)
    client.post("/portal/sign-out/")
    assert client.get("/portal/home/").status_code == 302
    assert AuditEntry.objects.filter(action="portal.sign_out", actor_username=f"patient:{ana.pk}").exists()


def test_the_patient_chooses_spanish(client, clock, ana):
    portal_client(client, ana)
    client.post("/portal/language/", {"language": "es"})
    response = client.get("/portal/home/")
    assert response["Content-Language"] == "es"
    assert b"Mis citas" in response.content or b"lang=\"es\"" in response.content
