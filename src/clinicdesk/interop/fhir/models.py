"""What the FHIR API keeps of its own: registered clients' scopes and resource versions.

Versions: Patient and Appointment rows carry no version counter of their own (their apps own them), so
each FHIR rendering of one is compared with its latest stored version; a difference (a change through
the API or through the web UI) stores a new version. `vread` answers from this table, so an old version
reads back exactly as it was served.
"""

from __future__ import annotations

from django.db import models


class FhirClient(models.Model):
    """An OAuth application registered for the FHIR API, with the SMART scopes it may be granted."""

    application = models.OneToOneField("oauth2_provider.Application", on_delete=models.CASCADE,
                                       related_name="fhir_client")
    scopes = models.TextField()
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
