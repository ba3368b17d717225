"""Input parsing for the import screen: which kind, which file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What to import"))
    file = forms.FileField(label=_("CSV file"),
                           help_text=_("UTF-8, comma-separated, a header row; at most 5,000 rows and 2 MB. "
                                       "The column layouts are in the import guide."))

    def __init__(self, *args: Any, kinds: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["file"].widget.attrs["accept"] = ".csv,text/csv"
