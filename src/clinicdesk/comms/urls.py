from django.urls import path

from . import views

app_name = "comms"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("hooks/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("hooks/sms/status", views.sms_status, name="sms_status"),
    path("messages/patient/<int:patient_id>/", views.outbox, name="outbox"),
    path("messages/attention/", views.worklist, name="worklist"),
    path("messages/<int:message_id>/resend/", views.resend, name="resend"),
]
