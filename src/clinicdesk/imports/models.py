"""Imports from the old system: one batch per import, and what each committed batch created (for undo)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    PROVIDERS = "providers", _("Providers")
    ROOMS = "rooms", _("Rooms")
    EQUIPMENT = "equipment", _("Equipment")
    APPOINTMENT_TYPES = "appointment_types", _("Appointment types")
    AVAILABILITY = "availability", _("Availability templates")
    STAFF = "staff", _("Staff accounts")
    APPOINTMENTS = "appointments", _("Future appointments")


class ImportBatch(models.Model):
    """A file checked (dry run passed on the screen, waiting for "Import"), imported, or imported and undone.

    `content` holds the checked file between the dry run and the import on the screen only; it is emptied when
    the file is imported (undo works from `ImportedObject`, not from the file)."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("Checked, not imported")
        IMPORTED = "imported", _("Imported")
        UNDONE = "undone", _("Undone")

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file_name = models.CharField(_("file name"), max_length=200)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    content = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("checked at"))
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    passwords_issued_at = models.DateTimeField(null=True, blank=True)  # staff: temporary passwords shown once

    class Meta:
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "imported_at"], name="import_batch_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.file_name})"


class ImportedObject(models.Model):
    """One record a committed batch created: the model's name (as the audit trail writes it) and its id."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="created_objects")
    line = models.PositiveIntegerField()
    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()

    class Meta:
        ordering = ["batch", "line", "pk"]
