from django.urls import path

from . import setup_views, views

app_name = "comms"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("hooks/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("hooks/sms/status", views.sms_status, name="sms_status"),
    path("messages/patient/<int:patient_id>/", views.outbox, name="outbox"),
    path("messages/attention/", views.worklist, name="worklist"),
    path("messages/<int:message_id>/resend/", views.resend, name="resend"),
    # set-up: reminder rules, quiet hours, message wording (#14)
    path("messages/setup/reminders/", setup_views.reminder_rules, name="reminder_rules"),
    path("messages/setup/reminders/new/", setup_views.reminder_rule_new, name="reminder_rule_new"),
    path("messages/setup/reminders/<int:rule_id>/", setup_views.reminder_rule_edit, name="reminder_rule_edit"),
    path("messages/setup/reminders/<int:rule_id>/deactivate/", setup_views.reminder_rule_deactivate,
         name="reminder_rule_deactivate"),
    path("messages/setup/quiet-hours/", setup_views.quiet_hours, name="quiet_hours"),
    path("messages/setup/templates/", setup_views.message_templates, name="message_templates"),
    path("messages/setup/templates/<int:template_id>/", setup_views.message_template_edit,
         name="message_template_edit"),
]
