"""Input parsing only: the rules are in the services (patients.validation)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinicdesk.practice.selectors import practice_settings

from .models import (
    ConsentSource,
    CoverageOrder,
    Document,
    Ethnicity,
    GenderIdentity,
    PhoneType,
    Race,
    RelatedPerson,
    Sex,
    SignedForm,
    SubscriberRelationship,
)
from .validation import INTAKE_LISTS

DATE_INPUTS = ["%m/%d/%Y", "%Y-%m-%d", "%m-%d-%Y", "%m/%d/%y"]
# Phones and tablets offer the camera for these (scanning a card or a referral at the desk).
FILE_WIDGET = forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"})
LANGUAGE_CHOICES = [("en", _("English")), ("es", _("Spanish")), ("zh", _("Chinese")), ("vi", _("Vietnamese")),
                    ("ko", _("Korean")), ("tl", _("Tagalog")), ("ar", _("Arabic")), ("ru", _("Russian")),
                    ("fr", _("French")), ("ht", _("Haitian Creole")), ("pt", _("Portuguese")), ("other", _("Other"))]


def _name(label: Any, required: bool = True) -> forms.CharField:
    """A name, or a name part: no `maxlength` on the input, since a browser cuts a longer pasted name without a
    word; the service refuses one over its limit (patients.validation.NAME_MAX) with an error on the field."""
    return forms.CharField(label=label, required=required)


def _date(label: Any, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, input_formats=DATE_INPUTS,
                           widget=forms.DateInput(attrs={"placeholder": "MM/DD/YYYY", "autocomplete": "off"}),
                           help_text=_("MM/DD/YYYY"))


class PatientSearchForm(forms.Form):
    q = forms.CharField(label=_("Find a patient"), max_length=100, strip=True,
                        help_text=_("Name (last, first), date of birth, phone, MRN or e-mail"))


class DemographicsForm(forms.Form):
    family_name = _name(_("Last name"))
    given_name = _name(_("First name"))
    middle_name = _name(_("Middle name"), required=False)
    suffix = _name(_("Suffix"), required=False)
    preferred_name = _name(_("Preferred name"), required=False)
    previous_family_name = _name(_("Previous last name"), required=False)
    birth_date = _date(_("Date of birth"), required=True)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices])
    gender_identity = forms.ChoiceField(label=_("Gender identity"), choices=GenderIdentity.choices, required=False)
    pronouns = forms.CharField(label=_("Pronouns"), max_length=30, required=False)
    race = forms.MultipleChoiceField(label=_("Race"), choices=Race.choices, required=False,
                                     widget=forms.CheckboxSelectMultiple)
    ethnicity = forms.ChoiceField(label=_("Ethnicity"), choices=Ethnicity.choices, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    phone_type = forms.ChoiceField(label=_("Phone type"), choices=PhoneType.choices, initial=PhoneType.MOBILE)
    alt_phone = forms.CharField(label=_("Other phone"), max_length=30, required=False)
    alt_phone_type = forms.ChoiceField(label=_("Other phone type"), choices=PhoneType.choices,
                                       initial=PhoneType.HOME)
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=LANGUAGE_CHOICES,
                                           initial=lambda: practice_settings().default_language)
    interpreter_needed = forms.BooleanField(
        label=_("Interpreter needed"), required=False,
        help_text=_("Sets the interpreter alert on the chart, for the preferred language; untick to end it."))
    address_line = forms.CharField(label=_("Address"), max_length=200, required=False)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    state = forms.CharField(label=_("State"), max_length=2, required=False,
                            widget=forms.TextInput(attrs={"size": 3}))
    postal_code = forms.CharField(label=_("ZIP code"), max_length=10, required=False)
    employer = forms.CharField(label=_("Employer"), max_length=120, required=False)
    primary_care_provider = forms.CharField(label=_("Primary care provider"), max_length=120, required=False)
    referring_provider = forms.CharField(label=_("Referring provider"), max_length=120, required=False)
    sms_opt_in = forms.BooleanField(label=_("Text messages: opted in"), required=False)
    sms_opt_in_source = forms.ChoiceField(label=_("Text messages: how"), choices=ConsentSource.choices,
                                          required=False)
    email_opt_in = forms.BooleanField(label=_("E-mail messages: opted in"), required=False)
    email_opt_in_source = forms.ChoiceField(label=_("E-mail messages: how"), choices=ConsentSource.choices,
                                            required=False)
    voicemail_opt_in = forms.BooleanField(label=_("Voicemail: opted in"), required=False)
    voicemail_opt_in_source = forms.ChoiceField(label=_("Voicemail: how"), choices=ConsentSource.choices,
                                                required=False)
    allergies = forms.CharField(label=_("Allergies (one per line)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    medications = forms.CharField(label=_("Current medications (one per line)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    problems = forms.CharField(label=_("Problems (one per line)"), required=False,
                               widget=forms.Textarea(attrs={"rows": 2}))
    surgeries = forms.CharField(label=_("Past surgeries (one per line)"), required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    intake_notes = forms.CharField(label=_("Intake notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    restricted = forms.BooleanField(label=_("Restricted (confidential) record"), required=False)

    def details(self) -> dict[str, Any]:
        """cleaned_data as service keyword arguments."""
        data = dict(self.cleaned_data)
        data["intake"] = {key: (data.pop(key) or "").splitlines() for key in INTAKE_LISTS}
        data["intake"]["notes"] = data.pop("intake_notes", "")
        return {k: v for k, v in data.items() if k in self.fields or k == "intake"}

    @staticmethod
    def initial_from(patient: Any) -> dict[str, Any]:
        initial = {name: getattr(patient, name) for name in DemographicsForm.base_fields if hasattr(patient, name)}
        for key in INTAKE_LISTS:
            initial[key] = "\n".join((patient.intake or {}).get(key, []))
        initial["intake_notes"] = (patient.intake or {}).get("notes", "")
        return initial


class RegistrationForm(DemographicsForm):
    location = forms.ChoiceField(label=_("Home location"))
    emergency_name = _name(_("Emergency contact name"), required=False)
    emergency_relationship = forms.CharField(label=_("Emergency contact relationship"), max_length=40,
                                             required=False)
    emergency_phone = forms.CharField(label=_("Emergency contact phone"), max_length=30, required=False)
    guarantor_name = _name(_("Guarantor name (if not the patient)"), required=False)
    guarantor_relationship = forms.CharField(label=_("Guarantor relationship"), max_length=40, required=False)
    guarantor_phone = forms.CharField(label=_("Guarantor phone"), max_length=30, required=False)
    guarantor_birth_date = _date(_("Guarantor date of birth"))
    duplicate_reason = forms.CharField(label=_("Reason to register anyway"), max_length=300, required=False,
                                       widget=forms.TextInput(attrs={"autocomplete": "off"}))
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args: Any, locations: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].choices = [(str(loc.pk), loc.name) for loc in locations]
        self.locations = {str(loc.pk): loc for loc in locations}

    def contacts(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"kind": RelatedPerson.Kind.EMERGENCY, "name": data["emergency_name"],
             "relationship": data["emergency_relationship"], "phone": data["emergency_phone"]},
            {"kind": RelatedPerson.Kind.GUARANTOR, "name": data["guarantor_name"],
             "relationship": data["guarantor_relationship"], "phone": data["guarantor_phone"],
             "birth_date": data["guarantor_birth_date"]},
        ]

    def details(self) -> dict[str, Any]:
        data = super().details()
        for name in ("location", "emergency_name", "emergency_relationship", "emergency_phone", "guarantor_name",
                     "guarantor_relationship", "guarantor_phone", "guarantor_birth_date", "duplicate_reason",
                     "idempotency_key"):
            data.pop(name, None)
        return data


class CoverageForm(forms.Form):
    payer = forms.ChoiceField(label=_("Payer"))
    plan = forms.ChoiceField(label=_("Plan on the payer's list"), required=False,
                             help_text=_("The payer's plans, grouped by payer; leave empty when it is not listed."))
    plan_name = forms.CharField(label=_("Plan"), max_length=120, required=False,
                                help_text=_("As printed on the card; filled from the plan chosen when left empty."))
    member_id = forms.CharField(label=_("Member id"), max_length=40)
    group_number = forms.CharField(label=_("Group number"), max_length=40, required=False)
    order = forms.TypedChoiceField(label=_("Order"), choices=CoverageOrder.choices, coerce=int,
                                   initial=CoverageOrder.PRIMARY)
    start_date = _date(_("Effective date"), required=True)
    end_date = _date(_("End date"))
    relationship = forms.ChoiceField(label=_("Subscriber is the patient's"), choices=SubscriberRelationship.choices,
                                     initial=SubscriberRelationship.SELF)
    subscriber_family_name = _name(_("Subscriber last name"), required=False)
    subscriber_given_name = _name(_("Subscriber first name"), required=False)
    subscriber_birth_date = _date(_("Subscriber date of birth"))
    subscriber_sex = forms.ChoiceField(label=_("Subscriber sex"), choices=[("", "—"), *Sex.choices], required=False)
    copay_primary = forms.CharField(label=_("Co-pay, primary care ($)"), max_length=12, required=False)
    copay_specialist = forms.CharField(label=_("Co-pay, specialist ($)"), max_length=12, required=False)
    card_front = forms.FileField(label=_("Card, front (photo or PDF)"), required=False, widget=FILE_WIDGET)
    card_back = forms.FileField(label=_("Card, back (photo or PDF)"), required=False, widget=FILE_WIDGET)

    def __init__(self, *args: Any, payers: list[Any], plans: dict[int, list[Any]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = [("", "—")] + [(str(p.pk), p.name) for p in payers]
        plans = plans or {}
        self.fields["plan"].choices = [("", "—")] + [
            (p.name, [(str(plan.pk), f"{plan.name} ({plan.get_plan_type_display()})") for plan in plans[p.pk]])
            for p in payers if plans.get(p.pk)]


class CoverageEndForm(forms.Form):
    end_date = _date(_("End date"), required=True)


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=[c for c in Document.Kind.choices
                                                       if c[0] != Document.Kind.SIGNED_FORM])
    document_date = _date(_("Document date"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    file = forms.FileField(label=_("File (PDF, JPEG or PNG)"), widget=FILE_WIDGET)


class SignForm(forms.Form):
    template = forms.ChoiceField(label=_("Form"))
    signer_kind = forms.ChoiceField(label=_("Signed by"), choices=SignedForm.SignerKind.choices,
                                    initial=SignedForm.SignerKind.PATIENT)
    signer_name = _name(_("Signer's name"))
    signer_relationship = forms.CharField(label=_("Representative's relationship to the patient"), max_length=60,
                                          required=False)
    signature_kind = forms.ChoiceField(label=_("Signature"), choices=SignedForm.SignatureKind.choices,
                                       initial=SignedForm.SignatureKind.TYPED, widget=forms.RadioSelect)
    typed_signature = forms.CharField(label=_("Typed signature"), max_length=160, required=False)
    drawn_signature = forms.CharField(widget=forms.HiddenInput(attrs={"data-signature-input": ""}), required=False,
                                      max_length=500_000)

    def __init__(self, *args: Any, templates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(str(t.pk), f"{t.title} (v{t.version}, {t.language})") for t in templates]


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class DeceasedForm(forms.Form):
    deceased_date = _date(_("Date of death"), required=True)


class MergeForm(forms.Form):
    survivor = forms.ChoiceField(label=_("Keep this chart"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, survivors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["survivor"].choices = [(str(p.pk), f"{p.display_name} — MRN {p.mrn}") for p in survivors]


class MergeByMrnForm(forms.Form):
    survivor_mrn = forms.CharField(label=_("Keep the chart with MRN"), max_length=12)
    merged_mrn = forms.CharField(label=_("Merge away the chart with MRN"), max_length=12)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ContactForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RelatedPerson.Kind.choices)
    name = _name(_("Name"))
    relationship = forms.CharField(label=_("Relationship"), max_length=40)
    phone = forms.CharField(label=_("Phone"), max_length=30, required=False)
    birth_date = _date(_("Date of birth"))
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
