"""Input parsing for the fee schedule and the superbill: text becomes dates, Decimal, ints and LineInputs here;
the rules (codes billable, periods not overlapping, pointers to listed diagnoses) stay in the services."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import AmountField
from .models import PLACES_OF_SERVICE
from .services import LineInput

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FeeItemForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=10,
                           help_text=_("CPT (five digits, e.g. 99213) or HCPCS Level II (e.g. G0438)."))
    modifiers = forms.CharField(label=_("Modifiers"), max_length=20, required=False,
                                help_text=_("Up to four, separated by spaces, e.g. 25 59."))
    description = forms.CharField(label=_("Description"), max_length=200,
                                  help_text=_("In the practice's own words."))
    price = AmountField(label=_("Price"))
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE_INPUT)
    effective_to = forms.DateField(label=_("Effective to"), widget=DATE_INPUT, required=False,
                                   help_text=_("The last day of this price; blank: until further notice."))


class FeeItemEditForm(FeeItemForm):
    """A period's words, price and dates; the code and modifiers are what the line is."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("code", "modifiers"):
            self.fields[name].disabled = True
            self.fields[name].required = False


class ContractForm(forms.Form):
    payer = forms.TypedChoiceField(label=_("Payer"), coerce=int)
    amount = AmountField(label=_("Contracted amount"), required=False,
                         help_text=_("Blank removes the payer's amount."))

    def __init__(self, *args: Any, payers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = [(p.pk, p.name) for p in payers]


class UsualCodeForm(forms.Form):
    appointment_type = forms.TypedChoiceField(label=_("Appointment type"), coerce=int)
    code = forms.CharField(label=_("Code"), max_length=10)
    modifiers = forms.CharField(label=_("Modifiers"), max_length=20, required=False)
    units = forms.IntegerField(label=_("Units"), min_value=1, max_value=999, initial=1)

    def __init__(self, *args: Any, types: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appointment_type"].choices = list(types)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200)


def _pointers(text: str) -> tuple[int, ...]:
    """'1, 3' / '1 3' / '13' -> (1, 3); '' -> ()."""
    text = (text or "").strip()
    if not text:
        return ()
    parts = re.split(r"[\s,;]+", text) if re.search(r"[\s,;]", text) else list(text)
    try:
        return tuple(int(p) for p in parts if p)
    except ValueError as exc:
        raise forms.ValidationError(_("Diagnosis numbers, e.g. 1,2.")) from exc


class SuperbillForm(forms.Form):
    """Diagnoses dx1..dx12 and procedure lines line<N>-<field>: `rows` lines are shown (the saved ones and a
    few blank); a line without a code is left out."""

    MAX_DX = 12

    def __init__(self, *args: Any, rows: int = 4, codes: Any = (), providers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for n in range(1, self.MAX_DX + 1):
            self.fields[f"dx{n}"] = forms.CharField(label=_("Diagnosis %(n)s") % {"n": n}, max_length=10,
                                                    required=False)
        code_choices = [("", "—"), *codes]
        places = [(code, label) for code, label in PLACES_OF_SERVICE.items()]
        for n in range(1, rows + 1):
            self.fields[f"line{n}-code"] = forms.ChoiceField(label=_("Procedure"), choices=code_choices,
                                                             required=False)
            self.fields[f"line{n}-modifiers"] = forms.CharField(label=_("Modifiers"), max_length=20, required=False,
                                                                widget=forms.TextInput(attrs={"size": 8}))
            self.fields[f"line{n}-units"] = forms.IntegerField(label=_("Units"), min_value=1, max_value=999,
                                                               required=False)
            self.fields[f"line{n}-pointers"] = forms.CharField(label=_("Diagnoses"), max_length=20, required=False,
                                                               help_text=_("e.g. 1,2"),
                                                               widget=forms.TextInput(attrs={"size": 6}))
            self.fields[f"line{n}-place_of_service"] = forms.ChoiceField(label=_("Place of service"),
                                                                         choices=places, required=False)
            self.fields[f"line{n}-rendering"] = forms.TypedChoiceField(label=_("Rendering provider"), coerce=int,
                                                                       choices=list(providers), required=False,
                                                                       empty_value=None)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for n in range(1, self.rows + 1):
            try:
                data[f"line{n}-pointers"] = _pointers(self.data.get(f"line{n}-pointers", ""))
            except forms.ValidationError as error:
                self.add_error(f"line{n}-pointers", error)
        return data

    def diagnoses(self) -> list[str]:
        return [self.cleaned_data.get(f"dx{n}") or "" for n in range(1, self.MAX_DX + 1)
                if (self.cleaned_data.get(f"dx{n}") or "").strip()]

    def lines(self) -> list[LineInput]:
        found = []
        for n in range(1, self.rows + 1):
            code = self.cleaned_data.get(f"line{n}-code") or ""
            if not code:
                continue
            found.append(LineInput(code=code, modifiers=self.cleaned_data.get(f"line{n}-modifiers") or "",
                                   units=self.cleaned_data.get(f"line{n}-units") or 1,
                                   pointers=self.cleaned_data.get(f"line{n}-pointers") or (),
                                   place_of_service=self.cleaned_data.get(f"line{n}-place_of_service") or "11",
                                   rendering_id=self.cleaned_data.get(f"line{n}-rendering")))
        return found

    def line_rows(self) -> list[dict[str, Any]]:
        """The bound fields of each line, for the template's table."""
        names = ("code", "modifiers", "units", "pointers", "place_of_service", "rendering")
        return [{"n": n, **{name: self[f"line{n}-{name}"] for name in names}} for n in range(1, self.rows + 1)]

    def dx_fields(self) -> list[Any]:
        return [self[f"dx{n}"] for n in range(1, self.MAX_DX + 1)]
