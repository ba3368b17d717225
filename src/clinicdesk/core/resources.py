"""Configuration resources of the JSON API: one declaration gives the views, the input parsing and the OpenAPI
description, so the three cannot drift (docs/adr/0005-api-resources.md).

An app declares each configuration entity once, in its `api.py`:

    ROOMS = ApiResource(
        path="rooms", schema="Room", tag="practice", noun="room",
        fields=(ApiField.ident(), ApiField.ref("location", create_only=True, required=True),
                ApiField.text("name", required=True, max_length=60),
                ApiField.choice("kind", Room.Kind.values, required=True), ApiField.flag("active", read_only=True)),
        list=lambda actor, include_inactive: rooms_list(actor=actor, include_inactive=include_inactive),
        read=lambda actor, pk: room_detail(actor=actor, room_id=pk),
        create=lambda actor, values: room_create(actor=actor, **values),
        update=lambda actor, pk, values: room_update(actor=actor, room_id=pk, **values),
        deactivate=lambda actor, pk: room_deactivate(actor=actor, room_id=pk),
    )
    urlpatterns = [*ROOMS.urls()]            # in the app's api_urls.py, included under /api/v1/

That serves, all signed in by session (writes with the CSRF pair, bodies JSON only):
    GET   /api/v1/rooms                       {"items": [...]}; ?inactive=include lists deactivated ones too
    POST  /api/v1/rooms                       create: 201 and the record
    GET   /api/v1/rooms/{id}                  one record
    PATCH /api/v1/rooms/{id}                  change the members sent; others stay as they are
    POST  /api/v1/rooms/{id}/deactivate       deactivate (records that refer to it keep it)

Members are parsed strictly by their declared kind (a number in quotes, 1.5 for an id, "yes" for a flag is a
422 naming the member). A member sent as null is the same as leaving it out, except for `nullable` members,
where null clears the value. Unknown members are ignored. The services decide everything else (permissions,
rules, conflicts); the parsed values reach them as Python values under the field's `attr` name.

A resource nothing refers to is a `RemovableResource`: `DELETE /api/v1/<path>/{id}` removes it (204) instead of a
deactivate. `members_named(fields, call)` runs a service so that its refusal names the JSON members (camelCase).
"""

from __future__ import annotations

import builtins
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .changes import plain
from .exceptions import DomainError, ValidationFailed
from .permissions import Perm, require

MAX_ID = 2**63 - 1  # the largest primary key (BigAutoField); core.openapi.MAX_ID is the same number
_CAMEL = re.compile(r"_([a-z])")
_DECIMAL = re.compile(r"^-?\d{1,9}(\.\d{1,2})?$")

Getter = Callable[[Any], Any]


def camel(name: str) -> str:
    return _CAMEL.sub(lambda m: m.group(1).upper(), name)


@dataclass(frozen=True)
class ApiField:
    """One member of a resource's JSON shape. `name` is the JSON member (camelCase), `attr` the Python name
    the service takes and the model attribute read for output (snake_case; by default derived from `name`)."""

    name: str
    kind: str  # ident ref refs text texts choice choices flag integer decimal date time datetime
    attr: str = ""
    required: bool = False  # on create
    read_only: bool = False  # output only
    create_only: bool = False  # given on create, never changed afterwards
    nullable: bool = False  # null clears it (and it may read as null)
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""
    get: Getter | None = None  # output: how to read it from the record (default: the attribute)

    # --- constructors -------------------------------------------------------------------------------------
    @classmethod
    def ident(cls) -> ApiField:
        return cls("id", "ident", read_only=True, description="The record's id.")

    @classmethod
    def ref(cls, name: str, **kw: Any) -> ApiField:
        """A record id; reads `<attr>_id` by default (`location` -> location_id)."""
        attr = kw.pop("attr", "") or _snake(name) + "_id"
        return cls(name, "ref", attr=attr, **kw)

    @classmethod
    def refs(cls, name: str, **kw: Any) -> ApiField:
        """A list of record ids; reads the many-to-many `<attr>` (prefetch it in the selector)."""
        attr = kw.pop("attr", "") or _snake(name)
        return cls(name, "refs", attr=attr, **kw)

    @classmethod
    def text(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "text", **kw)

    @classmethod
    def texts(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "texts", **kw)

    @classmethod
    def choice(cls, name: str, choices: Iterable[str], **kw: Any) -> ApiField:
        return cls(name, "choice", choices=tuple(choices), **kw)

    @classmethod
    def choices_list(cls, name: str, choices: Iterable[str], **kw: Any) -> ApiField:
        return cls(name, "choices", choices=tuple(choices), **kw)

    @classmethod
    def flag(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "flag", **kw)

    @classmethod
    def integer(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "integer", **kw)

    @classmethod
    def decimal(cls, name: str, **kw: Any) -> ApiField:
        """Money and other exact amounts: a string like "25.00" (never a float)."""
        return cls(name, "decimal", **kw)

    @classmethod
    def date(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "date", **kw)

    @classmethod
    def time(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "time", **kw)

    @classmethod
    def datetime(cls, name: str, **kw: Any) -> ApiField:
        return cls(name, "datetime", **kw)

    def __post_init__(self) -> None:
        if not self.attr:
            object.__setattr__(self, "attr", _snake(self.name))

    @property
    def writable(self) -> bool:
        return not self.read_only and self.kind != "ident"

    # --- output -------------------------------------------------------------------------------------------
    def read(self, record: Any) -> Any:
        if self.kind == "ident":
            return record.pk
        value = self.get(record) if self.get else getattr(record, self.attr)
        if self.get is None and self.kind == "refs":
            value = sorted(item.pk for item in value.all())
        return _json_value(value)

    # --- input --------------------------------------------------------------------------------------------
    def parse(self, value: Any) -> Any:
        """The Python value for a JSON member (not None: the caller handles null)."""
        parser = getattr(self, f"_parse_{self.kind}")
        return parser(value)

    def _refuse(self, what: str) -> ValidationFailed:
        return ValidationFailed("bad-field", _("'%(name)s' must be %(what)s.") % {"name": self.name, "what": what},
                                fields={self.name: [_("Must be %(what)s.") % {"what": what}]})

    def _parse_ref(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            raise self._refuse(_("a record id"))
        return value

    def _parse_refs(self, value: Any) -> list[int]:
        if not isinstance(value, list) or any(
                isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= MAX_ID for v in value):
            raise self._refuse(_("a list of record ids"))
        return list(dict.fromkeys(value))

    def _parse_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._refuse(_("text"))
        if "\x00" in value:
            raise ValidationFailed("bad-field", _("'%(name)s' contains a NUL character.") % {"name": self.name},
                                   fields={self.name: [_("NUL character.")]})
        if self.max_length is not None and len(value.strip()) > self.max_length:
            raise self._refuse(_("at most %(count)s characters") % {"count": self.max_length})
        return value

    def _parse_texts(self, value: Any) -> list[str]:
        if not isinstance(value, list) or any(not isinstance(v, str) or "\x00" in v for v in value):
            raise self._refuse(_("a list of texts"))
        return value

    def _parse_choice(self, value: Any) -> str:
        if not isinstance(value, str) or value not in self.choices:
            raise self._refuse(_("one of %(choices)s") % {"choices": ", ".join(self.choices)})
        return value

    def _parse_choices(self, value: Any) -> list[str]:
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in self.choices for v in value):
            raise self._refuse(_("a list of %(choices)s") % {"choices": ", ".join(self.choices)})
        return list(dict.fromkeys(value))

    def _parse_flag(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self._refuse(_("true or false"))
        return value

    def _parse_integer(self, value: Any) -> int:
        low = self.minimum if self.minimum is not None else -(2**31)
        high = self.maximum if self.maximum is not None else 2**31 - 1
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._refuse(_("a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
        return value

    def _parse_decimal(self, value: Any) -> Decimal:
        if not isinstance(value, str) or not _DECIMAL.match(value.strip()):
            raise self._refuse(_("an amount such as \"25.00\""))
        try:
            return Decimal(value.strip())
        except InvalidOperation as exc:  # pragma: no cover - the pattern has already refused it
            raise self._refuse(_("an amount such as \"25.00\"")) from exc

    def _parse_date(self, value: Any) -> dt.date:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 8999:
            raise self._refuse(_("a date (YYYY-MM-DD)"))
        return day

    def _parse_time(self, value: Any) -> dt.time:
        try:
            moment = dt.time.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is not None:
            raise self._refuse(_("a local time (HH:MM)"))
        return moment

    def _parse_datetime(self, value: Any) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None or not 1900 <= moment.year <= 8999:
            raise self._refuse(_("a date-time with a UTC offset"))
        # The same instant in UTC: Python takes offsets up to ±23:59, PostgreSQL only ±15:59 (a 500 otherwise).
        return moment.astimezone(dt.UTC)

    # --- schema -------------------------------------------------------------------------------------------
    def schema(self, *, output: bool) -> dict[str, Any]:
        base: dict[str, Any] = _SCHEMAS[self.kind](self)
        if self.description:
            base = base | {"description": self.description}
        if self.nullable:
            base = {"oneOf": [base, {"type": "null"}]}
        elif not output and not self.required:
            base = {"oneOf": [base, {"type": "null"}]}  # null is the same as leaving it out
        return base


_TEXT = {"type": "string", "pattern": "^[^\u0000]*$"}
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_SCHEMAS: dict[str, Callable[[ApiField], dict[str, Any]]] = {
    "ident": lambda f: {"type": "integer", "minimum": 1},
    "ref": lambda f: dict(_ID),
    "refs": lambda f: {"type": "array", "items": dict(_ID)},
    "text": lambda f: _TEXT | ({"maxLength": f.max_length} if f.max_length else {}),
    "texts": lambda f: {"type": "array", "items": dict(_TEXT)},
    "choice": lambda f: {"type": "string", "enum": list(f.choices)},
    "choices": lambda f: {"type": "array", "items": {"type": "string", "enum": list(f.choices)}},
    "flag": lambda f: {"type": "boolean"},
    "integer": lambda f: {"type": "integer",
                          "minimum": f.minimum if f.minimum is not None else -(2**31),
                          "maximum": f.maximum if f.maximum is not None else 2**31 - 1},
    "decimal": lambda f: {"type": "string", "pattern": _DECIMAL.pattern},
    "date": lambda f: {"type": "string", "format": "date"},
    "time": lambda f: {"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"},
    "datetime": lambda f: {"type": "string", "format": "date-time"},
}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


_json_value = plain  # core.changes: one JSON form for amounts, dates, times and sets


@dataclass(frozen=True)
class ApiResource:
    """A configuration entity served as list, read, create, update (PATCH) and deactivate."""

    path: str  # the URL segment under /api/v1/ (plural, lower case, hyphens)
    schema: str  # the component schema's name (singular, CamelCase)
    tag: str
    noun: str  # "room": used in the operations' summaries
    fields: tuple[ApiField, ...]
    list: Callable[[Any, bool], Iterable[Any]]
    read: Callable[[Any, int], Any]
    create: Callable[[Any, dict[str, Any]], Any] | None = None
    update: Callable[[Any, int, dict[str, Any]], Any] | None = None
    deactivate: Callable[[Any, int], Any] | None = None
    description: str = ""
    to_json: Callable[[Any], dict[str, Any]] | None = None  # default: every field's `read`
    extra_paths: dict[str, dict[str, Any]] = field(default_factory=dict)  # hand-described extra operations
    # Checked before a write's body is read, so that a caller without it gets a 403 whatever they send (the
    # service checks again, with the location).
    write_perm: Perm | None = None

    @property
    def operation(self) -> str:
        return camel(self.path.replace("-", "_"))

    # --- output -------------------------------------------------------------------------------------------
    def as_json(self, record: Any) -> dict[str, Any]:
        if self.to_json is not None:
            return self.to_json(record)
        return {f.name: f.read(record) for f in self.fields}

    # --- input --------------------------------------------------------------------------------------------
    def values(self, data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
        """The members sent, parsed, keyed by `attr`; required members checked on create."""
        return parse_members(self.fields, data, creating=creating)

    # --- views --------------------------------------------------------------------------------------------
    def _may_write(self, request: HttpRequest) -> None:
        actor: Any = request.user  # a signed-in staff user (api_login_required)
        if self.write_perm is not None:
            require(actor, self.write_perm, resource_type=self.schema.lower())

    def collection_view(self, request: HttpRequest) -> HttpResponse:
        from .api import json_body

        if request.method == "POST":
            if self.create is None:
                return _not_allowed(["GET"])
            self._may_write(request)
            record = self.create(request.user, self.values(json_body(request, required=True), creating=True))
            return JsonResponse(self.as_json(record), status=201)
        inactive = request.GET.get("inactive", "exclude")
        if inactive not in ("include", "exclude"):
            raise ValidationFailed("bad-parameter", _("'inactive' is include or exclude."),
                                   fields={"inactive": [_("include or exclude.")]})
        include = inactive == "include"
        return JsonResponse({"items": [self.as_json(r) for r in self.list(request.user, include)]})

    def item_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        from .api import json_body

        if request.method == "PATCH":
            if self.update is None:
                return _not_allowed(["GET"])
            self._may_write(request)
            record = self.update(request.user, pk, self.values(json_body(request, required=True), creating=False))
            return JsonResponse(self.as_json(record))
        return JsonResponse(self.as_json(self.read(request.user, pk)))

    def deactivate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        assert self.deactivate is not None
        self._may_write(request)
        return JsonResponse(self.as_json(self.deactivate(request.user, pk)))

    def urls(self) -> builtins.list[URLPattern]:
        from .api import api_login_required

        collection = ["GET", "POST"] if self.create else ["GET"]
        item = ["GET", "PATCH"] if self.update else ["GET"]
        name = self.path.replace("-", "_")
        patterns = [
            path(self.path, require_http_methods(collection)(api_login_required(self.collection_view)),
                 name=f"{name}-list"),
            path(f"{self.path}/<int:pk>", require_http_methods(item)(api_login_required(self.item_view)),
                 name=f"{name}-detail"),
        ]
        if self.deactivate is not None:
            patterns.append(path(f"{self.path}/<int:pk>/deactivate",
                                 require_http_methods(["POST"])(api_login_required(self.deactivate_view)),
                                 name=f"{name}-deactivate"))
        _REGISTRY[self.path] = self
        return patterns

    # --- OpenAPI ------------------------------------------------------------------------------------------
    def openapi_schemas(self) -> dict[str, dict[str, Any]]:
        output = {"type": "object", "required": [f.name for f in self.fields],
                  "properties": {f.name: f.schema(output=True) for f in self.fields}}
        if self.description:
            output["description"] = self.description
        schemas = {self.schema: output,
                   f"{self.schema}List": {"type": "object", "required": ["items"], "properties": {
                       "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{self.schema}"}}}}}
        ignored = "Members not listed are ignored; null is the same as leaving a member out"
        if self.create is not None:
            writable = [f for f in self.fields if f.writable]
            schemas[f"{self.schema}Create"] = {
                "type": "object", "description": ignored + ".",
                "required": [f.name for f in writable if f.required],
                "properties": {f.name: f.schema(output=False) for f in writable}}
        if self.update is not None:
            changeable = [f for f in self.fields if f.writable and not f.create_only]
            schemas[f"{self.schema}Update"] = {
                "type": "object",
                "description": ignored + " (the value stays as it is), except for members that may be null, "
                               "where null clears the value.",
                "properties": {f.name: f.schema(output=False) for f in changeable}}
        return schemas

    def openapi_paths(self, *, ok: Callable[..., dict[str, Any]], errors: Callable[..., dict[str, Any]],
                      body: Callable[[str], dict[str, Any]],
                      session: builtins.list[dict[str, builtins.list[str]]],
                      write: builtins.list[dict[str, builtins.list[str]]]) -> dict[str, dict[str, Any]]:
        op, noun, tags = self.operation, self.noun, [self.tag]
        write_errors = ("400", "401", "403", "404", "409", "415", "422")
        item_id = {"name": "pk", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 0},
                   "description": f"The {noun}'s id."}
        collection: dict[str, Any] = {"get": {
            "operationId": f"{op}List", "tags": tags, "security": session, "summary": f"List the {noun} records.",
            "parameters": [{"name": "inactive", "in": "query", "required": False,
                            "schema": {"type": "string", "enum": ["include", "exclude"]},
                            "description": "`include` lists deactivated records too."}],
            "responses": ok(f"The {noun} records, active first.", f"{self.schema}List")
            | errors("401", "403", "422")}}
        if self.create is not None:
            collection["post"] = {
                "operationId": f"{op}Create", "tags": tags, "security": write, "summary": f"Add a {noun}.",
                "requestBody": body(f"{self.schema}Create"),
                "responses": ok(f"The new {noun}.", self.schema, "201") | errors(*write_errors)}
        item: dict[str, Any] = {"get": {
            "operationId": f"{op}Read", "tags": tags, "security": session, "summary": f"One {noun}.",
            "parameters": [item_id], "responses": ok(f"The {noun}.", self.schema) | errors("401", "403", "404")}}
        if self.update is not None:
            item["patch"] = {
                "operationId": f"{op}Update", "tags": tags, "security": write,
                "summary": f"Change a {noun}: only the members sent.", "parameters": [item_id],
                "requestBody": body(f"{self.schema}Update"),
                "responses": ok(f"The {noun} as it now is.", self.schema) | errors(*write_errors)}
        paths = {f"/api/v1/{self.path}": collection, f"/api/v1/{self.path}/{{pk}}": item}
        if self.deactivate is not None:
            paths[f"/api/v1/{self.path}/{{pk}}/deactivate"] = {"post": {
                "operationId": f"{op}Deactivate", "tags": tags, "security": write,
                "summary": f"Deactivate a {noun}; records that refer to it keep it.", "parameters": [item_id],
                "responses": ok(f"The {noun}, inactive.", self.schema) | errors("401", "403", "404", "409")}}
        return paths | self.extra_paths


_REGISTRY: dict[str, ApiResource] = {}
_DESCRIBED: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}


def parse_members(fields: Sequence[ApiField], data: dict[str, Any], *, creating: bool = True) -> dict[str, Any]:
    """The members of a JSON body, parsed by their declared kind and keyed by `attr`; required members checked on
    create. `ApiResource` uses it, and so can a described operation with its own fields (a body that is no entity)."""
    values: dict[str, Any] = {}
    for f in fields:
        if not f.writable or (f.create_only and not creating):
            continue
        raw = data.get(f.name)
        if raw is None:
            if f.name in data and f.nullable and not creating:
                values[f.attr] = None
            elif creating and f.required:
                raise ValidationFailed("missing-field", _("'%(name)s' is required.") % {"name": f.name},
                                       fields={f.name: [_("Required.")]})
            continue
        values[f.attr] = f.parse(raw)
    return values


def members_named(fields: tuple[ApiField, ...], call: Callable[[], Any]) -> Any:
    """Run a service; its refusal names the JSON members (camelCase), not the Python arguments."""
    names = {f.attr: f.name for f in fields}
    try:
        return call()
    except DomainError as error:
        error.fields = {names.get(name, name): problems for name, problems in error.fields.items()}
        raise


@dataclass(frozen=True)
class RemovableResource(ApiResource):
    """A resource nothing refers to: `DELETE /api/v1/<path>/{pk}` removes it (204) instead of a deactivate."""

    remove: Callable[[Any, int], Any] | None = None
    remove_summary: str = ""

    def removable_item_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method == "DELETE":
            assert self.remove is not None
            self.remove(request.user, pk)
            return HttpResponse(status=204)
        return self.item_view(request, pk)

    def urls(self) -> builtins.list[URLPattern]:  # `list` is a field of ApiResource
        from .api import api_login_required

        patterns = cast(builtins.list[URLPattern], super().urls())
        name = f"{self.path.replace('-', '_')}-detail"
        methods = ["GET", "PATCH", "DELETE"] if self.update else ["GET", "DELETE"]
        item = path(f"{self.path}/<int:pk>", require_http_methods(methods)(api_login_required(
            self.removable_item_view)), name=name)
        return [item if p.name == name else p for p in patterns]

    def openapi_paths(self, *, ok: Callable[..., dict[str, Any]], errors: Callable[..., dict[str, Any]],
                      body: Callable[[str], dict[str, Any]], session: list[dict[str, list[str]]],
                      write: list[dict[str, list[str]]]) -> dict[str, dict[str, Any]]:
        paths = super().openapi_paths(ok=ok, errors=errors, body=body, session=session, write=write)
        item = f"/api/v1/{self.path}/{{pk}}"
        parameters = paths[item]["get"]["parameters"]
        paths[item] = paths[item] | {"delete": {
            "operationId": f"{self.operation}Remove", "tags": [self.tag], "security": write,
            "summary": self.remove_summary, "parameters": parameters,
            "responses": {"204": {"description": "Removed (or ended); nothing is returned."}}
            | errors("401", "403", "404")}}
        return paths


def describe(key: str, *, paths: dict[str, dict[str, Any]], schemas: dict[str, dict[str, Any]]) -> None:
    """Register hand-described operations that are not configuration resources (e.g. posting a charge): an
    app calls it in its api_urls.py, next to the URL patterns it describes, with paths written with the helpers
    of core.openapi (`ok`, `errors`, `body`, `SESSION`, `WRITE_AUTH`). `key` names the group (one per module)."""
    _DESCRIBED[key] = (paths, schemas)


def described() -> list[tuple[dict[str, Any], dict[str, Any]]]:
    registered()
    return [_DESCRIBED[key] for key in sorted(_DESCRIBED)]


def registered() -> Sequence[ApiResource]:
    """Every resource whose URLs are in the URL conf (loading the URL conf first), in path order."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - importing the URL conf registers the resources
    return [_REGISTRY[key] for key in sorted(_REGISTRY)]


def _not_allowed(methods: list[str]) -> HttpResponse:
    from django.http import HttpResponseNotAllowed

    return HttpResponseNotAllowed(methods)
