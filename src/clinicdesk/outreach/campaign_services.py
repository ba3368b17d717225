"""Outreach campaigns (#24 item 4): every write, its permission check (Perm.OUTREACH_ADMIN to create, review and
send; Perm.OUTREACH_USE to mark a member's answer), its state-machine check and its audit entry.

Wordings use the comms merge fields (`{{ patient.first_name }}`; `comms.compose.merge_check`): an unknown field, a
template tag, a clinical field in a text message, or a field that needs one appointment (not a campaign's) is refused
when the campaign is saved, naming the field.

A wave takes the next members still waiting and, for each, the first channel `comms.consent.contact_refusal` allows
for the purpose "outreach" (e-mail, then text message, among the channels the campaign has a wording for). A member
no channel allows is recorded "not contactable" with the reason, and nothing is sent. The others get one outbox
message each (bulk insert, one dedupe key per member: a repeated wave never sends twice); the usual outbox sender
sends them, holding them through quiet hours and at each channel's rate limit."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from clinicdesk.audit.services import atomic_service, record
from clinicdesk.comms import services as comms
from clinicdesk.comms.compose import FIELDS, SMS_LIMIT, fields_used, merge_check, merge_compiled
from clinicdesk.comms.models import Kind, Message
from clinicdesk.comms.models import Status as MessageStatus
from clinicdesk.comms.services import consent_prefetch, contact_refusal, refusal_words
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, InvalidTransition, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, require, staff_user
from clinicdesk.practice.models import Location
from clinicdesk.practice.selectors import practice_settings

from .campaign_selectors import cohort_queryset, filters_clean
from .models import CAMPAIGN_TRANSITIONS, Campaign, CampaignMember, CampaignStatus, MemberState

PURPOSE = "outreach"
CHANNELS = ("email", "sms")  # the order a patient is tried in
# The merge fields a campaign message may carry: about the patient and the practice (no appointment, no balance).
CAMPAIGN_FIELDS = ("patient.first_name", "patient.last_name", "patient.full_name", "provider.name",
                   "practice.name", "practice.phone")
WORDINGS = ("email_subject_en", "email_body_en", "email_subject_es", "email_body_es", "sms_body_en", "sms_body_es")
EDITABLE = ("name", "purpose", "filters", "cost_email", "cost_sms", "window_days", *WORDINGS)
MAX_WAVE = 50_000
MAX_COST = Decimal("100")
CHUNK = 5_000


def _move(campaign: Campaign, to: str) -> None:
    if to not in CAMPAIGN_TRANSITIONS[campaign.status]:
        raise InvalidTransition("campaign-state", _("This is not possible while the campaign is “%(status)s”.")
                                % {"status": campaign.get_status_display()})
    campaign.status = to


def _for_update(actor: Actor, campaign_id: int, perm: Perm = Perm.OUTREACH_ADMIN) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("location").filter(pk=campaign_id).first()
    if campaign is None:
        raise NotFound()
    require(actor, perm, location=campaign.location_id, hide=True, resource_type="campaign", resource_id=campaign.pk)
    return campaign


def wording_check(values: dict[str, str]) -> None:
    """Refuse an unknown merge field (or one a campaign cannot fill), a template tag, a clinical field in a text
    message, a wording in one language only, or no wording at all, naming the field."""
    problems: dict[str, list[str]] = {}
    for name in WORDINGS:
        text = values.get(name, "") or ""
        channel = "sms" if name.startswith("sms") else "email"
        try:
            merge_check([text], channel)
        except ValidationFailed as refusal:
            problems[name] = [str(refusal.detail)]
            continue
        for field in fields_used(text):
            if field not in CAMPAIGN_FIELDS:
                problems[name] = [_("“%(field)s” cannot be used in a campaign: it belongs to one appointment or "
                                    "account.") % {"field": field}]
        if channel == "sms" and len(text) > SMS_LIMIT - 80:
            problems[name] = [_("A text message of at most %(max)s characters.") % {"max": SMS_LIMIT - 80}]
    for body_en, body_es in (("email_body_en", "email_body_es"), ("sms_body_en", "sms_body_es")):
        if bool((values.get(body_en) or "").strip()) != bool((values.get(body_es) or "").strip()):
            missing = body_es if (values.get(body_en) or "").strip() else body_en
            problems.setdefault(missing, [_("Write this message in English and in Spanish.")])
    for subject, body in (("email_subject_en", "email_body_en"), ("email_subject_es", "email_body_es")):
        if (values.get(body) or "").strip() and not (values.get(subject) or "").strip():
            problems.setdefault(subject, [_("An e-mail needs a subject.")])
    if not any((values.get(name) or "").strip() for name in ("email_body_en", "sms_body_en", "email_body_es",
                                                               "sms_body_es")):
        problems["email_body_en"] = [_("Write the e-mail, the text message, or both.")]
    if problems:
        first = next(iter(problems.values()))[0]
        raise ValidationFailed("invalid-wording", first, fields=problems)


def _money(value: Any, name: str, problems: dict[str, list[str]]) -> Decimal:
    try:
        amount = Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        amount = Decimal("-1")
    if not Decimal("0") <= amount <= MAX_COST:
        problems[name] = [_("An amount from 0 to %(max)s.") % {"max": MAX_COST}]
    return amount.quantize(Decimal("0.0001")) if problems.get(name) is None else Decimal("0")


def _checked(values: dict[str, Any], location_id: int, actor: Actor) -> dict[str, Any]:
    problems: dict[str, list[str]] = {}
    if "name" in values:
        values["name"] = (values["name"] or "").strip()[:120]
        if not values["name"]:
            problems["name"] = [_("Give the campaign a name.")]
    if "purpose" in values:
        values["purpose"] = (values["purpose"] or "").strip()[:2000]
    for name in ("cost_email", "cost_sms"):
        if name in values:
            values[name] = _money(values[name], name, problems)
    if "window_days" in values:
        try:
            values["window_days"] = int(values["window_days"])
        except (TypeError, ValueError):
            values["window_days"] = 0
        if not 1 <= values["window_days"] <= 365:
            problems["window_days"] = [_("From 1 to 365 days.")]
    for name in WORDINGS:
        if name in values:
            values[name] = (values[name] or "").strip()
    if problems:
        raise ValidationFailed("invalid-campaign", _("Check the highlighted fields."), fields=problems)
    if "filters" in values:
        values["filters"] = filters_clean(values["filters"] or {}, default_location=location_id)
        for pk in values["filters"]["locations"]:
            require(actor, Perm.OUTREACH_ADMIN, location=pk)
    return values


@atomic_service
def campaign_create(*, actor: Actor, location_id: int, name: str, purpose: str = "",
                    filters: dict[str, Any] | None = None, cost_email: Any = "0", cost_sms: Any = "0",
                    window_days: int = 90, **wordings: str) -> Campaign:
    location = Location.objects.filter(pk=location_id).first()
    if location is None:
        raise NotFound()
    require(actor, Perm.OUTREACH_ADMIN, location=location.pk)
    unknown = set(wordings) - set(WORDINGS)
    if unknown:
        raise ValidationFailed("unknown-field", _("These cannot be set: %(names)s") % {"names": ", ".join(
            sorted(unknown))})
    values = _checked({"name": name, "purpose": purpose, "filters": filters or {}, "cost_email": cost_email,
                       "cost_sms": cost_sms, "window_days": window_days,
                       **{k: wordings.get(k, "") for k in WORDINGS}}, location.pk, actor)
    wording_check(values)
    campaign = Campaign.objects.create(location=location, created_by=staff_user(actor), created_at=clock.now(),
                                       **values)
    record(actor, "campaign.create", campaign, detail={"filters": values["filters"]})
    return campaign


@atomic_service
def campaign_update(*, actor: Actor, campaign_id: int, **changes: Any) -> Campaign:
    """Change a draft. New filters drop a frozen cohort (freeze it again to review the new one)."""
    campaign = _for_update(actor, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise InvalidTransition("campaign-not-draft", _("Only a draft campaign can be changed."))
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationFailed("unknown-field", _("These cannot be changed: %(names)s") % {"names": ", ".join(
            sorted(unknown))})
    values = _checked(dict(changes), campaign.location_id, actor)
    wording_check({name: values.get(name, getattr(campaign, name)) for name in WORDINGS})
    if "filters" in values and values["filters"] != campaign.filters and campaign.frozen_at:
        CampaignMember.objects.filter(campaign=campaign).delete()
        campaign.frozen_at = None
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.save()
    record(actor, "campaign.update", campaign, detail={"changed": sorted(values)})
    return campaign


@atomic_service
def cohort_freeze(*, actor: Actor, campaign_id: int) -> int:
    """Write the patients the filters select today as the campaign's members (set-based: one INSERT ... SELECT);
    a draft's earlier members (and their exclusions) are replaced. Returns the cohort size."""
    campaign = _for_update(actor, campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise InvalidTransition("campaign-not-draft", _("Only a draft campaign's cohort can be chosen again."))
    for pk in campaign.filters.get("locations") or []:
        require(actor, Perm.OUTREACH_ADMIN, location=pk)
    CampaignMember.objects.filter(campaign=campaign).delete()
    select_sql, params = cohort_queryset(campaign.filters).order_by().values(cohort_pid=F("pk")).query.sql_with_params()
    table = CampaignMember._meta.db_table
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (campaign_id, patient_id, excluded, state, channel, refusal) "  # noqa: S608
                       f"SELECT %s, cohort.cohort_pid, %s, %s, '', '' FROM ({select_sql}) AS cohort",
                       [campaign.pk, False, MemberState.WAITING, *params])
        size = cursor.rowcount
    campaign.frozen_at = clock.now()
    campaign.save(update_fields=["frozen_at"])
    record(actor, "campaign.cohort_freeze", campaign, detail={"members": size})
    return size


@atomic_service
def member_exclude(*, actor: Actor, member_id: int, excluded: bool = True) -> CampaignMember:
    """Leave one patient out of (or back into) a draft campaign before it is approved."""
    member = CampaignMember.objects.select_related("campaign").filter(pk=member_id).first()
    if member is None:
        raise NotFound()
    campaign = _for_update(actor, member.campaign_id)
    if campaign.status != CampaignStatus.DRAFT:
        raise InvalidTransition("campaign-not-draft", _("Members can be left out only before the review."))
    member.excluded = excluded
    member.save(update_fields=["excluded"])
    if excluded:
        record(actor, "campaign.member_exclude", member, patient=member.patient_id, detail={"campaign": campaign.pk})
    else:
        record(actor, "campaign.member_include", member, patient=member.patient_id, detail={"campaign": campaign.pk})
    return member


@atomic_service
def campaign_approve(*, actor: Actor, campaign_id: int) -> Campaign:
    """The coordinator's review: the frozen cohort (less the members left out) will be contacted."""
    campaign = _for_update(actor, campaign_id)
    _move(campaign, CampaignStatus.REVIEWED)
    if not campaign.frozen_at or not CampaignMember.objects.filter(campaign=campaign, excluded=False).exists():
        raise Conflict("cohort-empty", _("Choose the cohort first: there is nobody to contact."))
    wording_check({name: getattr(campaign, name) for name in WORDINGS})
    campaign.reviewed_by, campaign.reviewed_at = staff_user(actor), clock.now()
    campaign.save(update_fields=["status", "reviewed_by", "reviewed_at"])
    record(actor, "campaign.approve", campaign)
    return campaign


@atomic_service
def campaign_reopen(*, actor: Actor, campaign_id: int) -> Campaign:
    """Back to a draft (before any wave), to change the wording or the cohort."""
    campaign = _for_update(actor, campaign_id)
    _move(campaign, CampaignStatus.DRAFT)
    campaign.save(update_fields=["status"])
    record(actor, "campaign.reopen", campaign)
    return campaign


@atomic_service
def campaign_finish(*, actor: Actor, campaign_id: int) -> Campaign:
    """No more waves; members still waiting are not contacted. Responses keep being counted for the window."""
    campaign = _for_update(actor, campaign_id)
    _move(campaign, CampaignStatus.FINISHED)
    campaign.finished_at = clock.now()
    campaign.save(update_fields=["status", "finished_at"])
    record(actor, "campaign.finish", campaign)
    return campaign


def channel_for(campaign: Campaign, patient: Any) -> tuple[str | None, str]:
    """(channel, '') for the first channel the patient may be reached by for outreach and the campaign has a
    wording for; (None, reason) when none: the first channel's refusal."""
    reasons = []
    for channel in CHANNELS:
        if not campaign.wording(channel, "en")[1]:
            continue
        reason = contact_refusal(patient, channel, purpose=PURPOSE)
        if not reason:
            return channel, ""
        reasons.append(reason)
    return None, reasons[0] if reasons else "no-wording"


class _Wordings:
    """A campaign's wordings, each split into text and merge fields once per (channel, language) for a whole wave:
    only the merge fields differ from one message to the next."""

    def __init__(self, campaign: Campaign) -> None:
        self.campaign = campaign
        self.compiled: dict[tuple[str, str], tuple[str, Any, Any]] = {}

    def get(self, channel: str, language: str) -> tuple[str, Any, Any]:
        """(the language used, subject filler, body filler): the patient's language, English when the campaign
        has no wording in it."""
        key = (channel, language)
        if key not in self.compiled:
            subject, body = self.campaign.wording(channel, language)
            used = language
            if not body:
                used = "en"
                subject, body = self.campaign.wording(channel, used)
            self.compiled[key] = (used, merge_compiled(subject), merge_compiled(body))
        return self.compiled[key]


@dataclass(slots=True)
class _Person:
    """What a wave reads of a member's chart: the fields `contact_refusal`, the merge and the outbox row need (read
    as plain values in one query; a wave of 50,000 builds no Patient objects)."""

    member_id: int
    pk: int
    deceased_date: Any
    active: bool
    email: str
    phone: str
    email_opt_in: bool
    sms_opt_in: bool
    voicemail_opt_in: bool
    preferred_language: str
    preferred_name: str
    given_name: str
    family_name: str
    primary_care_provider: str
    home_location_id: int


_PERSON_FIELDS = ("pk", "patient_id", *(f"patient__{name}" for name in (
    "deceased_date", "active", "email", "phone", "email_opt_in", "sms_opt_in", "voicemail_opt_in",
    "preferred_language", "preferred_name", "given_name", "family_name", "primary_care_provider",
    "home_location_id")))


def _values(person: _Person, practice: str, phone: str) -> dict[str, str]:
    return {"patient.first_name": person.preferred_name or person.given_name,
            "patient.last_name": person.family_name,
            "patient.full_name": f"{person.given_name} {person.family_name}",
            "provider.name": person.primary_care_provider, "practice.name": practice, "practice.phone": phone}


def _message(campaign_id: int, person: _Person, channel: str, values: dict[str, str], wordings: _Wordings,
             send_after: Any) -> Message:
    language, subject, body = wordings.get(channel, comms.patient_language(person))
    text = body(values)
    # The sender asks for consent again, for this purpose, before sending (and adds the unsubscribe link).
    return Message(purpose=PURPOSE, patient_id=person.pk, kind=Kind.MANUAL, channel=channel,
                   to_address=comms.address_for(person, channel), language=language,
                   subject=subject(values)[:200], body=text if channel == "email" else text[:SMS_LIMIT],
                   status=MessageStatus.QUEUED, send_after=send_after,
                   dedupe_key=dedupe_key(campaign_id, person.member_id))


def dedupe_key(campaign_id: int, member_id: int) -> str:
    return f"campaign:{campaign_id}:{member_id}"


@atomic_service
def wave_send(*, actor: Actor, campaign_id: int, size: int) -> dict[str, int]:
    """Contact the next `size` members still waiting (oldest first). Returns how many were contacted and how many
    were not contactable (recorded with the reason; nothing sent to them)."""
    campaign = _for_update(actor, campaign_id)
    if not 1 <= int(size) <= MAX_WAVE:
        raise ValidationFailed("bad-wave-size", _("A wave of 1 to %(max)s people.") % {"max": MAX_WAVE},
                               fields={"size": [_("From 1 to %(max)s.") % {"max": MAX_WAVE}]})
    if campaign.status == CampaignStatus.REVIEWED:
        _move(campaign, CampaignStatus.RUNNING)
        campaign.started_at = clock.now()
    elif campaign.status != CampaignStatus.RUNNING:
        raise InvalidTransition("campaign-not-approved", _("A campaign is sent after its review, until it is "
                                                           "finished."))
    members = [_Person(*row) for row in CampaignMember.objects.filter(
        campaign=campaign, excluded=False, state=MemberState.WAITING).order_by("pk").values_list(
        *_PERSON_FIELDS)[:int(size)]]
    if not members:
        raise Conflict("nobody-waiting", _("Everyone in this campaign has been contacted already."))
    wave, now, practice = campaign.waves + 1, clock.now(), practice_settings().short_name
    wordings, quiet = _Wordings(campaign), comms.quiet_hours.current()  # read once for the wave
    places = {place.pk: (place.phone, comms.next_sendable(now, place.tz, quiet))  # when the wave may go out there
              for place in Location.objects.filter(pk__in={m.home_location_id for m in members})}
    outbox: list[Message] = []
    refusals: dict[str, list[int]] = defaultdict(list)  # member ids by the reason they cannot be contacted
    reached: list[int] = []
    not_reached: list[int] = []
    with consent_prefetch(members):  # one read of the wave's consent records
        for person in members:
            channel, reason = channel_for(campaign, person)
            if channel is None:
                refusals[reason].append(person.member_id)
                not_reached.append(person.pk)
                continue
            phone, send_after = places[person.home_location_id]
            outbox.append(_message(campaign.pk, person, channel, _values(person, practice, phone), wordings,
                                   send_after))
            reached.append(person.pk)
    for start in range(0, len(outbox), CHUNK):
        Message.objects.bulk_create(outbox[start:start + CHUNK], batch_size=1000, ignore_conflicts=True)
    for reason, ids in refusals.items():
        for start in range(0, len(ids), CHUNK):
            CampaignMember.objects.filter(pk__in=ids[start:start + CHUNK]).update(
                state=MemberState.NOT_CONTACTABLE, channel="", refusal=reason, wave=wave, contacted_at=None)
    # The rest of the wave (the first members still waiting, up to the last one read) were written to: one UPDATE
    # takes each one's outbox message and channel by its dedupe key (the campaign row is locked: nothing moved).
    key = Concat(Value(f"campaign:{campaign.pk}:"), Cast(OuterRef("pk"), CharField()))
    queued = Message.objects.filter(dedupe_key=key)
    CampaignMember.objects.filter(campaign=campaign, excluded=False, state=MemberState.WAITING,
                                  pk__lte=members[-1].member_id).update(
        state=MemberState.CONTACTED, wave=wave, contacted_at=now, refusal="",
        message=Subquery(queued.values("pk")[:1]), channel=Subquery(queued.values("channel")[:1]))
    campaign.waves = wave
    campaign.save(update_fields=["status", "started_at", "waves"])
    result = {"wave": wave, "contacted": len(outbox), "not_contactable": len(members) - len(outbox)}
    # One entry per wave naming every patient written to and every patient who could not be (as the scheduling
    # and reporting selectors name the patients of a list they show): the wave is one act of the coordinator's.
    record(actor, "campaign.wave_send", campaign,
           detail={**result, "patients": sorted(reached), "patients_not_contactable": sorted(not_reached)})
    return result


@atomic_service
def member_decline(*, actor: Actor, member_id: int, declined: bool = True) -> CampaignMember:
    """Staff record that a contacted patient said no (or undo it)."""
    member = CampaignMember.objects.select_for_update(of=("self",)).select_related("campaign").filter(
        pk=member_id).first()
    if member is None:
        raise NotFound()
    require(actor, Perm.OUTREACH_USE, location=member.campaign.location_id, hide=True, resource_type="campaign",
            resource_id=member.campaign_id)
    if member.state != MemberState.CONTACTED:
        raise Conflict("not-contacted", _("Only someone who was contacted can decline."))
    member.declined_at = clock.now() if declined else None
    member.declined_by = staff_user(actor) if declined else None
    member.save(update_fields=["declined_at", "declined_by"])
    if declined:
        record(actor, "campaign.member_decline", member, patient=member.patient_id,
               detail={"campaign": member.campaign_id})
    else:
        record(actor, "campaign.member_undecline", member, patient=member.patient_id,
               detail={"campaign": member.campaign_id})
    return member


def unknown_merge_fields(text: str) -> list[str]:
    """The names in `text` that are not merge fields a campaign may use (for the form's hint)."""
    return [name for name in fields_used(text) if name not in FIELDS or name not in CAMPAIGN_FIELDS]


def refusal_label(reason: str) -> str:
    """Why a member could not be contacted, in words."""
    if reason == "no-wording":
        return _("The campaign has no message for the channels the patient agreed to.")
    return refusal_words(reason, "")
