from django.urls import path

from . import views

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
    path("documents/<int:document_id>/", views.document_file, name="document"),
    path("signed-forms/<int:signed_form_id>/", views.signed_form_pdf, name="signed-form"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("duplicates/merge/", views.merge_by_mrn, name="merge-by-mrn"),
    path("duplicates/<int:candidate_id>/", views.duplicate_review, name="duplicate"),
    path("duplicates/<int:candidate_id>/dismiss/", views.duplicate_dismiss, name="duplicate-dismiss"),
    path("export/", views.export, name="export"),
    path("break-glass/", views.break_glass_log, name="break-glass-log"),
]
