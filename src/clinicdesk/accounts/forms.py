from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from clinicdesk.core.permissions import ROLE_CHOICES


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), max_length=200,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class TokenForm(forms.Form):
    token = forms.RegexField(label=_("6-digit code"), regex=r"^\s*\d{6}\s*$", max_length=8,
                             error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
                             widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                           "autofocus": True}))


class PreferencesForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class UserForm(forms.Form):
    """A staff account: one role, and the locations where a location-bound role works (docs/adr/0001). The
    rules (a location for a location-bound role, the last administrator...) are the services'."""

    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @ . + - _ only. It cannot be changed later."))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), max_length=254, required=False)
    role = forms.ChoiceField(label=_("Role"), choices=ROLE_CHOICES,
                             help_text=_("Practice coordinators, compliance officers and system administrators "
                                         "work at every location."))
    locations = forms.MultipleChoiceField(label=_("Locations"), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES, initial="en")

    def __init__(self, *args: Any, locations: Iterable[Any], creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["locations"].choices = [(str(loc.pk), loc.name) for loc in locations]
        if not creating:
            del self.fields["username"]

    def clean_locations(self) -> list[int]:
        return [int(pk) for pk in self.cleaned_data["locations"]]


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(label=_("Current password"), max_length=200, strip=False,
                                       widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(label=_("New password"), max_length=200, strip=False,
                                   help_text=_("At least 10 characters; not a common password, not only digits."),
                                   widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password_again = forms.CharField(label=_("New password, again"), max_length=200, strip=False,
                                         widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, ask_current: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_current:
            del self.fields["current_password"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password_again") not in (None, data["new_password"]):
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
