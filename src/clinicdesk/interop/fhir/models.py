"""What the FHIR API keeps of its own: registered clients (scopes, default location) and resource versions.

Versions: Patient and Appointment rows carry no version counter of their own (their apps own them), so the
FHIR app stores a version when one CHANGES: the patients and scheduling apps announce every change
(patients.hooks.patient_changed, scheduling.hooks.status_changed / appointment_changed, the merge) and
`history.py` renders the resource and stores it when it differs from its latest version. Reads never write.
`vread` and `_history` answer from this table, so an old version reads back exactly as it was.
"""

from __future__ import annotations

from django.db import models


class FhirClient(models.Model):
    """An OAuth application registered for the FHIR API, with the SMART scopes it may be granted."""

    application = models.OneToOneField("oauth2_provider.Application", on_delete=models.CASCADE,
                                       related_name="fhir_client")
    scopes = models.TextField()
    # Where a Patient this client creates is registered when the resource does not say (see handlers._home_location)
    location = models.ForeignKey("practice.Location", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.application.name} ({self.scopes})"


class ResourceVersion(models.Model):
    resource_type = models.CharField(max_length=40)
    resource_id = models.CharField(max_length=64)
    version_id = models.PositiveIntegerField()
    last_updated = models.DateTimeField()
    content = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resource_type", "resource_id", "version_id"],
                                    name="fhir_version_unique"),
        ]
        indexes = [models.Index(fields=["resource_type", "resource_id", "-version_id"], name="fhir_version_latest")]
