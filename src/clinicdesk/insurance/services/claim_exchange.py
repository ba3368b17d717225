"""What billing's claims need from insurance (#19 items 3-4): the clearinghouse batch channel for 837P files, the
referral and prior authorization numbers that cover a visit for a payer, and the pure X12 layer (837P writer;
999, 277CA and 835 readers; NPI/EIN checks; CARC/RARC words) re-exported here, its public face to other apps.
No permission here: billing's services check who may send claims before they call these."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings

from ..clearinghouse.batch import DropFolder, LocalFolder, SftpFolder
from ..models import APPROVED_STATUSES, AuthorizationVisit, EligibilityChannel, PriorAuthorization, Referral
from ..x12 import e277ca, e835, e837p, e999, envelope, remit_codes
from ..x12.envelope import X12Error
from ..x12.identifiers import ein_is_valid, npi_is_valid

__all__ = ["X12Error", "claim_batch_send", "claim_channel", "claim_references", "claim_references_many",
           "e277ca", "e835", "e837p", "e999",
           "ein_is_valid", "envelope", "npi_is_valid", "remit_codes"]


def claim_channel() -> str:
    """The batch channel claims go through: SFTP when a server is set up, the local drop folder otherwise."""
    if settings.CLEARINGHOUSE_SFTP_HOST and settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS:
        return EligibilityChannel.SFTP
    return EligibilityChannel.FOLDER


def _folder(channel: str) -> DropFolder:
    if channel == EligibilityChannel.SFTP:
        return SftpFolder(host=settings.CLEARINGHOUSE_SFTP_HOST, port=settings.CLEARINGHOUSE_SFTP_PORT,
                          username=settings.CLEARINGHOUSE_SFTP_USERNAME, password=settings.CLEARINGHOUSE_SFTP_PASSWORD,
                          known_hosts=settings.CLEARINGHOUSE_SFTP_KNOWN_HOSTS,
                          outbound=settings.CLEARINGHOUSE_SFTP_OUTBOUND, inbound=settings.CLEARINGHOUSE_SFTP_INBOUND,
                          timeout=float(settings.CLEARINGHOUSE_TIMEOUT_SECONDS),
                          client_key=settings.CLEARINGHOUSE_SFTP_KEY)
    return LocalFolder(outbound=Path(settings.CLEARINGHOUSE_FOLDER_OUTBOUND),
                       inbound=Path(settings.CLEARINGHOUSE_FOLDER_INBOUND))


def claim_batch_send(name: str, text: str) -> str:
    """Put one 837P interchange in the clearinghouse's outbound folder (SFTP or local); returns the channel.
    Raises clearinghouse.core.ExchangeError when the transport fails (nothing is half written)."""
    channel = claim_channel()
    _folder(channel).put(name, text)
    return str(channel)


def claim_references(*, patient_id: int, appointment_id: int, payer_id: int, day: dt.date) -> tuple[str, str]:
    """The payer's referral number and prior authorization number that cover this visit ('' when none)."""
    referral = (Referral.objects.filter(patient_id=patient_id, payer_id=payer_id, valid_from__lte=day,
                                        valid_to__gte=day).exclude(referral_number="")
                .order_by("-visits__appointment_id", "-valid_from", "-pk"))
    linked = referral.filter(visits__appointment_id=appointment_id).first()
    found = linked or referral.first()
    authorization = ""
    visit = (AuthorizationVisit.objects.filter(appointment_id=appointment_id, authorization__payer_id=payer_id,
                                               authorization__status__in=APPROVED_STATUSES)
             .exclude(authorization__auth_number="").select_related("authorization").first())
    if visit is not None:
        authorization = visit.authorization.auth_number
    else:
        covering = (PriorAuthorization.objects.filter(patient_id=patient_id, payer_id=payer_id,
                                                      status__in=APPROVED_STATUSES, valid_from__lte=day,
                                                      valid_to__gte=day).exclude(auth_number="")
                    .order_by("-valid_from", "-pk").first())
        authorization = covering.auth_number if covering else ""
    return (found.referral_number if found else ""), authorization


def claim_references_many(visits: list[tuple[int, int, int, dt.date]]) -> dict[int, tuple[str, str]]:
    """`claim_references` of many visits at once, {appointment id: (referral, authorization)} for each
    (patient id, appointment id, payer id, day): two queries find the patients with any referral or
    authorization number; only their visits are looked up one by one (the same rules as above)."""
    patients = {patient for patient, _visit, _payer, _day in visits}
    having = set(Referral.objects.filter(patient_id__in=patients).exclude(referral_number="")
                 .values_list("patient_id", flat=True).distinct())
    having |= set(PriorAuthorization.objects.filter(patient_id__in=patients).exclude(auth_number="")
                  .values_list("patient_id", flat=True).distinct())
    return {visit: (claim_references(patient_id=patient, appointment_id=visit, payer_id=payer, day=day)
                    if patient in having else ("", "")) for patient, visit, payer, day in visits}
