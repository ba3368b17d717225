"""The CLIA screens: at a location, the certificate, the waived tests with today's QC state per kit lot (ready,
needs QC, locked out), QC runs and their corrective actions, recording a patient test, and the test log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.core.permissions import Perm, has_perm, require

from .. import selectors_clia, services
from ..forms_clia import CertificateForm, CorrectionForm, LogFilterForm, PatientTestForm, QcRunForm, WaivedTestForm
from ..models_clia import WaivedTest
from ._common import _actor, _key, _locations, _page, add_page, at, post_back

LOG_DAYS = 7  # the log shows the last week unless asked otherwise


@login_required
@require_GET
def clia(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    actor = _actor(request)
    board = selectors_clia.clia_overview(actor=actor, location_id=location.pk)
    tests = [(row.test.pk, row.name) for row in board.tests]
    asked = any(request.GET.get(name) for name in ("day_from", "day_to", "test"))
    filters = LogFilterForm(request.GET if asked else None, tests=tests)
    day_from, day_to, test_id = board.today - dt.timedelta(days=LOG_DAYS - 1), board.today, None
    if filters.is_bound and filters.is_valid():
        day_from = filters.cleaned_data["day_from"] or day_from
        day_to = filters.cleaned_data["day_to"] or day_to
        test_id = filters.cleaned_data["test"]
    elif not filters.is_bound:
        filters = LogFilterForm(initial={"day_from": day_from, "day_to": day_to}, tests=tests)
    log = selectors_clia.patient_test_log(actor=actor, location_id=location.pk, day_from=day_from, day_to=day_to,
                                          test_id=test_id)
    return _page(request, "compliance/clia.html", {
        "location": location, "board": board, "log": log, "filters": filters,
        "may_test": selectors_clia.may_test(actor, location.pk),
        "may_admin": has_perm(actor, Perm.COMPLIANCE_ADMIN, location=location.pk),
        "correction_form": CorrectionForm(), "at": f"?location={location.pk}"}, "clia")


@login_required
@require_http_methods(["GET", "POST"])
def clia_certificate(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="cliacertificate")
    current = selectors_clia.clia_overview(actor=_actor(request), location_id=location.pk).certificate
    initial = ({"kind": current.kind, "number": current.number, "effective_on": current.effective_on,
                "expires_on": current.expires_on} if current else {})
    return add_page(request, CertificateForm(request.POST or None, initial=initial),
                    lambda d: services.clia_certificate_set(actor=_actor(request), location_id=location.pk, **d),
                    done=_("CLIA certificate recorded."), then=lambda made: at("compliance:clia", location),
                    title=_("The CLIA certificate at %(location)s") % {"location": location.name},
                    intro=_("The certificate the location tests patients under. Once it expires, patient testing "
                            "stops there until the renewal is recorded."),
                    submit=_("Save certificate"), cancel=at("compliance:clia", location))


@login_required
@require_http_methods(["GET", "POST"])
def clia_test_new(request: HttpRequest) -> HttpResponse:
    location, _all = _locations(request)
    require(_actor(request), Perm.COMPLIANCE_ADMIN, location=location.pk, resource_type="waivedtest")
    items = selectors_clia.kit_item_choices()
    return add_page(request, WaivedTestForm(request.POST or None, items=items),
                    lambda d: services.waived_test_add(actor=_actor(request), location_id=location.pk, **d),
                    done=_("Waived test added."), then=lambda made: at("compliance:clia", location),
                    title=_("Add a waived test at %(location)s") % {"location": location.name},
                    intro=_("A test the location performs under its certificate, the kit it uses from the "
                            "inventory, and the quality-control ranges of its controls."),
                    submit=_("Add test"), cancel=at("compliance:clia", location))


def _test_at(request: HttpRequest, test_id: int) -> tuple[Any, WaivedTest]:
    location, _all = _locations(request)
    test = next((t for t in selectors_clia.tests_at(location.pk) if t.pk == test_id), None)
    if test is None:
        raise NotFound()
    require(_actor(request), Perm.LAB_TESTING, location=location.pk, resource_type="waivedtest",
            resource_id=test_id, hide=True)
    return location, test


def _lot_asked(request: HttpRequest, lots: list[tuple[str, str]]) -> str:
    """The lot the CLIA page linked to, or the only one in stock."""
    return request.GET.get("lot", "") or (lots[0][0] if len(lots) == 1 else "")


@login_required
@require_http_methods(["GET", "POST"])
def clia_qc_new(request: HttpRequest, test_id: int) -> HttpResponse:
    location, test = _test_at(request, test_id)
    lots = selectors_clia.lots_for_choice(test, clock.today_in(location.tz))
    form = QcRunForm(request.POST or None, test=test, lots=lots, initial={"lot": _lot_asked(request, lots)})
    name = selectors_clia.test_name(test)
    return add_page(request, form, lambda d: services.qc_run_record(actor=_actor(request), test_id=test_id,
                                                                    **form.service_args()),
                    done=_("QC run recorded."), then=lambda made: at("compliance:clia", location),
                    title=_("Record a QC run: %(test)s") % {"test": name},
                    intro=_("Run every control on the kit lot and enter what it read. Any control out of range "
                            "locks the lot out of patient testing until a corrective action is recorded and a "
                            "new run is in range."),
                    submit=_("Record QC run"), cancel=at("compliance:clia", location))


@login_required
@require_POST
def clia_qc_correct(request: HttpRequest, run_id: int) -> HttpResponse:
    location, _all = _locations(request)
    selectors_clia.qc_run_detail(actor=_actor(request), run_id=run_id)
    return post_back(request, at("compliance:clia", location),
                     lambda d: services.qc_correction_record(actor=_actor(request), run_id=run_id, **d),
                     _("Corrective action recorded. Run QC again before testing patients."),
                     form=CorrectionForm(request.POST))


@login_required
@require_http_methods(["GET", "POST"])
def clia_patient_test_new(request: HttpRequest, test_id: int) -> HttpResponse:
    location, test = _test_at(request, test_id)
    lots = selectors_clia.lots_for_choice(test, clock.today_in(location.tz))
    form = PatientTestForm(request.POST or None, test=test, lots=lots,
                           initial={"lot": _lot_asked(request, lots), "idempotency_key": _key()})
    name = selectors_clia.test_name(test)
    return add_page(request, form, lambda d: services.patient_test_record(actor=_actor(request), test_id=test_id,
                                                                          **d),
                    done=_("Test recorded in the log; one kit was used from the inventory."),
                    then=lambda made: at("compliance:clia", location),
                    title=_("Test a patient: %(test)s") % {"test": name},
                    intro=_("Performed now by you. The certificate must be current, the kit lot in date, your "
                            "CLIA competency current and today's QC of the lot in range."),
                    submit=_("Record test"), cancel=at("compliance:clia", location))


