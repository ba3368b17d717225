"""Routes of statements, balances, credit refunds and disputes (#19 items 8-9), mounted by billing/urls.py."""

from django.urls import path

from . import dispute_views, statement_api, statement_views

urlpatterns = [
    path("statements/", statement_views.cycle, name="statements"),
    path("statements/settings/", statement_views.settings_save, name="statement_settings"),
    path("statements/<int:statement_id>/statement.pdf", statement_views.statement_pdf, name="statement_pdf"),
    path("statements/<int:statement_id>/printed/", statement_views.statement_printed, name="statement_printed"),
    path("patients/<int:patient_id>/balance/", statement_views.balance, name="balance"),
    path("patients/<int:patient_id>/statements/new/", statement_views.statement_new, name="statement_new"),
    path("patients/<int:patient_id>/hold/", statement_views.hold_place, name="hold_place"),
    path("holds/<int:hold_id>/release/", statement_views.hold_release, name="hold_release"),
    path("patients/<int:patient_id>/refunds/", statement_views.refund_request, name="refund_request"),
    path("refunds/", statement_views.refund_queue, name="refunds"),
    *[path(f"refunds/<int:refund_id>/{action}/", statement_views.refund_decide, {"action": action},
           name=f"refund_{action}") for action in ("approve", "decline")],
    path("disputes/", dispute_views.disputes, name="disputes"),
    path("patients/<int:patient_id>/disputes/", dispute_views.dispute_new, name="dispute_new"),
    path("disputes/<int:dispute_id>/", dispute_views.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/letter.pdf", dispute_views.dispute_letter, name="dispute_letter"),
]

api_urlpatterns = [
    path("patients/<int:patient_id>/statements", statement_api.patient_statements, name="statements"),
    path("disputes", statement_api.disputes, name="disputes"),
    path("patients/<int:patient_id>/disputes", statement_api.dispute_open, name="dispute-open"),
    path("disputes/<int:dispute_id>", statement_api.dispute, name="dispute"),
    path("disputes/<int:dispute_id>/close", statement_api.dispute_close, name="dispute-close"),
    path("patients/<int:patient_id>/credit-refunds", statement_api.refund_request, name="credit-refunds"),
    *[path(f"credit-refunds/<int:refund_id>/{action}", statement_api.refund_decide, {"action": action},
           name=f"credit-refund-{action}") for action in ("approve", "decline")],
]
