"""FHIR R4 endpoints under /fhir/r4/. Each view: authenticate the bearer token, check its scopes, parse,
call a handler (which calls the services and selectors), render, audit what was returned. Errors of every
kind come back as an OperationOutcome."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from clinicdesk.audit.services import record_denial
from clinicdesk.core import request_context
from clinicdesk.core.exceptions import DomainError, PermissionDenied

from . import search, versions
from .auth import ANONYMOUS, Caller, authenticate
from .capability import capability_statement
from .capability import smart_configuration as smart_document
from .errors import FhirError, from_domain, from_fhir, outcome
from .handlers import HANDLERS, OPERATIONS, Handler, Result
from .scopes import ScopeSet
from .selectors import record_shown
from .validation import parse_json, refuse_large_body, refuse_nul, refuse_oversize, validate_resource

FHIR_JSON = "application/fhir+json"
_LETTER = {"read": "r", "vread": "r", "history": "r", "search": "s", "create": "c", "update": "u", "patch": "u"}


def _base(request: HttpRequest) -> str:
    configured = getattr(settings, "FHIR_BASE_URL", "")
    return configured.rstrip("/") if configured else request.build_absolute_uri("/fhir/r4").rstrip("/")


def _respond(body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    response = JsonResponse(body, status=status, content_type=FHIR_JSON, json_dumps_params={"separators": (",", ":")})
    for key, value in (headers or {}).items():
        response[key] = value
    response["Cache-Control"] = "no-store"
    return response


def _error(status: int, body: dict[str, Any]) -> HttpResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="fhir"'} if status == 401 else None
    return _respond(body, status, headers)


def fhir_view(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Authentication, the request's audit channel, and every error as an OperationOutcome."""

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        info = request_context.RequestInfo(ip=request.META.get("REMOTE_ADDR", ""),
                                           user_agent=request.META.get("HTTP_USER_AGENT", ""), channel="fhir")
        token = request_context.bind(info)
        try:
            caller = _anonymous(request, kwargs) or authenticate(request)
            return func(request, caller, *args, **kwargs)
        except FhirError as error:
            return _error(*from_fhir(error))
        except PermissionDenied as error:
            # The handler ran inside the view's transaction, which rolled back any record of the refusal.
            error.audited = False
            record_denial(error)
            return _error(*from_domain(error))
        except DomainError as error:
            return _error(*from_domain(error))
        finally:
            request_context.reset(token)

    wrapper.__name__ = func.__name__
    return wrapper


def _anonymous(request: HttpRequest, kwargs: dict[str, Any]) -> Caller | None:
    """A read of a public conformance resource (a StructureDefinition) needs no token: it holds no data."""
    handler = HANDLERS.get(kwargs.get("resource_type", ""))
    if handler is not None and handler.public and request.method == "GET":
        return Caller(ANONYMOUS, ScopeSet.of([]), "anonymous")
    return None


def _handler(resource_type: str, interaction: str) -> Handler:
    handler = HANDLERS.get(resource_type)
    if handler is None:
        raise FhirError(404, "not-supported", f"Resource type '{resource_type}' is not served here.")
    wanted = "search-type" if interaction == "search" else interaction
    if wanted not in handler.interactions:
        raise FhirError(405, "not-supported", f"{interaction} is not supported on {resource_type}.")
    return handler


def _audit(caller: Caller, action: str, result: Result) -> None:
    refs = [f"{r['resourceType']}/{r.get('id', '')}" for r in result.resources + result.included]
    record_shown(caller.actor, action, refs, patient_ids=result.patient_ids)


def _etag_headers(resource: dict[str, Any], base: str) -> dict[str, str]:
    headers = {}
    meta = resource.get("meta", {})
    if "versionId" in meta:
        headers["ETag"] = f'W/"{meta["versionId"]}"'
    if resource.get("id"):
        headers["Location"] = f"{base}/{resource['resourceType']}/{resource['id']}" + (
            f"/_history/{meta['versionId']}" if "versionId" in meta else "")
    return headers


def _check_scope(caller: Caller, resource_type: str, interaction: str) -> None:
    handler = HANDLERS.get(resource_type)
    if handler is not None and handler.public and interaction in ("read", "search"):
        return
    caller.check(resource_type, _LETTER[interaction])


def _body(request: HttpRequest) -> Any:
    content_type = request.content_type or ""
    if content_type and "json" not in content_type:
        raise FhirError(415, "not-supported", f"Content type '{content_type}' is not supported; send "
                        "application/fhir+json.")
    return parse_json(_raw_body(request))


def _raw_body(request: HttpRequest) -> bytes:
    """The body, refused by its announced length before it is read (Django's own limit is far higher)."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if length.isdigit():
        refuse_large_body(int(length))
    return request.body


# --- metadata and SMART discovery (no token needed: they carry no data) ----------------------------------

@csrf_exempt
def metadata(request: HttpRequest) -> HttpResponse:
    return _respond(capability_statement(_base(request)))


@csrf_exempt
def smart_configuration(request: HttpRequest) -> HttpResponse:
    return JsonResponse(smart_document(_base(request)))


# --- type level: search and create ----------------------------------------------------------------------

def _search(request: HttpRequest, caller: Caller, resource_type: str, items: list[tuple[str, str]]) -> HttpResponse:
    handler = _handler(resource_type, "search")
    _check_scope(caller, resource_type, "search")
    query = search.parse(resource_type, items, handler.params, handler.includes)
    assert handler.search is not None
    with transaction.atomic():
        result = handler.search(caller, query)
        _audit(caller, f"fhir.search.{resource_type}", result)
    base = _base(request)
    return _respond(_bundle(base, resource_type, query, result))


def _bundle(base: str, resource_type: str, query: search.Query, result: Result, kind: str = "searchset"
            ) -> dict[str, Any]:
    kept = [(k, v) for k, v in query.raw if k not in ("_count", "_offset")]

    def link(offset: int) -> str:
        return f"{base}/{resource_type}?" + urlencode([*kept, ("_count", str(query.count)), ("_offset", str(offset))])

    links = [{"relation": "self", "url": link(query.offset)}]
    total = result.total if result.total is not None else len(result.resources)
    if query.count and query.offset + query.count < total:
        links.append({"relation": "next", "url": link(query.offset + query.count)})
    if query.offset > 0:
        links.append({"relation": "previous", "url": link(max(0, query.offset - query.count))})
    entries: list[dict[str, Any]] = []
    for index, resource in enumerate(result.resources):
        entry: dict[str, Any] = {"resource": resource, "search": {"mode": "match"}}
        if resource.get("id"):
            entry["fullUrl"] = f"{base}/{resource['resourceType']}/{resource['id']}"
        if result.scores is not None:
            score, grade = result.scores[index]
            entry["search"]["score"] = score
            entry["search"]["extension"] = [{"url": "http://hl7.org/fhir/StructureDefinition/match-grade",
                                             "valueCode": grade}]
        entries.append(entry)
    for resource in result.included:
        entries.append({"fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}", "resource": resource,
                        "search": {"mode": "include"}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": kind, "total": total, "link": links}
    if entries:
        bundle["entry"] = entries
    return bundle


@fhir_view
def type_view(request: HttpRequest, caller: Caller, resource_type: str) -> HttpResponse:
    if request.method == "GET":
        return _search(request, caller, resource_type, _pairs(request.GET))
    if request.method == "POST":
        return _create(request, caller, resource_type)
    raise FhirError(405, "not-supported", f"{request.method} is not supported on /{resource_type}.")


def _pairs(data: Any) -> list[tuple[str, str]]:
    return [(key, value) for key, values in data.lists() for value in values]


@fhir_view
def search_post(request: HttpRequest, caller: Caller, resource_type: str) -> HttpResponse:
    if request.method != "POST":
        raise FhirError(405, "not-supported", "Use POST for _search.")
    if request.content_type not in ("application/x-www-form-urlencoded", ""):
        raise FhirError(415, "not-supported", "POST _search takes application/x-www-form-urlencoded parameters.")
    return _search(request, caller, resource_type, _pairs(request.GET) + _pairs(request.POST))


def _create(request: HttpRequest, caller: Caller, resource_type: str) -> HttpResponse:
    handler = _handler(resource_type, "create")
    _check_scope(caller, resource_type, "create")
    resource = validate_resource(_body(request), resource_type)
    resource = {k: v for k, v in resource.items() if k not in ("id", "meta")}  # the server assigns both
    condition = request.headers.get("If-None-Exist")
    base = _base(request)
    if handler.own_transactions and not condition:  # e.g. a coverage check: no transaction across the network
        assert handler.create is not None
        result = handler.create(caller, resource, {"Idempotency-Key": ""})
        with transaction.atomic():
            _audit(caller, f"fhir.create.{resource_type}", result)
        return _respond(result.resources[0], result.status, _etag_headers(result.resources[0], base))
    with transaction.atomic():
        if condition:
            if not handler.conditional_create:
                raise FhirError(400, "not-supported", f"Conditional create is not supported on {resource_type}.")
            _check_scope(caller, resource_type, "search")
            from urllib.parse import parse_qsl

            query = search.parse(resource_type, parse_qsl(condition, keep_blank_values=True), handler.params)
            assert handler.search is not None
            found = handler.search(caller, query)
            if (found.total or 0) > 1:
                raise FhirError(412, "duplicate", f"If-None-Exist '{condition}' matches {found.total} resources.")
            if found.resources:
                _audit(caller, f"fhir.create.{resource_type}.exists", found)
                return _respond(found.resources[0], 200, _etag_headers(found.resources[0], base))
        assert handler.create is not None
        headers = {"Idempotency-Key": request.headers.get("Idempotency-Key", "")}
        refuse_nul(headers["Idempotency-Key"], "Idempotency-Key")
        refuse_oversize(headers["Idempotency-Key"], "Idempotency-Key")
        result = handler.create(caller, resource, headers)
        _audit(caller, f"fhir.create.{resource_type}", result)
    created = result.resources[0]
    return _respond(created, result.status, _etag_headers(created, base))


# --- instance level: read, update, patch, vread ------------------------------------------------------------

@fhir_view
def instance_view(request: HttpRequest, caller: Caller, resource_type: str, ident: str) -> HttpResponse:
    base = _base(request)
    if request.method == "GET":
        handler = _handler(resource_type, "read")
        _check_scope(caller, resource_type, "read")
        assert handler.read is not None
        with transaction.atomic():
            result = handler.read(caller, ident)
            if not handler.public:
                _audit(caller, f"fhir.read.{resource_type}", result)
        resource = result.resources[0]
        return _respond(resource, 200, _etag_headers(resource, base) | (
            {"Last-Modified": resource["meta"]["lastUpdated"]} if "meta" in resource else {}))
    if request.method == "PUT":
        handler = _handler(resource_type, "update")
        _check_scope(caller, resource_type, "update")
        resource = validate_resource(_body(request), resource_type)
        return _write(request, caller, handler, ident, lambda: handler.update(caller, ident, resource)
                      if handler.update else Result(), base)
    if request.method == "PATCH":
        handler = _handler(resource_type, "patch")
        _check_scope(caller, resource_type, "patch")
        operations = _patch_operations(request)
        return _write(request, caller, handler, ident, lambda: handler.patch(caller, ident, operations)
                      if handler.patch else Result(), base)
    raise FhirError(405, "not-supported", f"{request.method} is not supported on {resource_type}/{ident}.")


def _patch_operations(request: HttpRequest) -> list[dict[str, Any]]:
    """JSON Patch (application/json-patch+json), or a merge patch (a partial resource, as fhirpy sends it)
    turned into JSON Patch replace operations."""
    body = parse_json(_raw_body(request))
    if request.content_type == "application/json-patch+json":
        if not isinstance(body, list):
            raise FhirError(400, "structure", "A JSON Patch is a JSON array of operations.")
        return body
    if request.content_type not in ("application/merge-patch+json", "application/json", FHIR_JSON):
        raise FhirError(415, "not-supported", "PATCH takes application/json-patch+json or a merge patch.")
    if not isinstance(body, dict):
        raise FhirError(400, "structure", "A merge patch is a JSON object.")
    return [{"op": "replace", "path": f"/{key}", "value": value} for key, value in body.items()
            if key not in ("resourceType", "id")]


def _write(request: HttpRequest, caller: Caller, handler: Handler, ident: str, action: Callable[[], Result],
           base: str) -> HttpResponse:
    with transaction.atomic():
        expected = request.headers.get("If-Match")
        if expected and handler.current_version is not None:
            current = handler.current_version(caller, ident)
            wanted = expected.strip().removeprefix("W/").strip('"')
            if wanted != current:
                raise FhirError(412, "conflict", f"If-Match: version {wanted} is stale; the current version is "
                                f"{current}.")
        result = action()
        _audit(caller, f"fhir.update.{handler.type}", result)
    resource = result.resources[0]
    return _respond(resource, 200, _etag_headers(resource, base))


@fhir_view
def vread_view(request: HttpRequest, caller: Caller, resource_type: str, ident: str, version: str) -> HttpResponse:
    handler = _handler(resource_type, "vread")
    _check_scope(caller, resource_type, "vread")
    if request.method != "GET":
        raise FhirError(405, "not-supported", "vread is GET only.")
    assert handler.read is not None
    with transaction.atomic():
        current = handler.read(caller, ident)  # permission, and the latest version stored
        old = versions.version_of(resource_type, ident, version, current.resources[0])
        if old is None:
            raise FhirError(404, "not-found", f"{resource_type}/{ident} has no version {version}.")
        current.resources = [old]
        _audit(caller, f"fhir.vread.{resource_type}", current)
    return _respond(old, 200, _etag_headers(old, _base(request)))


@fhir_view
def history_view(request: HttpRequest, caller: Caller, resource_type: str, ident: str) -> HttpResponse:
    """history-instance: every stored version, newest first (a Bundle of type history)."""
    handler = _handler(resource_type, "history-instance")
    _check_scope(caller, resource_type, "history")
    if request.method != "GET":
        raise FhirError(405, "not-supported", "_history is GET only.")
    assert handler.read is not None
    base = _base(request)
    with transaction.atomic():
        current = handler.read(caller, ident)  # permission
        kept = versions.history_of(resource_type, ident, current.resources[0])
        current.resources = [v.resource() for v in kept]
        _audit(caller, f"fhir.history.{resource_type}", current)
    entries = []
    for version, resource in zip(kept, current.resources, strict=True):
        first = version.version_id == 1
        entries.append({
            "fullUrl": f"{base}/{resource_type}/{ident}", "resource": resource,
            "request": {"method": "POST" if first else "PUT",
                        "url": resource_type if first else f"{resource_type}/{ident}"},
            "response": {"status": "201 Created" if first else "200 OK",
                         "etag": f'W/"{version.version_id}"', "lastModified": resource["meta"]["lastUpdated"]}})
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "history", "total": len(entries),
                              "link": [{"relation": "self", "url": f"{base}/{resource_type}/{ident}/_history"}]}
    if entries:
        bundle["entry"] = entries
    return _respond(bundle)


# --- operations ------------------------------------------------------------------------------------------

@fhir_view
def operation_view(request: HttpRequest, caller: Caller, resource_type: str, name: str) -> HttpResponse:
    operation: Any = OPERATIONS.get((resource_type, name))
    if operation is None:
        raise FhirError(404, "not-supported", f"Operation ${name} is not supported on {resource_type}.")
    params: dict[str, Any] = {key: value for key, value in request.GET.items()}
    refuse_nul(params, f"${name}")
    refuse_oversize(params, f"${name}")
    resource: dict[str, Any] | None = None
    if request.method == "POST":
        body = _body(request)
        if isinstance(body, dict) and body.get("resourceType") == "Parameters":
            validate_resource(body, "Parameters")
            for parameter in body.get("parameter", []):
                if "resource" in parameter:
                    resource = parameter["resource"]
                else:
                    value = next((v for k, v in parameter.items() if k.startswith("value")), None)
                    params[parameter.get("name", "")] = value
        elif isinstance(body, dict):
            resource = body
    if name == "match":
        caller.check("Patient", "s")
        if resource is None:
            raise FhirError(400, "required", "$match takes a Patient (alone or in a Parameters 'resource').")
        with transaction.atomic():
            result = operation(caller, resource, params)
            _audit(caller, "fhir.operation.Patient.match", result)
    else:
        caller.check("Appointment", "s")
        with transaction.atomic():
            result = operation(caller, params)
            _audit(caller, "fhir.operation.Appointment.find", result)
    query = search.Query(resource_type, raw=[], count=max(len(result.resources), 1))
    return _respond(_bundle(_base(request), resource_type, query, result))


def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    return _respond(outcome([{"severity": "error", "code": "not-found", "diagnostics": "No such endpoint."}]), 404)

