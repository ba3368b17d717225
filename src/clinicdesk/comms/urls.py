from django.urls import path

from . import compose_views, consent_views, setup_views, views

app_name = "comms"
urlpatterns = [
    path("r/<str:token>/", views.answer, name="answer"),
    path("u/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("hooks/sms/inbound", views.sms_inbound, name="sms_inbound"),
    path("hooks/sms/status", views.sms_status, name="sms_status"),
    path("messages/patient/<int:patient_id>/", views.outbox, name="outbox"),
    path("messages/patient/<int:patient_id>/contact-preferences/", consent_views.contact_preferences,
         name="contact_preferences"),
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
    # correspondence: letters and messages written by staff, incoming mail (#24)
    path("messages/compose/", compose_views.compose_page, name="compose"),
    path("messages/sent/", compose_views.sent_page, name="sent"),
    path("messages/compose/templates/", compose_views.templates_page, name="compose_templates"),
    path("messages/compose/templates/new/", compose_views.template_new, name="compose_template_new"),
    path("messages/compose/templates/<int:template_id>/", compose_views.template_edit, name="compose_template"),
    path("messages/incoming/", compose_views.incoming_page, name="incoming"),
    path("messages/incoming/new/", compose_views.incoming_new, name="incoming_new"),
    path("messages/incoming/<int:item_id>/", compose_views.incoming_item, name="incoming_item"),
    path("messages/incoming/<int:item_id>/done/", compose_views.incoming_done, name="incoming_done"),
    path("messages/incoming/<int:item_id>/files/<int:file_id>/", compose_views.incoming_file,
         name="incoming_file"),
]
