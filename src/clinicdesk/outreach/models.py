"""The outreach app's models."""

from django.db import models  # noqa: F401
