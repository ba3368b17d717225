from django.urls import path

from . import views

app_name = "practice"
urlpatterns = [
    path("organization/", views.organization, name="organization"),
    path("locations/", views.locations, name="locations"),
    path("locations/new/", views.location_new, name="location_new"),
    path("locations/<int:pk>/", views.location_edit, name="location_edit"),
    path("locations/<int:pk>/hours/", views.location_hours, name="location_hours"),
    path("locations/<int:pk>/deactivate/", views.location_deactivate, name="location_deactivate"),
    path("providers/", views.providers, name="providers"),
    path("providers/new/", views.provider_new, name="provider_new"),
    path("providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("providers/<int:pk>/deactivate/", views.provider_deactivate, name="provider_deactivate"),
    path("rooms/", views.rooms, name="rooms"),
    path("rooms/new/", views.room_new, name="room_new"),
    path("rooms/<int:pk>/", views.room_edit, name="room_edit"),
    path("rooms/<int:pk>/deactivate/", views.room_deactivate, name="room_deactivate"),
    path("equipment/", views.equipment, name="equipment"),
    path("equipment/new/", views.equipment_new, name="equipment_new"),
    path("equipment/<int:pk>/", views.equipment_edit, name="equipment_edit"),
    path("equipment/<int:pk>/deactivate/", views.equipment_deactivate, name="equipment_deactivate"),
]

from . import settings_views  # noqa: E402 - the practice settings screen (#14, helper "firstrun")

urlpatterns += [path("settings/", settings_views.practice_settings_edit, name="settings")]
