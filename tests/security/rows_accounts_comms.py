"""Access-matrix rows for the accounts comms screens and API (#14). See matrix.py for what a row means."""

from __future__ import annotations

import json
from typing import Any

from .matrix import ADMIN, EVERYONE, PRACTICE_ADMINS, Row, api, page

ROWS: list[Row] = []

# staff accounts (payers: rows_payers.py)
USER_ADMINS = frozenset({ADMIN})
_STAFF = "/accounts/users/{locked_user.pk}/"
_TEMPORARY = "the temporary password is the answer itself (200, not cached), never carried through a redirect"


def _account(w: Any, **changes: Any) -> dict[str, Any]:
    return {"first_name": "Lucy", "last_name": "Locked", "email": "", "role": "front_desk",
            "locations": [str(w.home.pk)], "language": "en", **changes}


def _patch(path: str, allow: frozenset[str], body: Any, **kw: Any) -> Row:
    return Row("PATCH", path, 200, allow, data=lambda w: json.dumps(body(w)), anon=401,
               content_type="application/json", **kw)


ROWS += [
    page("GET", "/accounts/users/new/", 200, USER_ADMINS),
    page("POST", "/accounts/users/new/", 200, USER_ADMINS, data=lambda w: _account(w, username="m-new-clerk"),
         why=_TEMPORARY),
    page("GET", _STAFF, 200, USER_ADMINS),
    page("POST", _STAFF, 302, USER_ADMINS, data=lambda w: _account(w, first_name="Lucia")),
    page("POST", _STAFF + "deactivate/", 302, USER_ADMINS),
    page("POST", _STAFF + "reactivate/", 302, USER_ADMINS),
    page("POST", _STAFF + "password-reset/", 200, USER_ADMINS, why=_TEMPORARY),
    page("POST", _STAFF + "two-factor/require/", 302, USER_ADMINS, data=lambda w: {"required": "1"}),
    page("GET", "/accounts/password/", 200, EVERYONE, elsewhere=None, why="every user changes their own password"),
    page("POST", "/accounts/password/", 422, EVERYONE, elsewhere=None, case="wrong current password",
         data=lambda w: {"current_password": "not-the-password", "new_password": "a-new-long-passphrase",
                         "new_password_again": "a-new-long-passphrase"},
         why="a password is changed only by someone who knows the current one"),
    api("GET", "/api/v1/users", 200, USER_ADMINS),
    api("POST", "/api/v1/users", 201, USER_ADMINS,
        body=lambda w: {"username": "m-api-clerk", "role": "front_desk", "locations": [w.home.pk]}),
    api("GET", "/api/v1/users/{locked_user.pk}", 200, USER_ADMINS),
    _patch("/api/v1/users/{locked_user.pk}", USER_ADMINS, lambda w: {"firstName": "Lucia"}),
    api("POST", "/api/v1/users/{locked_user.pk}/deactivate", 200, USER_ADMINS),
    api("POST", "/api/v1/users/{locked_user.pk}/password-reset", 200, USER_ADMINS, why=_TEMPORARY),
    # payers and their plans: rows_payers.py (#18)
]

# forms, reminders and message templates
_FORM = "/patients/forms/npp/"
_RULE = "/messages/setup/reminders/{reminder_rule.pk}/"
_WORDING = "/messages/setup/templates/{sms_template.pk}/"


def _json_row(method: str, path: str, ok: int, body: Any, **kw: Any) -> Row:
    return Row(method, path, ok, PRACTICE_ADMINS, data=lambda w: json.dumps(body), anon=401,
               content_type="application/json", **kw)


ROWS += [
    page("GET", "/patients/forms/", 200, PRACTICE_ADMINS),
    page("GET", "/patients/forms/new/", 200, PRACTICE_ADMINS),
    page("POST", "/patients/forms/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"code": "matrix-form", "title_en": "Matrix form", "body_en": "Text.", "required": "on"}),
    page("GET", _FORM, 200, PRACTICE_ADMINS),
    page("GET", _FORM + "publish/", 200, PRACTICE_ADMINS),
    page("POST", _FORM + "publish/", 302, PRACTICE_ADMINS,
         data=lambda w: {"title_en": "Notice", "body_en": "Version two.", "required": "on"}),
    page("POST", _FORM + "deactivate/", 302, PRACTICE_ADMINS),
    api("GET", "/api/v1/form-templates", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/form-templates/{npp_en.pk}", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/form-templates/{npp_en.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/form-templates/publish", 201, PRACTICE_ADMINS,
        body=lambda w: {"code": "npp", "required": True, "texts": {"en": {"title": "Notice", "body": "Two."}}}),
    page("GET", "/messages/setup/reminders/", 200, PRACTICE_ADMINS),
    page("GET", "/messages/setup/reminders/new/", 200, PRACTICE_ADMINS),
    page("POST", "/messages/setup/reminders/new/", 302, PRACTICE_ADMINS,
         data=lambda w: {"kind": "reminder", "channel": "email", "amount": "3", "unit": "days"}),
    page("GET", _RULE, 200, PRACTICE_ADMINS),
    page("POST", _RULE, 302, PRACTICE_ADMINS,
         data=lambda w: {"kind": "reminder", "channel": "sms", "amount": "2", "unit": "days"}),
    page("POST", _RULE + "deactivate/", 302, PRACTICE_ADMINS),
    page("GET", "/messages/setup/quiet-hours/", 200, PRACTICE_ADMINS),
    page("POST", "/messages/setup/quiet-hours/", 302, PRACTICE_ADMINS,
         data=lambda w: {"start_hour": "20", "end_hour": "7"}),
    page("GET", "/messages/setup/templates/", 200, PRACTICE_ADMINS),
    page("GET", _WORDING, 200, PRACTICE_ADMINS),
    page("POST", _WORDING, 302, PRACTICE_ADMINS, data=lambda w: {"body": "{{ practice }}: see you {{ date }}."}),
    api("GET", "/api/v1/reminder-rules", 200, PRACTICE_ADMINS),
    api("POST", "/api/v1/reminder-rules", 201, PRACTICE_ADMINS,
        body=lambda w: {"kind": "reminder", "channel": "email", "minutesBefore": 4320}),
    api("GET", "/api/v1/reminder-rules/{reminder_rule.pk}", 200, PRACTICE_ADMINS),
    _patch("/api/v1/reminder-rules/{reminder_rule.pk}", PRACTICE_ADMINS, lambda w: {"minutesBefore": 2880}),
    api("POST", "/api/v1/reminder-rules/{reminder_rule.pk}/deactivate", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/message-templates", 200, PRACTICE_ADMINS),
    api("GET", "/api/v1/message-templates/{sms_template.pk}", 200, PRACTICE_ADMINS),
    _patch("/api/v1/message-templates/{sms_template.pk}", PRACTICE_ADMINS,
           lambda w: {"body": "{{ practice }}: see you {{ date }}."}),
    api("GET", "/api/v1/quiet-hours", 200, PRACTICE_ADMINS),
    _json_row("PUT", "/api/v1/quiet-hours", 200, {"startHour": 22, "endHour": 7}),
]


def objects(world: Any) -> dict[str, Any]:
    """Extra objects the rows above name ("{name.pk}"), built once per module at Downtown; {} when none."""
    from clinicdesk.comms.models import MessageTemplate, ReminderRule
    from clinicdesk.patients.models import FormTemplate

    return {"reminder_rule": ReminderRule.objects.create(kind="reminder", channel="sms", minutes_before=1440),
            "sms_template": MessageTemplate.objects.get(kind="reminder", channel="sms", language="en"),
            "npp_en": FormTemplate.objects.get(code="npp", language="en", active=True)}
