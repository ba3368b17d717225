from django.urls import path

from . import intake_views, payment_views, plan_views, views

app_name = "portal"
urlpatterns = [
    path("", views.start, name="start"),
    path("sign-in/link/<str:token>/", views.link, name="link"),
    path("sign-in/code/", views.code, name="code"),
    path("language/", views.language, name="language"),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("home/", views.home, name="home"),
    path("person/", views.person, name="person"),
    path("book/", views.book, name="book"),
    path("book/<int:type_id>/", views.book_type, name="book-type"),
    path("book/<int:type_id>/waitlist/", views.waitlist, name="waitlist"),
    path("appointments/<int:appointment_id>/", views.appointment, name="appointment"),
    path("appointments/<int:appointment_id>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("appointments/<int:appointment_id>/move/", views.appointment_move, name="appointment-move"),
    path("messages/", views.message_list, name="messages"),
    path("pay/", payment_views.pay, name="pay"),
    path("pay/plan/", payment_views.pay_plan, name="pay-plan"),
    path("pay/webhook/", payment_views.pay_webhook, name="pay-webhook"),
    path("pay/<str:reference>/", payment_views.pay_return, name="pay-return"),
    path("pay/<str:reference>/receipt.pdf", payment_views.pay_receipt, name="pay-receipt"),
    path("intake/", intake_views.intake_page, name="intake"),
    path("intake/details/", intake_views.intake_details, name="intake-details"),
    path("intake/insurance/", intake_views.intake_insurance, name="intake-insurance"),
    path("intake/history/", intake_views.intake_history, name="intake-history"),
    path("intake/forms/<int:template_id>/", intake_views.intake_sign, name="intake-sign"),
    # The waiting-room kiosk
    path("kiosk/<int:location_id>/", intake_views.kiosk_start, name="kiosk"),
    path("kiosk/<int:location_id>/check-in/", intake_views.kiosk_check_in, name="kiosk-check-in"),
    path("kiosk/<int:location_id>/alive/", intake_views.kiosk_alive, name="kiosk-alive"),
    path("kiosk/<int:location_id>/enable/", intake_views.kiosk_enable, name="kiosk-enable"),
    path("kiosk/<int:location_id>/language/", intake_views.kiosk_language, name="kiosk-language"),
    # The practice's side
    path("staff/inbox/", views.staff_inbox, name="staff-inbox"),
    path("staff/inbox/<int:message_id>/", views.staff_message, name="staff-message"),
    path("staff/booking-rules/", views.staff_booking_rules, name="staff-booking-rules"),
    path("staff/booking-rules/<int:type_id>/", views.staff_booking_rule_save, name="staff-booking-rule-save"),
    path("staff/intake/", intake_views.staff_intake, name="staff-intake"),
    path("staff/intake/<int:submission_id>/", intake_views.staff_intake_review, name="staff-intake-review"),
    path("staff/proxies/", views.staff_proxies, name="staff-proxies"),
    path("staff/proxies/<int:authorization_id>/revoke/", views.staff_proxy_revoke, name="staff-proxy-revoke"),
    path("staff/plans/<int:patient_id>/", plan_views.staff_plans, name="staff-plans"),  # payment plans (#19)
    path("staff/plans/end/<int:plan_id>/", plan_views.staff_plan_end, name="staff-plan-end"),
]
