"""Writes to patient records. Each service checks permission, validates, writes and audits in one
transaction (`atomic_service`). Topics live in the modules of this package."""

from .access import break_glass_open
from .alerts import (
    alert_kind_create,
    alert_kind_deactivate,
    alert_kind_detail,
    alert_kind_update,
    alert_kinds_list,
    patient_alert_add,
    patient_alert_end,
)
from .consents import form_sign, form_template_publish
from .coverage import coverage_add, coverage_end, coverage_update
from .documents import document_upload
from .form_templates import form_template_deactivate
from .importer import ImportReport, patients_import
from .merge import duplicate_dismiss, duplicates_scan, patient_merge
from .payer_plans import (
    payer_plan_create,
    payer_plan_deactivate,
    payer_plan_detail,
    payer_plan_update,
    payer_plans_list,
    plans_offered,
)
from .payers import may_edit_payers, payer_create, payer_deactivate, payer_detail, payer_update, payers_list
from .registration import (
    mrns_allocate,
    patient_inactivate,
    patient_mark_deceased,
    patient_reactivate,
    patient_register,
    patient_update,
    related_person_add,
)

__all__ = [
    "ImportReport",
    "alert_kind_create",
    "alert_kind_deactivate",
    "alert_kind_detail",
    "alert_kind_update",
    "alert_kinds_list",
    "break_glass_open",
    "coverage_add",
    "coverage_end",
    "coverage_update",
    "document_upload",
    "duplicate_dismiss",
    "duplicates_scan",
    "form_sign",
    "form_template_deactivate",
    "form_template_publish",
    "may_edit_payers",
    "mrns_allocate",
    "patient_alert_add",
    "patient_alert_end",
    "patient_inactivate",
    "patient_mark_deceased",
    "patient_merge",
    "patient_reactivate",
    "patient_register",
    "patient_update",
    "patients_import",
    "payer_create",
    "payer_deactivate",
    "payer_detail",
    "payer_plan_create",
    "payer_plan_deactivate",
    "payer_plan_detail",
    "payer_plan_update",
    "payer_plans_list",
    "payer_update",
    "payers_list",
    "plans_offered",
    "related_person_add",
]
