from django.urls import path

from . import alert_views, form_template_views, payer_views, views

app_name = "patients"
urlpatterns = [
    path("", views.search, name="search"),
    path("new/", views.register, name="register"),
    path("<int:patient_id>/", views.chart, name="chart"),
    path("<int:patient_id>/unlock/", views.break_glass, name="break-glass"),
    path("<int:patient_id>/edit/", views.edit, name="edit"),
    path("<int:patient_id>/insurance/new/", views.coverage_new, name="coverage-new"),
    path("<int:patient_id>/insurance/<int:coverage_id>/end/", views.coverage_end, name="coverage-end"),
    path("<int:patient_id>/documents/new/", views.document_new, name="document-new"),
    path("<int:patient_id>/contacts/new/", views.contact_new, name="contact-new"),
    path("<int:patient_id>/forms/sign/", views.sign, name="sign"),
    path("<int:patient_id>/inactivate/", views.inactivate, name="inactivate"),
    path("<int:patient_id>/reactivate/", views.reactivate, name="reactivate"),
    path("<int:patient_id>/deceased/", views.deceased, name="deceased"),
    # patient alerts and their kinds (#15)
    path("<int:patient_id>/alerts/new/", alert_views.alert_new, name="alert_new"),
    path("alerts/<int:alert_id>/end/", alert_views.alert_end, name="alert_end"),
    path("alert-kinds/", alert_views.alert_kinds, name="alert_kinds"),
    path("alert-kinds/new/", alert_views.alert_kind_new, name="alert_kind_new"),
    path("alert-kinds/<int:kind_id>/", alert_views.alert_kind_edit, name="alert_kind_edit"),
    path("alert-kinds/<int:kind_id>/deactivate/", alert_views.alert_kind_deactivate, name="alert_kind_deactivate"),
    path("documents/<int:document_id>/", views.document_file, name="document"),
    path("signed-forms/<int:signed_form_id>/", views.signed_form_pdf, name="signed-form"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/merge/", views.merge_by_mrn, name="merge-by-mrn"),
    path("duplicates/<int:candidate_id>/", views.duplicate_review, name="duplicate"),
    path("duplicates/<int:candidate_id>/dismiss/", views.duplicate_dismiss, name="duplicate-dismiss"),
    path("export/", views.export, name="export"),
    path("break-glass/", views.break_glass_log, name="break-glass-log"),
    # payers and their default co-pays (#14)
    path("payers/", payer_views.payers, name="payers"),
    path("payers/new/", payer_views.payer_new, name="payer_new"),
    path("payers/<int:payer_id>/", payer_views.payer_detail, name="payer_detail"),
    path("payers/<int:payer_id>/edit/", payer_views.payer_edit, name="payer_edit"),
    path("payers/<int:payer_id>/deactivate/", payer_views.payer_deactivate, name="payer_deactivate"),
    # a payer's plans (#18)
    path("payers/<int:payer_id>/plans/new/", payer_views.plan_new, name="plan_new"),
    path("payers/plans/<int:plan_id>/", payer_views.plan_edit, name="plan_edit"),
    path("payers/plans/<int:plan_id>/deactivate/", payer_views.plan_deactivate, name="plan_deactivate"),
    # consent and intake form templates (#14)
    path("forms/", form_template_views.form_templates, name="form_templates"),
    path("forms/new/", form_template_views.form_template_new, name="form_template_new"),
    path("forms/<slug:code>/", form_template_views.form_template, name="form_template"),
    path("forms/<slug:code>/publish/", form_template_views.form_template_publish_version,
         name="form_template_publish"),
    path("forms/<slug:code>/deactivate/", form_template_views.form_template_deactivate_view,
         name="form_template_deactivate"),
]
