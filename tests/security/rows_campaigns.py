"""Access-matrix rows for outreach campaigns (#24 item 4). See matrix.py for what a row means.

Who: outreach.admin (the practice coordinator) creates, reviews, approves and sends campaigns, sees their members
and exports them; outreach.use (the front desk, patient and practice coordinators) sees the campaigns and reports of
their own locations and marks that a contacted patient declined. A campaign is hidden (404) from anyone who may not
use outreach at its location; someone who may use outreach but not manage it gets 403 on the edit form and the
live count, and 404 where the service hides the campaign's members."""

from __future__ import annotations

from typing import Any

from .matrix import FD, PC, PRC, Row, api, page

USERS = frozenset({FD, PC, PRC})
ADMINS = frozenset({PRC})
OUT = "/outreach/campaigns"
AT = "?location={home.pk}"
HIDDEN = {"denied": 404}
DESK_FORBIDDEN = {"denied": 404, "who": {FD: 403, PC: 403}}
WORDING = {"email_subject_en": "Screening", "email_body_en": "Dear {{ patient.first_name }}, call us.",
           "email_subject_es": "Chequeo", "email_body_es": "Estimado/a {{ patient.first_name }}, llámenos."}


def _form(w: Any, **changes: Any) -> dict[str, Any]:
    return {"location": str(w.home.pk), "name": "Matrix campaign", "age_min": "50", "age_max": "75",
            "cost_email": "0.01", "cost_sms": "0.05", "window_days": "60", **WORDING, **changes}


ROWS: list[Row] = [
    page("GET", f"{OUT}/{AT}", 200, USERS, outsider=404),
    page("GET", f"{OUT}/new/{AT}", 200, ADMINS, outsider=404),
    page("POST", f"{OUT}/new/", 302, ADMINS, outsider=404, data=_form),
    page("POST", f"{OUT}/count/{AT}", 200, ADMINS, outsider=404, data=lambda w: {"age_min": "50"}),
    page("GET", f"{OUT}/{{campaign_draft.pk}}/", 200, USERS, **HIDDEN),
    page("GET", f"{OUT}/{{campaign_draft.pk}}/edit/", 200, ADMINS, **DESK_FORBIDDEN),
    page("POST", f"{OUT}/{{campaign_draft.pk}}/edit/", 302, ADMINS, **DESK_FORBIDDEN, data=_form),
    page("POST", f"{OUT}/{{campaign_draft.pk}}/step/", 302, ADMINS, **HIDDEN, data=lambda w: {"step": "freeze"}),
    page("POST", f"{OUT}/{{campaign_running.pk}}/wave/", 302, ADMINS, **HIDDEN, data=lambda w: {"size": "1"}),
    page("GET", f"{OUT}/{{campaign_running.pk}}/report/", 200, USERS, **HIDDEN),
    page("GET", f"{OUT}/{{campaign_running.pk}}/report.csv", 200, ADMINS, **HIDDEN),
    page("POST", "/outreach/campaign-members/{campaign_member.pk}/", 302, ADMINS, **HIDDEN, case="leave out",
         data=lambda w: {"do": "exclude"}),
    page("POST", "/outreach/campaign-members/{campaign_contacted.pk}/", 302, USERS, **HIDDEN, case="declined",
         data=lambda w: {"do": "decline"}),
    api("GET", "/api/v1/outreach-campaigns", 200, USERS, elsewhere=None),
    api("GET", "/api/v1/outreach-campaigns/{campaign_running.pk}", 200, USERS, **HIDDEN),
    api("POST", "/api/v1/outreach-campaigns/{campaign_running.pk}/waves", 201, ADMINS, **HIDDEN,
        body=lambda w: {"size": 1}),
]


def objects(world: Any) -> dict[str, Any]:
    """At Downtown: a draft campaign with its cohort chosen, and a running one with one member contacted."""
    from clinicdesk.core import clock
    from clinicdesk.outreach.campaign_services import campaign_approve, campaign_create, cohort_freeze
    from clinicdesk.outreach.models import CampaignMember, CampaignStatus, MemberState

    coordinator = world.users[PRC]
    made = {}
    for name in ("campaign_draft", "campaign_running"):
        campaign = campaign_create(actor=coordinator, location_id=world.home.pk, name=name, **WORDING)
        cohort_freeze(actor=coordinator, campaign_id=campaign.pk)
        made[name] = campaign
    running = campaign_approve(actor=coordinator, campaign_id=made["campaign_running"].pk)
    running.status = CampaignStatus.RUNNING
    running.save(update_fields=["status"])
    contacted = CampaignMember.objects.filter(campaign=running).order_by("pk").first()
    CampaignMember.objects.filter(pk=contacted.pk).update(state=MemberState.CONTACTED, wave=1, channel="email",
                                                          contacted_at=clock.now())
    return made | {"campaign_member": CampaignMember.objects.filter(campaign=made["campaign_draft"])
                   .order_by("pk").first(), "campaign_contacted": contacted}
