from django.urls import path, re_path

from . import views

app_name = "fhir"
TYPE = r"(?P<resource_type>[A-Z][A-Za-z]+)"
ID = r"(?P<ident>[A-Za-z0-9\-.]{1,64})"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    re_path(rf"^{TYPE}/\$(?P<name>[a-z-]+)$", views.operation_view, name="operation"),
    re_path(rf"^{TYPE}/_search$", views.search_post, name="search"),
    re_path(rf"^{TYPE}/{ID}/_history$", views.history_view, name="history"),
    re_path(rf"^{TYPE}/{ID}/_history/(?P<version>[A-Za-z0-9\-.]{{1,64}})$", views.vread_view, name="vread"),
    re_path(rf"^{TYPE}/{ID}$", views.instance_view, name="instance"),
    re_path(rf"^{TYPE}$", views.type_view, name="type"),
    re_path(r"^(?P<path>.*)$", views.not_found),
]
