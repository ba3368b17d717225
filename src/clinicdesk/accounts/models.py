from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.permissions import MFA_REQUIRED_ROLES, PRACTICE_WIDE_ROLES, ROLE_CHOICES, Role


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=40, choices=ROLE_CHOICES, default=Role.FRONT_DESK)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    locations = models.ManyToManyField("practice.Location", blank=True, related_name="staff",
                                       verbose_name=_("locations"))
    failed_logins = models.PositiveSmallIntegerField(default=0)
    first_failed_login_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    # Set by an administrator's password reset (the temporary password works for one sign-in): the user
    # chooses a new password before anything else (accounts.middleware).
    password_must_change = models.BooleanField(_("must change password at next sign-in"), default=False)
    # A second factor for this user whatever the role (the roles in MFA_REQUIRED_ROLES always need one).
    two_factor_required = models.BooleanField(_("two-factor sign-in required"), default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="user_role_known"),
        ]

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def role_label(self) -> str:
        return Role(self.role).label

    @property
    def practice_wide(self) -> bool:
        return self.role in PRACTICE_WIDE_ROLES

    @property
    def mfa_required(self) -> bool:
        return self.role in MFA_REQUIRED_ROLES or self.two_factor_required

    def location_ids(self) -> frozenset[Any]:
        cached = getattr(self, "_location_ids", None)
        if cached is None:
            cached = frozenset(self.locations.values_list("pk", flat=True))
            self._location_ids = cached
        return cached

    def works_at(self, location_id: Any) -> bool:
        return self.practice_wide or location_id in self.location_ids()
