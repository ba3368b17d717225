from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from clinicdesk.core import api as core_api
from clinicdesk.core import site_views, styleguide
from clinicdesk.interop.fhir import views as fhir_views
from clinicdesk.reports import api as reports_api
from clinicdesk.reports import views as reports_views

handler400 = "clinicdesk.core.error_views.bad_request"
handler403 = "clinicdesk.core.error_views.forbidden"
handler404 = "clinicdesk.core.error_views.not_found"
handler500 = "clinicdesk.core.error_views.server_error"

urlpatterns = [
    path("", reports_views.home, name="home"),
    path("healthz", reports_views.healthz, name="healthz"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("styleguide", styleguide.styleguide, name="styleguide"),
    path("accounts/", include("clinicdesk.accounts.urls")),
    path("patients/", include("clinicdesk.patients.urls")),
    path("schedule/", include("clinicdesk.scheduling.urls")),
    path("audit/", include("clinicdesk.audit.urls")),
    path("practice/", include("clinicdesk.practice.urls")),
    path("frontdesk/", include("clinicdesk.frontdesk.urls")),
    path("billing/", include("clinicdesk.billing.urls")),
    path("reports/", include("clinicdesk.reports.urls")),
    path("", include("clinicdesk.comms.urls")),
    path("api/v1/openapi.json", core_api.openapi_json, name="api-openapi"),
    path("api/v1/me", reports_api.me, name="api-me"),
    path("api/v1/", include("clinicdesk.scheduling.api_urls")),
    path("api/v1/", include("clinicdesk.accounts.api_urls")),
    path("api/v1/", include("clinicdesk.patients.payer_api")),
    path("api/v1/", include("clinicdesk.practice.api_urls")),
    path("api/v1/", include("clinicdesk.billing.api_urls")),
    path("api/v1/", include("clinicdesk.patients.api_urls")),
    path("api/v1/", include("clinicdesk.comms.api_urls")),
    path("api/v1/", include("clinicdesk.practice.settings_api")),
    path("insurance/", include("clinicdesk.insurance.urls")),
    path("staffing/", include("clinicdesk.staffing.urls")),
    path("insight/", include("clinicdesk.insight.urls")),
    path("operations/", include("clinicdesk.operations.urls")),
    path("api/v1/", include("clinicdesk.insurance.api_urls")),
    path("api/v1/", include("clinicdesk.staffing.api_urls")),
    path("api/v1/", include("clinicdesk.insight.api_urls")),
    path("api/v1/", include("clinicdesk.operations.api_urls")),
    path("compliance/", include("clinicdesk.compliance.urls")),
    path("portal/", include("clinicdesk.portal.urls")),
    path("api/v1/", include("clinicdesk.compliance.api_urls")),
    path("api/v1/", include("clinicdesk.portal.api_urls")),
    path("outreach/", include("clinicdesk.outreach.urls")),
    path("api/v1/", include("clinicdesk.outreach.api_urls")),
    path("setup/imports/", include("clinicdesk.imports.urls")),
    path("setup/", include("clinicdesk.setup.urls")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("fhir/r4/", include("clinicdesk.interop.fhir.urls")),
    path(".well-known/smart-configuration", fhir_views.smart_configuration, name="smart-configuration"),
    path("o/", include("clinicdesk.interop.fhir.oauth_urls", namespace="oauth2_provider")),
]
