"""The seeded questions of the yearly security risk assessment (after the HHS/ONC SRA tool's sections, 45 CFR
164.308-316). Keys are stored; the words are shown in the user's language."""

from django.utils.translation import gettext_lazy as _

RISK_QUESTIONS = {
    "inventory": _("Is there a current inventory of every device and system that holds patient information?"),
    "access-control": _("Does every user have their own login, with access limited to what their job needs?"),
    "mfa": _("Is multi-factor authentication required for remote access and for administrators?"),
    "audit-review": _("Are access logs reviewed regularly, and unusual access followed up?"),
    "encryption": _("Are laptops, phones and backups that hold patient information encrypted?"),
    "backup": _("Are backups made, kept off site, and restored in a test at least once a year?"),
    "contingency": _("Is there a written contingency plan for an outage, and has it been tested?"),
    "training": _("Has every staff member completed privacy and security training this year?"),
    "baa": _("Is there a signed business associate agreement with every vendor that handles patient "
             "information?"),
    "physical": _("Are work areas, servers and paper records protected from unauthorized physical access?"),
    "incident-response": _("Is there a procedure to report, investigate and document security incidents?"),
    "patching": _("Are operating systems and applications kept up to date with security patches?"),
}
