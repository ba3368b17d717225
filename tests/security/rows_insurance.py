"""Access-matrix rows for the insurance app (#18: electronic eligibility). See matrix.py for what a row means.

Coverage checks are read by the desk, billing and clinicians (insurance.read) and sent by the desk and billing
(insurance.write). The matrix world has no real-time clearinghouse: checks go to the local drop folder (batch
channel) and stay pending."""

from __future__ import annotations

from typing import Any

from .matrix import BILL, FD, NURSE, PC, PRC, PROV, Row, api, page

INS_READERS = frozenset({FD, PC, PRC, BILL, PROV, NURSE})
INS_WRITERS = frozenset({FD, PC, PRC, BILL})

ROWS: list[Row] = [
    page("GET", "/insurance/", 200, INS_READERS, elsewhere=None,
         why="each user's own locations' day; an Uptown user sees no Downtown patient"),
    page("POST", "/insurance/verify/{tomorrow.pk}", 302, INS_WRITERS),
    page("POST", "/insurance/batch", 302, INS_WRITERS, elsewhere=None, why="each user's own locations' day"),
    page("GET", "/insurance/results/{eligibility.pk}", 200, INS_READERS),
    api("POST", "/api/v1/eligibility/verify", 201, INS_WRITERS, body=lambda w: {"coverage": w.coverage.pk}),
    api("GET", "/api/v1/eligibility/results/{eligibility.pk}", 200, INS_READERS),
    api("GET", "/api/v1/eligibility/coverages/{coverage.pk}/latest", 200, INS_READERS),
]


def objects(world: Any) -> dict[str, Any]:
    """An active eligibility answer for Ana's coverage."""
    import datetime as dt
    import tempfile

    from django.conf import settings

    from clinicdesk.insurance.models import EligibilityResult
    from clinicdesk.practice.models import Organization

    from .world import MOMENT, TOMORROW

    coverage = world.coverage
    # The practice's group NPI (the 270 names it), and drop folders of the matrix's own (the batch channel).
    Organization.objects.filter(pk=world.home.organization_id).update(npi="1234567893")
    settings.CLEARINGHOUSE_FOLDER_OUTBOUND = tempfile.mkdtemp(prefix="matrix-x12-out-")
    settings.CLEARINGHOUSE_FOLDER_INBOUND = tempfile.mkdtemp(prefix="matrix-x12-in-")
    result = EligibilityResult.objects.create(
        coverage=coverage, payer_name=coverage.payer.name, member_id=coverage.member_id, patient=coverage.patient,
        status="active", channel="realtime", trace_number="CDMATRIX0001", service_date=TOMORROW,
        coverage_fingerprint="matrix", plan="GOLD PPO", request_x12="ISA", requested_at=MOMENT,
        answered_at=MOMENT + dt.timedelta(seconds=2))
    return {"eligibility": result}
