# ruff: noqa: E501  (form texts keep one paragraph per line; the PDF reflows them)
"""Reference data every practice starts with: the common US payers and version 1 of the standard forms
in English and Spanish. Used by the data migration and by tests that flush the database."""

from __future__ import annotations

from typing import Any

PAYERS = [
    ("Aetna", "60054", "commercial"), ("Anthem Blue Cross Blue Shield", "00227", "commercial"),
    ("Blue Cross Blue Shield of Massachusetts", "00700", "commercial"),
    ("Blue Cross Blue Shield of Arizona", "53589", "commercial"), ("Cigna", "62308", "commercial"),
    ("Humana", "61101", "commercial"), ("Kaiser Permanente", "94320", "commercial"),
    ("UnitedHealthcare", "87726", "commercial"), ("Harvard Pilgrim Health Care", "04271", "commercial"),
    ("Tufts Health Plan", "04298", "commercial"), ("Oscar Health", "OSCAR", "commercial"),
    ("Ambetter", "68069", "commercial"), ("Molina Healthcare", "MLNAZ", "medicaid"),
    ("Centene / WellCare", "14163", "medicare-advantage"), ("Medicare Part B", "MEDICARE", "medicare"),
    ("MassHealth (Medicaid)", "DMA7384", "medicaid"), ("AHCCCS (Arizona Medicaid)", "AZMCD", "medicaid"),
    ("TRICARE East", "TREST", "military"), ("TRICARE West", "99726", "military"),
    ("Veterans Affairs Community Care", "TWVACCN", "military"), ("Workers' compensation", "WC", "other"),
    ("Self-pay", "", "self-pay"),
]

NPP_EN = """I acknowledge that I have received, or have been offered, a copy of this practice's Notice of Privacy Practices, which describes how my health information may be used and disclosed and how I can get access to it.

I understand that this practice may change its Notice, and that I can ask for the current version at any time."""
NPP_ES = """Reconozco que he recibido, o se me ha ofrecido, una copia del Aviso de Prácticas de Privacidad de esta práctica, que describe cómo se puede usar y divulgar mi información de salud y cómo puedo acceder a ella.

Entiendo que esta práctica puede cambiar su Aviso y que puedo pedir la versión vigente en cualquier momento."""
TREAT_EN = """I consent to examination, diagnostic procedures and treatment by the providers of this practice and their staff, as they judge necessary.

I understand that I may ask questions and may refuse any treatment, and that no guarantee has been made about results."""
TREAT_ES = """Doy mi consentimiento para el examen, los procedimientos de diagnóstico y el tratamiento por parte de los proveedores de esta práctica y su personal, según lo consideren necesario.

Entiendo que puedo hacer preguntas y rechazar cualquier tratamiento, y que no se me ha garantizado ningún resultado."""
FIN_EN = """I authorize my insurance benefits to be paid directly to this practice and I accept responsibility for co-pays, deductibles, co-insurance and services my plan does not cover.

Co-pays are due at the time of the visit. Accounts unpaid after 90 days may be referred for collection."""
FIN_ES = """Autorizo que los beneficios de mi seguro se paguen directamente a esta práctica y acepto la responsabilidad por los copagos, deducibles, coseguros y servicios que mi plan no cubra.

Los copagos se pagan en el momento de la visita. Las cuentas impagas después de 90 días pueden enviarse a cobranza."""
FORMS = [
    ("npp", "en", "HIPAA Notice of Privacy Practices acknowledgment", NPP_EN),
    ("npp", "es", "Acuse de recibo del Aviso de Prácticas de Privacidad (HIPAA)", NPP_ES),
    ("consent-to-treat", "en", "Consent to treat", TREAT_EN),
    ("consent-to-treat", "es", "Consentimiento para tratamiento", TREAT_ES),
    ("financial-policy", "en", "Financial policy", FIN_EN),
    ("financial-policy", "es", "Política financiera", FIN_ES),
]


def seed_reference_data(payer_model: Any, form_model: Any) -> None:
    """Idempotent: adds what is missing, changes nothing that exists."""
    payer_model.objects.bulk_create([payer_model(name=n, payer_code=c, kind=k) for n, c, k in PAYERS],
                                    ignore_conflicts=True)
    for code, language, title, body in FORMS:
        form_model.objects.get_or_create(code=code, version=1, language=language,
                                         defaults={"title": title, "body": body, "required": True})
