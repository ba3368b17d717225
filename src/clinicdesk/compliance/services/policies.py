"""The policy manual: policies with an owner, a review date and an audience (the roles that must acknowledge
them), and versions (text or a document). Publishing a version asks every active staff member in the audience to
acknowledge it; a reminder goes to everyone still missing (counted per person); the tracking screen reads the
same rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Max
from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import Conflict, NotFound
from clinicdesk.core.permissions import Actor, Perm, Role, require, staff_user
from clinicdesk.core.resources import MAX_ID

from ..models import Policy, PolicyAck, PolicyVersion
from ._common import Errors, clean_text
from ._files import store_file


def _audience_users(roles: list[str]) -> list[User]:
    return list(User.objects.filter(is_active=True, role__in=roles).order_by("last_name", "first_name", "pk"))


@atomic_service
def policy_add(*, actor: Actor, title: str, owner_id: int | None, review_on: dt.date | None,
               audience: list[str]) -> Policy:
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    errors = Errors()
    title = clean_text(errors, "title", title, label=_("Title"), max_length=160, required=True)
    owner = User.objects.filter(pk=owner_id, is_active=True).first() if isinstance(owner_id, int) else None
    if owner is None:
        errors.add("owner", _("Choose a staff member."))
    if review_on is None:
        errors.add("review_on", _("Give the day the policy is next reviewed."))
    roles = sorted(set(audience or []))
    if not roles or any(r not in Role._value2member_map_ for r in roles):
        errors.add("audience", _("Choose the roles that must acknowledge it."))
    errors.raise_if_any("invalid-policy")
    assert owner is not None and review_on is not None
    policy = Policy.objects.create(title=title, owner=owner, review_on=review_on, audience=roles)
    record(actor, "policy.add", policy, detail={"audience": roles})
    return policy


@atomic_service
def policy_publish(*, actor: Actor, policy_id: int, effective_on: dt.date | None, summary: str = "",
                   text: str = "", file: Any = None, review_on: dt.date | None = None) -> PolicyVersion:
    """A new version: everyone in the audience must acknowledge it (one open row per person)."""
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    policy = Policy.objects.select_for_update().filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    errors = Errors()
    summary = clean_text(errors, "summary", summary, label=_("What changed"), max_length=300)
    text = clean_text(errors, "text", text, label=_("Text"), max_length=20000, multiline=True)
    if not text and file is None:
        errors.add("text", _("Give the policy's text or its document."))
    if effective_on is None:
        errors.add("effective_on", _("Give the day the version takes effect."))
    errors.raise_if_any("invalid-policy-version")
    assert effective_on is not None
    number = (policy.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PolicyVersion.objects.create(policy=policy, number=number, summary=summary, text=text,
                                           file=store_file(actor, file), effective_on=effective_on,
                                           published_by=staff_user(actor), published_at=clock.now())
    PolicyAck.objects.bulk_create([PolicyAck(version=version, user=u) for u in _audience_users(policy.audience)])
    if review_on is not None:
        policy.review_on = review_on
        policy.save(update_fields=["review_on"])
    record(actor, "policy.publish", version, detail={"policy": policy.pk, "version": number})
    return version


@atomic_service
def policy_acknowledge(*, actor: Actor, version_id: int) -> PolicyAck:
    """The signed-in staff member acknowledges a version they are asked to."""
    user = staff_user(actor)
    if not 1 <= version_id <= MAX_ID:  # no such row: a number the database cannot even hold is a 404, not a 500
        raise NotFound()
    ack = (PolicyAck.objects.select_for_update().filter(version_id=version_id, user=user).first()
           if user is not None else None)
    if ack is None:
        raise NotFound()
    if ack.acknowledged_at is not None:
        raise Conflict("already-acknowledged", _("You have already acknowledged this version."))
    latest = PolicyVersion.objects.filter(policy_id=ack.version.policy_id).order_by("-number").first()
    if latest is not None and latest.pk != ack.version_id:
        raise Conflict("superseded", _("A newer version of this policy has been published: acknowledge that one."))
    ack.acknowledged_at = clock.now()
    ack.save(update_fields=["acknowledged_at"])
    record(actor, "policy.acknowledge", ack.version, detail={"policy": ack.version.policy_id})
    return ack


def _remind(version_ids: list[int] | None, since: dt.datetime | None = None) -> int:
    latest = {p: v for p, v in PolicyVersion.objects.values("policy").annotate(v=Max("number"))
              .values_list("policy", "v")}
    rows = PolicyAck.objects.select_for_update(of=("self",)).filter(
        acknowledged_at__isnull=True, user__is_active=True).select_related("version").order_by("pk")
    if version_ids is not None:
        rows = rows.filter(version_id__in=version_ids)
    if since is not None:
        rows = rows.exclude(last_reminded_at__gt=since)
    now, count = clock.now(), 0
    for ack in rows:
        if latest.get(ack.version.policy_id) != ack.version.number:
            continue  # superseded: the newest version's row is the one that counts
        ack.reminders += 1
        ack.last_reminded_at = now
        ack.save(update_fields=["reminders", "last_reminded_at"])
        count += 1
    return count


@atomic_service
def policy_remind(*, actor: Actor, version_id: int) -> int:
    """Remind everyone still missing an acknowledgement of this version; returns how many."""
    require(actor, Perm.COMPLIANCE_ADMIN, resource_type="policy")
    if not PolicyVersion.objects.filter(pk=version_id).exists():
        raise NotFound()
    count = _remind([version_id])
    record(actor, "policy.remind", detail={"version": version_id, "count": count})
    return count


@atomic_service
def policy_reminders_due(*, every_days: int = 7) -> int:
    """Run by the worker: remind missing acknowledgements not reminded in the last `every_days` days."""
    since = clock.now() - dt.timedelta(days=every_days)
    ids = list(PolicyAck.objects.filter(acknowledged_at__isnull=True).exclude(last_reminded_at__gt=since)
               .values_list("version_id", flat=True).distinct())
    count = _remind(ids, since) if ids else 0
    if count:
        record(None, "policy.remind", detail={"count": count, "automatic": True})
    return count
