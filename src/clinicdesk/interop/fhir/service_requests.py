"""FHIR ServiceRequest read and search (#18 item 10): incoming referrals, outgoing referrals and prior
authorizations, through insurance selectors (the same reach rules as the referrals page: insurance.read, the
chart in reach and open, outgoing referrals of the caller's locations). Registered in handlers.HANDLERS."""

from __future__ import annotations

from typing import Any

from clinicdesk.core import clock
from clinicdesk.core.exceptions import NotFound
from clinicdesk.insurance import selectors as insurance_selectors

from .auth import Caller
from .mappers import servicerequest as mapper
from .search import Param, Query, token
from .selectors import _ids

PARAMS = (
    Param("_id", "token", "referral-<id>, outgoing-<id> or authorization-<id>"),
    Param("patient", "reference", "Patient/<id>"),
    Param("subject", "reference", "Patient/<id>"),
    Param("category", "token", f"{mapper.KIND_SYSTEM}|incoming-referral, outgoing-referral or prior-authorization; "
                               "SNOMED CT 3457005 (both kinds of referral)"),
)
_BY_CODE = {code: kind for kind, code in mapper.KIND_CODES.items()}


def Result(*args: Any, **kwargs: Any) -> Any:  # handlers.Result (handlers imports this module: no cycle)
    from .handlers import Result as HandlerResult

    return HandlerResult(*args, **kwargs)


def read(caller: Caller, ident: str) -> Any:
    parsed = mapper.parse_id(ident)
    if parsed is None:
        raise NotFound()
    item = insurance_selectors.service_request_item(actor=caller.actor, kind=parsed[0], item_id=parsed[1])
    return Result([mapper.to_fhir(item, clock.now().date())], patient_ids={item.patient_id})


def _kinds(query: Query) -> set[str]:
    kinds = set(mapper.KIND_CODES)
    for _modifier, value in query.all("category"):  # repeated: each narrows (AND); commas: any of them (OR)
        wanted: set[str] = set()
        for part in value.split(","):
            system, code = token(part)
            if system in (None, mapper.KIND_SYSTEM) and code in _BY_CODE:
                wanted.add(_BY_CODE[code])
            elif system in (None, mapper.SNOMED) and code == "3457005":
                wanted |= {"referral", "outgoing"}
        kinds &= wanted
    return kinds


def _id_filter(query: Query) -> dict[str, list[int]] | None:
    if not query.all("_id"):
        return None
    out: dict[str, list[int]] = {}
    for _modifier, value in query.all("_id"):
        for part in value.split(","):
            parsed = mapper.parse_id(part.strip())
            if parsed is not None:
                out.setdefault(parsed[0], []).append(parsed[1])
    return out


def search(caller: Caller, query: Query) -> Any:
    patients: list[int] | None = None
    for name in ("patient", "subject"):
        if query.all(name):
            found = _ids(query, name, "Patient")
            patients = found if patients is None else [p for p in patients if p in found]
    kinds = _kinds(query)
    if not kinds or patients == []:  # no kind asked for, or patient and subject name different charts
        return Result([], 0)
    items, total = insurance_selectors.service_requests_search(
        actor=caller.actor, patient_ids=patients, kinds=kinds, item_ids=_id_filter(query), offset=query.offset,
        count=query.count)
    today = clock.now().date()
    return Result([mapper.to_fhir(i, today) for i in items], total, patient_ids={i.patient_id for i in items})
