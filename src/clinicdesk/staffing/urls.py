"""/staffing/: the roster of a location and period, my shifts, and the coordinator's configuration screens."""

from django.urls import path

from . import leave_views, swap_views, training_views, views

app_name = "staffing"
urlpatterns = [
    path("", views.roster, name="roster"),
    path("solve/", views.roster_solve, name="roster-solve"),
    path("rosters/<int:roster_id>/publish/", views.roster_publish, name="roster-publish"),
    path("mine/", views.mine, name="mine"),
    path("shift-types/", views.shift_types, name="shift-types"),
    path("shift-types/new/", views.shift_type_new, name="shift-type-new"),
    path("shift-types/<int:shift_type_id>/", views.shift_type, name="shift-type"),
    path("skills/", views.skills, name="skills"),
    path("skills/new/", views.skill_new, name="skill-new"),
    path("skills/<int:skill_id>/", views.skill, name="skill"),
    path("staff/", views.staff, name="staff"),
    path("staff/new/", views.staff_new, name="staff-new"),
    path("staff/<int:staff_member_id>/", views.staff_member, name="staff-member"),
    path("cover/", views.cover, name="cover"),
    path("cover/new/", views.cover_new, name="cover-new"),
    path("cover/<int:cover_need_id>/delete/", views.cover_delete, name="cover-delete"),
    path("swaps/", swap_views.swaps, name="swaps"),
    path("swaps/offer/", swap_views.swap_offer, name="swap-offer"),
    path("swaps/claim/", swap_views.open_shift_claim, name="open-shift-claim"),
    path("swaps/<int:swap_id>/take/", swap_views.swap_take, name="swap-take"),
    path("swaps/<int:swap_id>/approve/", swap_views.swap_approve, name="swap-approve"),
    path("swaps/<int:swap_id>/decline/", swap_views.swap_decline, name="swap-decline"),
    path("swaps/<int:swap_id>/cancel/", swap_views.swap_cancel, name="swap-cancel"),
    path("requests/new/", swap_views.shift_request_new, name="shift-request-new"),
    path("training/", training_views.training, name="training"),
    path("training/record/", training_views.training_record_new, name="training-record-new"),
    path("training/records/<int:record_id>/certificate/", training_views.training_evidence,
         name="training-evidence"),
    path("leave/", leave_views.leave_home, name="leave"),
    path("leave/new/", leave_views.leave_new, name="leave-new"),
    path("leave/<int:leave_id>/", leave_views.leave_detail, name="leave-detail"),
    path("leave/<int:leave_id>/approve/", leave_views.leave_approve, name="leave-approve"),
    path("leave/<int:leave_id>/decline/", leave_views.leave_decline, name="leave-decline"),
    path("leave/<int:leave_id>/cancel/", leave_views.leave_cancel, name="leave-cancel"),
    path("leave/<int:leave_id>/cover/", leave_views.leave_cover, name="leave-cover"),
]
