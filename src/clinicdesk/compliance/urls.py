from django.urls import path

from . import views

app_name = "compliance"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("incidents/", views.incidents, name="incidents"),
    path("incidents/new/", views.incident_new, name="incident-new"),
    path("incidents/<int:incident_id>/", views.incident, name="incident"),
    path("incidents/<int:incident_id>/review/", views.incident_review, name="incident-review"),
    path("incidents/<int:incident_id>/actions/", views.incident_action, name="incident-action"),
    path("incidents/<int:incident_id>/close/", views.incident_close, name="incident-close"),
    path("actions/<int:action_id>/done/", views.action_done, name="action-done"),
    path("complaints/", views.complaints, name="complaints"),
    path("complaints/new/", views.complaint_new, name="complaint-new"),
    path("complaints/log.csv", views.grievance_log, name="grievance-log"),
    path("complaints/<int:complaint_id>/", views.complaint, name="complaint"),
    path("complaints/<int:complaint_id>/grievance/", views.complaint_grievance, name="complaint-grievance"),
    path("complaints/<int:complaint_id>/resolve/", views.complaint_resolve, name="complaint-resolve"),
    path("complaints/<int:complaint_id>/escalate/", views.complaint_escalate, name="complaint-escalate"),
    path("complaints/<int:complaint_id>/acknowledge/", views.complaint_acknowledge, name="complaint-acknowledge"),
    path("complaints/<int:complaint_id>/answer/", views.complaint_answer, name="complaint-answer"),
    path("requests/", views.requests, name="requests"),
    path("requests/new/", views.request_new, name="request-new"),
    path("requests/<int:request_id>/", views.rights_request, name="request"),
    path("requests/<int:request_id>/start/", views.request_start, name="request-start"),
    path("requests/<int:request_id>/fulfil/", views.request_fulfil, name="request-fulfil"),
    path("requests/<int:request_id>/close/", views.request_close, name="request-close"),
    path("disclosures/", views.disclosures, name="disclosures"),
    path("disclosures/new/", views.disclosure_new, name="disclosure-new"),
    path("breaches/", views.breaches, name="breaches"),
    path("breaches/new/", views.breach_new, name="breach-new"),
    path("breaches/<int:breach_id>/", views.breach, name="breach"),
    path("breaches/<int:breach_id>/notices/", views.breach_notice, name="breach-notice"),
    path("breaches/<int:breach_id>/close/", views.breach_close, name="breach-close"),
]
