from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class FirstRunForm(forms.Form):
    token = forms.CharField(label=_("Setup token"), max_length=100, strip=True,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
                            help_text=_("Printed on the server's console when it started "
                                        "(or run 'clinicdesk setup_token' on the server)."))
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username"}))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
                               help_text=_("At least 10 characters; not a common password, not only digits, "
                                           "not like your name."))
    password_again = forms.CharField(label=_("Password again"), strip=False,
                                     widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", _("The two passwords differ."))
        return data
