"""What is set up and what is still missing: the setup guide's steps, each done or not, computed from the data.

The guide reads the other apps' rows to count them (existence checks only, no patient data); each step links
to the screen that sets it up (URL names from the apps that own those screens; a step whose screen does not
exist in this build shows without a link)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clinicdesk.accounts.models import User
from clinicdesk.core import clock
from clinicdesk.core.permissions import Actor, Perm, Role, has_perm, require
from clinicdesk.patients.models import Payer
from clinicdesk.practice.models import Location, Organization, PracticeSettings, Practitioner, Room
from clinicdesk.scheduling.models import AppointmentType, AvailabilityTemplate

from .models import SetupToken

# Roles that can book an appointment (the first patient needs one of them).
BOOKING_ROLES = (Role.FRONT_DESK, Role.PATIENT_COORDINATOR, Role.PRACTICE_COORDINATOR)


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    what: str | Promise  # what the step sets up
    done_means: str | Promise  # the rule that marks it done, in words
    url: str  # "" when the screen is not in this build
    extra_links: tuple[tuple[str | Promise, str], ...]
    done: bool | None  # None: optional, nothing to count
    needed_to_book: bool


def first_run_needed() -> bool:
    """No staff user at all: every page leads to the first-run page."""
    return not User.objects.exists()


def setup_token_pending() -> bool:
    return SetupToken.objects.filter(used_at__isnull=True, expires_at__gt=clock.now()).exists()


def _url(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return ""


def _organization_done() -> bool:
    return Organization.objects.exclude(name="").exists()


def _locations_done() -> bool:
    return Location.objects.filter(active=True, hours__isnull=False).exists()


def _providers_done() -> bool:
    return Practitioner.objects.filter(active=True, locations__active=True).exists()


def _rooms_done() -> bool:
    return Room.objects.filter(active=True, location__active=True).exists()


def _types_done() -> bool:
    return AppointmentType.objects.filter(active=True).exists()


def _availability_done() -> bool:
    today = clock.now().date()
    return AvailabilityTemplate.objects.filter(
        Q(effective_until__isnull=True) | Q(effective_until__gte=today),
        practitioner__active=True, location__active=True).exists()


def _payers_done() -> bool:
    return Payer.objects.filter(active=True).exists()


def _staff_done() -> bool:
    return User.objects.filter(is_active=True, role__in=[r.value for r in BOOKING_ROLES]).exists()


def _settings_done() -> bool:
    return PracticeSettings.objects.exists()


# key, title, what, done-means, screen, extra screens, check (None: optional), needed to book the first patient
_STEPS: tuple[tuple[str, Promise, Promise, Promise, str, tuple[tuple[Promise, str], ...],
                    Callable[[], bool] | None, bool], ...] = (
    ("organization", _("Organization"), _("The practice's name, tax ID and billing NPI."),
     _("The organization has a name."), "practice:organization", (), _organization_done, True),
    ("locations", _("Locations"), _("Each location's address, time zone, opening hours and holidays."),
     _("At least one active location with opening hours."), "practice:locations",
     ((_("Holidays and closures"), "scheduling:holidays"),), _locations_done, True),
    ("providers", _("Providers"), _("The practitioners, their specialties and the locations they work at."),
     _("At least one active provider at an active location."), "practice:providers", (), _providers_done, True),
    ("rooms", _("Rooms and equipment"), _("Exam and procedure rooms, and the equipment appointments need."),
     _("At least one active room."), "practice:rooms", ((_("Equipment"), "practice:equipment"),), _rooms_done,
     False),
    ("types", _("Appointment types"), _("What patients book: duration, buffers, resources, names in English "
                                         "and Spanish."),
     _("At least one active appointment type."), "scheduling:types", (), _types_done, True),
    ("availability", _("Availability"), _("Each provider's weekly hours, and exceptions such as vacations."),
     _("At least one active provider with a current weekly template."), "scheduling:availability", (),
     _availability_done, True),
    ("payers", _("Payers"), _("The insurance payers the practice bills, and co-pay defaults."),
     _("At least one active payer."), "patients:payers", (), _payers_done, False),
    ("staff", _("Staff accounts"), _("Accounts for the people who work at the practice, with their roles and "
                                      "locations."),
     _("At least one active account that can book appointments (front desk or a coordinator)."),
     "accounts:users", (), _staff_done, True),
    ("settings", _("Practice settings"), _("Short name, late-cancellation window, records retention, receipt "
                                            "footer, default language."),
     _("The practice's settings have been saved once."), "practice:settings", (), _settings_done, False),
    ("imports", _("Imports"), _("Bring providers, rooms, appointment types, availability, staff and future "
                                "appointments over from the old system."),
     _("Optional."), "imports:home", (), None, False),
)
STEP_KEYS = tuple(step[0] for step in _STEPS)


def setup_steps(*, actor: Actor) -> list[Step]:
    """Every step of the setup guide, in order, with its state. Practice coordinators and system administrators."""
    require(actor, Perm.PRACTICE_ADMIN)
    return _steps()


def _steps(*, only_needed: bool = False) -> list[Step]:
    steps = []
    for key, title, what, done_means, url_name, extra, check, needed in _STEPS:
        if only_needed and not needed:
            continue
        links = tuple((label, url) for label, url in ((label, _url(name)) for label, name in extra) if url)
        steps.append(Step(key=key, title=title, what=what, done_means=done_means, url=_url(url_name),
                          extra_links=links, done=check() if check is not None else None, needed_to_book=needed))
    return steps


def setup_missing(*, actor: Actor) -> list[Step]:
    """The steps still missing before the practice can book its first patient; [] when all are done, and for
    users who do not set the practice up (the home page shows this list to those who do)."""
    if not has_perm(actor, Perm.PRACTICE_ADMIN):
        return []
    return [step for step in _steps(only_needed=True) if step.done is False]
