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
    # The patient portal (#23): what the patient asked for, never any content of their record.
    ("portal-sign-in", "email", "en"): (
        "Your sign-in link",
        "Hello {{ first_name }},\n\nUse this link to sign in to the patient portal of {{ practice }}. It works once, "
        "for 15 minutes:\n\n{{ link }}\n\nIf you did not ask for it, you can ignore this e-mail.\n",
    ),
    ("portal-sign-in", "email", "es"): (
        "Su enlace para entrar",
        "Hola {{ first_name }}:\n\nUse este enlace para entrar al portal de pacientes de {{ practice }}. Funciona "
        "una vez, durante 15 minutos:\n\n{{ link }}\n\nSi usted no lo pidió, puede ignorar este correo.\n",
    ),
    ("portal-sign-in", "sms", "en"): ("", "{{ practice }}: your portal sign-in code is {{ code }}. "
                                          "It works once, for 15 minutes."),
    ("portal-sign-in", "sms", "es"): ("", "{{ practice }}: su código para entrar al portal es {{ code }}. "
                                          "Funciona una vez, durante 15 minutos."),
    ("portal-notice", "email", "en"): ("You have a new message",
                                       "Hello {{ first_name }},\n\nYou have a new message from {{ practice }}. "
                                       "Sign in to the patient portal to read it: {{ link }}\n"),
    ("portal-notice", "email", "es"): ("Tiene un mensaje nuevo",
                                       "Hola {{ first_name }}:\n\nTiene un mensaje nuevo de {{ practice }}. "
                                       "Entre al portal de pacientes para leerlo: {{ link }}\n"),
    ("portal-notice", "sms", "en"): ("", "{{ practice }}: you have a new message. Sign in to the patient portal "
                                         "to read it. {{ link }}"),
    ("portal-notice", "sms", "es"): ("", "{{ practice }}: tiene un mensaje nuevo. Entre al portal de pacientes "
                                         "para leerlo. {{ link }}"),
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


# Shipped wording of the templates staff write from (#24): seeded as each template's first version by migration
# comms/0003 (then edited on the templates screen, where every edit is a new version). The reminders above keep
# their own wording (MessageTemplate, the reminders set-up screen); this module stays their seed source.
COMPOSE_DEFAULTS: dict[str, tuple[str, str, str, tuple[str, str], tuple[str, str]]] = {
    # key: (name, purpose, channel, (subject_en, body_en), (subject_es, body_es))
    "appointment-letter": (
        "Appointment letter", "appointment", "letter",
        ("Your appointment on {{ appointment.date }}",
         "Dear {{ patient.full_name }},\n\nThis letter confirms your appointment with {{ appointment.provider }} on "
         "{{ appointment.date }} at {{ appointment.time }} at {{ appointment.location }}.\n\nIf you cannot come, "
         "please call us at {{ practice.phone }}.\n\nSincerely,\n{{ practice.name }}"),
        ("Su cita del {{ appointment.date }}",
         "Estimado/a {{ patient.full_name }}:\n\nEsta carta confirma su cita con {{ appointment.provider }} el "
         "{{ appointment.date }} a las {{ appointment.time }} en {{ appointment.location }}.\n\nSi no puede venir, "
         "llámenos al {{ practice.phone }}.\n\nAtentamente,\n{{ practice.name }}"),
    ),
    "balance-letter": (
        "Balance letter", "billing", "letter",
        ("Your balance with {{ practice.name }}",
         "Dear {{ patient.full_name }},\n\nOur records show a balance of {{ account.balance }} on your account. "
         "Please call us at {{ practice.phone }} to pay or to set up a payment plan.\n\nSincerely,\n"
         "{{ practice.name }}"),
        ("Su saldo con {{ practice.name }}",
         "Estimado/a {{ patient.full_name }}:\n\nNuestros registros muestran un saldo de {{ account.balance }} en "
         "su cuenta. Llámenos al {{ practice.phone }} para pagar o acordar un plan de pagos.\n\nAtentamente,\n"
         "{{ practice.name }}"),
    ),
    "general-letter": (
        "General letter", "general", "letter",
        ("A message from {{ practice.name }}",
         "Dear {{ patient.full_name }},\n\n\n\nSincerely,\n{{ practice.name }}"),
        ("Un mensaje de {{ practice.name }}",
         "Estimado/a {{ patient.full_name }}:\n\n\n\nAtentamente,\n{{ practice.name }}"),
    ),
    "appointment-email": (
        "Appointment e-mail", "appointment", "email",
        ("Your appointment on {{ appointment.date }}",
         "Hello {{ patient.first_name }},\n\nWe look forward to seeing you on {{ appointment.date }} at "
         "{{ appointment.time }} at {{ appointment.location }}.\n\nQuestions? Call us at {{ practice.phone }}."),
        ("Su cita del {{ appointment.date }}",
         "Hola {{ patient.first_name }}:\n\nLo esperamos el {{ appointment.date }} a las {{ appointment.time }} en "
         "{{ appointment.location }}.\n\n¿Preguntas? Llámenos al {{ practice.phone }}."),
    ),
    "balance-email": (
        "Balance e-mail", "billing", "email",
        ("Your balance with {{ practice.name }}",
         "Hello {{ patient.first_name }},\n\nYour balance is {{ account.balance }}. Call us at {{ practice.phone }} "
         "with any questions."),
        ("Su saldo con {{ practice.name }}",
         "Hola {{ patient.first_name }}:\n\nSu saldo es de {{ account.balance }}. Llámenos al {{ practice.phone }} "
         "si tiene preguntas."),
    ),
    "please-call-sms": (
        "Please call us", "general", "sms",
        ("", "{{ practice.name }}: {{ patient.first_name }}, please call us at {{ practice.phone }}."),
        ("", "{{ practice.name }}: {{ patient.first_name }}, por favor llámenos al {{ practice.phone }}."),
    ),
    "appointment-sms": (
        "Appointment text", "appointment", "sms",
        ("", "{{ practice.name }}: {{ patient.first_name }}, see you {{ appointment.date }} {{ appointment.time }} "
             "at {{ appointment.location }}. {{ practice.phone }}"),
        ("", "{{ practice.name }}: {{ patient.first_name }}, lo esperamos el {{ appointment.date }} a las "
             "{{ appointment.time }} en {{ appointment.location }}. {{ practice.phone }}"),
    ),
}
