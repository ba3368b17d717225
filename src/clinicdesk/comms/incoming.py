"""Incoming correspondence (#24): letters, faxes and e-mails logged, assigned to a person or a pool with a due
date, linked to a patient (their scans then filed on the chart), worked to done; and the e-mail intake address
read over IMAP, each new message filed once (by its Message-ID) and marked seen."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import imaplib
import logging
import uuid
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from clinicdesk.accounts.models import User
from clinicdesk.audit.services import atomic_service, record
from clinicdesk.core import clock
from clinicdesk.core.exceptions import DomainError, NotFound, ValidationFailed
from clinicdesk.core.permissions import Actor, Perm, SystemActor, require
from clinicdesk.patients.models import Patient
from clinicdesk.patients.selectors import require_patient_in_reach
from clinicdesk.patients.services.documents import read_upload, store_document
from clinicdesk.practice.models import Location

from .models import IncomingFile, IncomingItem

logger = logging.getLogger(__name__)
MAIL_INTAKE = SystemActor("mail-intake", frozenset({Perm.CORRESPONDENCE_WRITE}))
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# What kind of chart document an incoming item's scan becomes.
DOCUMENT_KIND = {IncomingItem.Kind.REFERRAL: "referral", IncomingItem.Kind.RESULTS: "lab-report"}


def _save_file(item: IncomingItem, data: bytes, content_type: str, filename: str) -> IncomingFile:
    name = default_storage.save(f"incoming/{uuid.uuid4().hex}.{EXTENSIONS[content_type]}", ContentFile(data))
    return IncomingFile.objects.create(item=item, filename=filename[:200] or name, storage_name=name,
                                       content_type=content_type, size=len(data))


def _user_at(user_id: int | None, location_id: int) -> Any:
    if not user_id:
        return None

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.works_at(location_id):
        raise ValidationFailed("bad-assignee", _("Choose someone who works at this location."),
                               fields={"assignee": [_("Choose someone who works at this location.")]})
    return user


def _patient(actor: Actor, patient_id: int | None) -> Patient | None:
    if not patient_id:
        return None
    patient = Patient.objects.filter(pk=patient_id).first()
    if patient is None:
        raise NotFound()
    require_patient_in_reach(actor, patient, perm=Perm.CORRESPONDENCE_WRITE)
    return patient


def _check(kind: str, medium: str, sender: str, pool: str) -> None:
    errors: dict[str, list[str]] = {}
    if kind not in IncomingItem.Kind.values:
        errors["kind"] = [_("Choose what it is.")]
    if medium not in IncomingItem.Medium.values:
        errors["medium"] = [_("Choose how it came.")]
    if not sender.strip():
        errors["sender"] = [_("Who sent it?")]
    if pool and pool not in IncomingItem.Pool.values:
        errors["pool"] = [_("Choose a pool.")]
    if errors:
        raise ValidationFailed("invalid-incoming", _("Check the highlighted fields."), fields=errors)


def _file_on_chart(actor: Actor, item: IncomingItem) -> int:
    """File the item's scans on the linked patient's chart (once each)."""
    if item.patient is None:
        return 0
    filed = 0
    for file in item.files.filter(document_id__isnull=True):
        with default_storage.open(file.storage_name, "rb") as handle:
            data = handle.read()
        description = f"{item.get_kind_display()}: {item.sender}"[:200]
        document = store_document(actor=actor, patient=item.patient, kind=DOCUMENT_KIND.get(item.kind, "other"),
                                  data=data, content_type=file.content_type, document_date=item.received_on,
                                  description=description)
        IncomingFile.objects.filter(pk=file.pk).update(document_id=document.pk)
        filed += 1
    return filed


@atomic_service
def incoming_log(*, actor: Actor, location_id: int, medium: str, kind: str, sender: str, received_on: dt.date,
                 subject: str = "", upload: Any = None, patient_id: int | None = None, pool: str = "",
                 assignee_id: int | None = None, due_date: dt.date | None = None, note: str = "") -> IncomingItem:
    require(actor, Perm.CORRESPONDENCE_WRITE, location=location_id)
    location = Location.objects.filter(pk=location_id, active=True).first()
    if location is None:
        raise NotFound()
    _check(kind, medium, sender, pool)
    if received_on > clock.now().date():
        raise ValidationFailed("received-in-future", _("It cannot have arrived in the future."),
                               fields={"received_on": [_("Pick today or an earlier day.")]})
    patient = _patient(actor, patient_id)
    assignee = _user_at(assignee_id, location.pk)
    state = IncomingItem.State.ASSIGNED if assignee or pool else IncomingItem.State.NEW
    item = IncomingItem.objects.create(
        location=location, medium=medium, kind=kind, sender=sender.strip()[:200], subject=subject.strip()[:200],
        received_on=received_on, patient=patient, assignee=assignee, pool=pool, due_date=due_date, state=state,
        note=note, created_by=actor if getattr(actor, "is_authenticated", False) else None, created_at=clock.now())
    if upload is not None:
        data, content_type = read_upload(upload)
        _save_file(item, data, content_type, getattr(upload, "name", ""))
    _file_on_chart(actor, item)
    record(actor, "incoming.log", item, patient=patient, detail={"kind": kind, "medium": medium})
    return item


def _item_for(actor: Actor, item_id: int) -> IncomingItem:
    item = IncomingItem.objects.select_for_update(of=("self",)).select_related("patient").filter(pk=item_id).first()
    if item is None:
        raise NotFound()
    require(actor, Perm.CORRESPONDENCE_WRITE, location=item.location_id, hide=True, resource_type="incomingitem",
            resource_id=item_id)
    return item


@atomic_service
def incoming_update(*, actor: Actor, item_id: int, kind: str, patient_id: int | None = None, pool: str = "",
                    assignee_id: int | None = None, due_date: dt.date | None = None, note: str = "") -> IncomingItem:
    """Say what it is, whose it is, who works it and by when. Linking a patient files its scans on the chart."""
    item = _item_for(actor, item_id)
    if item.state == IncomingItem.State.DONE:
        raise ValidationFailed("already-done", _("This item is done."))
    _check(kind, item.medium, item.sender, pool)
    patient = _patient(actor, patient_id) if patient_id else item.patient
    item.kind, item.patient, item.pool, item.due_date, item.note = kind, patient, pool, due_date, note
    item.assignee = _user_at(assignee_id, item.location_id)
    item.state = IncomingItem.State.ASSIGNED if item.assignee or pool else IncomingItem.State.NEW
    item.save()
    filed = _file_on_chart(actor, item)
    record(actor, "incoming.update", item, patient=patient,
           detail={"kind": kind, "pool": pool, "assignee": assignee_id, "filed": filed})
    return item


@atomic_service
def incoming_done(*, actor: Actor, item_id: int) -> IncomingItem:
    item = _item_for(actor, item_id)
    if item.state != IncomingItem.State.DONE:
        item.state, item.done_at = IncomingItem.State.DONE, clock.now()
        item.save(update_fields=["state", "done_at"])
        record(actor, "incoming.done", item, patient=item.patient_id)
    return item


# --- the e-mail intake address (IMAP) ----------------------------------------------------------
def _intake_location() -> Location | None:
    code = settings.INCOMING_IMAP_LOCATION
    locations = Location.objects.filter(active=True).order_by("pk")
    return (locations.filter(code=code).first() if code else None) or locations.first()


def _message_id(message: EmailMessage, raw: bytes) -> str:
    found = str(message.get("Message-ID", "") or "").strip()
    return found[:250] if found else f"<sha256.{hashlib.sha256(raw).hexdigest()}@intake.invalid>"


def mail_file(raw: bytes, *, location: Location) -> IncomingItem | None:
    """File one e-mail into the log (its PDF/JPEG/PNG attachments kept); None when it was filed before."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    message_id = _message_id(message, raw)
    if IncomingItem.objects.filter(message_id=message_id).exists():
        return None
    try:
        received = parsedate_to_datetime(str(message["Date"])).date() if message["Date"] else clock.now().date()
    except (TypeError, ValueError):
        received = clock.now().date()
    text_part = message.get_body(preferencelist=("plain",))
    text = text_part.get_content() if text_part is not None else ""
    notes = [text.strip()[:4000]] if text.strip() else []
    kept: list[tuple[bytes, str, str]] = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True) or b""
        name = part.get_filename() or ""
        try:
            data, content_type = read_upload(data)
        except DomainError:
            notes.append(_("Attachment “%(name)s” was not kept: only PDF, JPEG and PNG files are.")
                         % {"name": name[:80]})
            continue
        kept.append((data, content_type, name))
    try:
        with transaction.atomic():
            item = IncomingItem.objects.create(
                location=location, medium=IncomingItem.Medium.EMAIL, kind=IncomingItem.Kind.OTHER,
                sender=str(message.get("From", ""))[:200] or _("Unknown sender"),
                subject=str(message.get("Subject", ""))[:200], received_on=min(received, clock.now().date()),
                message_id=message_id, note="\n\n".join(notes), created_at=clock.now())
            for data, content_type, name in kept:
                _save_file(item, data, content_type, name)
            record(MAIL_INTAKE, "incoming.mail", item, detail={"files": len(kept)})
    except IntegrityError:  # another run filed it a moment ago
        return None
    return item


def mail_intake_fetch() -> int:
    """Read the intake mailbox: file each unseen message, then mark it seen. Returns how many were filed now.
    Nothing to do when no intake address is configured."""
    if not settings.INCOMING_IMAP_HOST:
        return 0
    location = _intake_location()
    if location is None:
        return 0
    client_class = imaplib.IMAP4_SSL if settings.INCOMING_IMAP_SSL else imaplib.IMAP4
    client = client_class(settings.INCOMING_IMAP_HOST, settings.INCOMING_IMAP_PORT, timeout=30)
    filed = 0
    try:
        client.login(settings.INCOMING_IMAP_USER, settings.INCOMING_IMAP_PASSWORD)
        client.select(settings.INCOMING_IMAP_MAILBOX)
        _status, found = client.uid("SEARCH", "UNSEEN")
        for uid in (found[0] or b"").split():
            _status, parts = client.uid("FETCH", uid, "(RFC822)")
            raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
            if raw is None:
                continue
            if mail_file(raw, location=location) is not None:
                filed += 1
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    finally:
        try:
            client.logout()
        except (imaplib.IMAP4.error, OSError):
            logger.warning("IMAP logout failed")
    return filed
