"""What a message says: the minimum necessary, in the patient's language, from editable templates."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template import Context, Template
from django.utils import formats, translation

from .models import Channel, MessageTemplate

# Shipped wording, used when a practice has not edited its own. First name, date, time, place,
# the appointment's patient-facing name and the practice's phone number; never a diagnosis.
DEFAULTS: dict[tuple[str, str, str], tuple[str, str]] = {
    ("confirmation", "email", "en"): (
        "Your appointment on {{ date }}",
        "Hello {{ first_name }},\n\nYour {{ appointment_name }} is booked for {{ date }} at {{ time }} at "
        "{{ location }}, {{ address }}.\n\nConfirm or cancel: {{ answer_url }}\n\n"
        "Questions? Call us at {{ phone }}.\n",
    ),
    ("confirmation", "email", "es"): (
        "Su cita del {{ date }}",
        "Hola {{ first_name }}:\n\nSu cita ({{ appointment_name }}) está programada para el {{ date }} a las "
        "{{ time }} en {{ location }}, {{ address }}.\n\nConfirme o cancele: {{ answer_url }}\n\n"
        "¿Preguntas? Llámenos al {{ phone }}.\n",
    ),
    ("confirmation", "sms", "en"): (
        "", "{{ practice }}: {{ first_name }}, your visit is booked {{ date }} {{ time }} at {{ location }}. "
        "Reply C to confirm, X to cancel, STOP to opt out. {{ phone }}",
    ),
    ("confirmation", "sms", "es"): (
        "", "{{ practice }}: {{ first_name }}, su cita es el {{ date }} a las {{ time }} en {{ location }}. "
        "Responda C para confirmar, X para cancelar, STOP para no recibir mensajes. {{ phone }}",
    ),
    ("reminder", "email", "en"): (
        "Reminder: your appointment on {{ date }}",
        "Hello {{ first_name }},\n\nThis is a reminder of your {{ appointment_name }} on {{ date }} at {{ time }} "
        "at {{ location }}, {{ address }}.\n\nConfirm or cancel: {{ answer_url }}\n\n"
        "Questions? Call us at {{ phone }}.\n",
    ),
    ("reminder", "email", "es"): (
        "Recordatorio: su cita del {{ date }}",
        "Hola {{ first_name }}:\n\nLe recordamos su cita ({{ appointment_name }}) el {{ date }} a las {{ time }} "
        "en {{ location }}, {{ address }}.\n\nConfirme o cancele: {{ answer_url }}\n\n"
        "¿Preguntas? Llámenos al {{ phone }}.\n",
    ),
    ("reminder", "sms", "en"): (
        "", "{{ practice }}: reminder for {{ first_name }}, {{ date }} {{ time }} at {{ location }}. "
        "Reply C to confirm, X to cancel. {{ answer_url }} {{ phone }}",
    ),
    ("reminder", "sms", "es"): (
        "", "{{ practice }}: recordatorio para {{ first_name }}, {{ date }} {{ time }} en {{ location }}. "
        "Responda C para confirmar, X para cancelar. {{ answer_url }} {{ phone }}",
    ),
    ("waitlist-offer", "sms", "en"): (
        "", "{{ practice }}: {{ first_name }}, an earlier visit is open {{ date }} {{ time }} at {{ location }}. "
        "Take it: {{ answer_url }} {{ phone }}",
    ),
    ("waitlist-offer", "sms", "es"): (
        "", "{{ practice }}: {{ first_name }}, hay una cita antes: {{ date }} {{ time }} en {{ location }}. "
        "Tómela: {{ answer_url }} {{ phone }}",
    ),
    ("waitlist-offer", "email", "en"): (
        "An earlier appointment is available",
        "Hello {{ first_name }},\n\nAn earlier {{ appointment_name }} is available on {{ date }} at {{ time }} at "
        "{{ location }}. The first patient to accept gets it: {{ answer_url }}\n\nQuestions? Call {{ phone }}.\n",
    ),
    ("waitlist-offer", "email", "es"): (
        "Hay una cita más pronto",
        "Hola {{ first_name }}:\n\nHay una cita más pronto ({{ appointment_name }}) disponible el {{ date }} a las "
        "{{ time }} en {{ location }}. La obtiene el primer paciente que acepte: {{ answer_url }}\n\n"
        "¿Preguntas? {{ phone }}.\n",
    ),
    ("offer-taken", "sms", "en"): ("", "{{ practice }}: the earlier slot on {{ date }} has been taken. "
                                       "You stay on our waitlist. {{ phone }}"),
    ("offer-taken", "sms", "es"): ("", "{{ practice }}: la cita del {{ date }} ya fue tomada. "
                                       "Sigue en nuestra lista de espera. {{ phone }}"),
    ("offer-taken", "email", "en"): ("That appointment has been taken",
                                     "Hello {{ first_name }},\n\nThe slot on {{ date }} has been taken. "
                                     "You stay on our waitlist.\n\n{{ phone }}\n"),
    ("offer-taken", "email", "es"): ("Esa cita ya fue tomada",
                                     "Hola {{ first_name }}:\n\nLa cita del {{ date }} ya fue tomada. "
                                     "Sigue en nuestra lista de espera.\n\n{{ phone }}\n"),
    ("recall", "sms", "en"): ("", "{{ practice }}: {{ first_name }}, it is time to book your {{ appointment_name }}. "
                                  "Call {{ phone }}."),
    ("recall", "sms", "es"): ("", "{{ practice }}: {{ first_name }}, es momento de programar su "
                                  "{{ appointment_name }}. Llame al {{ phone }}."),
    ("recall", "email", "en"): ("Time to book your {{ appointment_name }}",
                                "Hello {{ first_name }},\n\nIt is time to book your {{ appointment_name }}. "
                                "Call us at {{ phone }}.\n"),
    ("recall", "email", "es"): ("Es momento de programar su {{ appointment_name }}",
                                "Hola {{ first_name }}:\n\nEs momento de programar su {{ appointment_name }}. "
                                "Llámenos al {{ phone }}.\n"),
    ("no-show", "sms", "en"): ("", "{{ practice }}: {{ first_name }}, we missed you on {{ date }}. "
                                   "Call {{ phone }} to book again."),
    ("no-show", "sms", "es"): ("", "{{ practice }}: {{ first_name }}, lo esperábamos el {{ date }}. "
                                   "Llame al {{ phone }} para programar de nuevo."),
    ("no-show", "email", "en"): ("We missed you", "Hello {{ first_name }},\n\nWe missed you on {{ date }}. "
                                                  "Call us at {{ phone }} to book again.\n"),
    ("no-show", "email", "es"): ("Lo esperábamos", "Hola {{ first_name }}:\n\nLo esperábamos el {{ date }}. "
                                                   "Llámenos al {{ phone }} para programar de nuevo.\n"),
}
LANGUAGES = ("en", "es")


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    language: str


def language_for(patient: Any) -> str:
    preferred = (patient.preferred_language or "en")[:2]
    return preferred if preferred in LANGUAGES else "en"


class Wording:
    """The practice's edited templates, read once per batch of messages, compiled once per text."""

    def __init__(self) -> None:
        self.edited = {(t.kind, t.channel, t.language): (t.subject, t.body) for t in MessageTemplate.objects.all()}

    def get(self, kind: str, channel: str, language: str) -> tuple[Template, Template]:
        key = (kind, channel, language)
        subject, body = self.edited.get(key) or DEFAULTS.get(key) or DEFAULTS[(kind, channel, "en")]
        return _compiled(subject), _compiled(body)


@lru_cache(maxsize=256)
def _compiled(text: str) -> Template:
    return Template(text)


def render(*, kind: str, channel: str, patient: Any, values: dict[str, Any], wording: Wording | None = None
           ) -> Rendered:
    language = language_for(patient)
    subject, body = (wording or Wording()).get(kind, channel, language)
    with translation.override(language):
        context = Context({"first_name": patient.preferred_name or patient.given_name, **values}, autoescape=False)
        rendered = Rendered(subject.render(context).strip(), body.render(context).strip(), language)
    if channel == Channel.SMS and len(rendered.body) > 480:
        rendered = Rendered(rendered.subject, rendered.body[:477] + "...", language)
    return rendered


def local_date_time(moment: Any, tz: Any, language: str) -> tuple[str, str]:
    local = moment.astimezone(tz)
    with translation.override(language):
        return formats.date_format(local, "DATE_FORMAT"), formats.time_format(local, "TIME_FORMAT")
