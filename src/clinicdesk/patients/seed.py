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


# Payers the clearinghouse does not carry electronically: paper claims, eligibility on the payer's portal.
PAPER_PAYERS = frozenset({"Workers' compensation"})


def default_channels(name: str, payer_code: str, kind: str) -> tuple[str, str]:
    """(claim channel, eligibility channel) a seeded payer starts with: clearinghouse claims in batches and
    real-time eligibility for a payer with an electronic id, paper or portal without one, none for self-pay."""
    if kind == "self-pay":
        return "none", "none"
    if not payer_code or name in PAPER_PAYERS:
        return "paper-portal", "paper-portal"
    return "clearinghouse-batch", "clearinghouse-realtime"


def fill_payer_channels(payer_model: Any) -> None:
    """Seeded payers whose channels were never chosen (both still none) get the sensible defaults."""
    for payer in payer_model.objects.filter(claim_channel="none", eligibility_channel="none"):
        claim, eligibility = default_channels(payer.name, payer.payer_code, payer.kind)
        if (claim, eligibility) != ("none", "none"):
            payer_model.objects.filter(pk=payer.pk).update(claim_channel=claim, eligibility_channel=eligibility)


def seed_reference_data(payer_model: Any, form_model: Any) -> None:
    """Idempotent: adds what is missing, changes nothing that exists."""
    payer_model.objects.bulk_create([payer_model(name=n, payer_code=c, kind=k) for n, c, k in PAYERS],
                                    ignore_conflicts=True)
    if any(f.name == "claim_channel" for f in payer_model._meta.get_fields()):  # not in the 0003 migration's model
        fill_payer_channels(payer_model)
    for code, language, title, body in FORMS:
        form_model.objects.get_or_create(code=code, version=1, language=language,
                                         defaults={"title": title, "body": body, "required": True})
