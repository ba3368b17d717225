from django.urls import path

from . import views

app_name = "practice"
urlpatterns = [path("locations/", views.locations, name="locations")]
