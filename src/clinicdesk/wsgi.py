import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinicdesk.settings")
application = get_wsgi_application()

# The loaded app is ~190,000 long-lived objects; without this, every full collection walks them all
# (~135 ms of CPU, every few requests on a busy page). Frozen, they are left out of collections.
gc.freeze()
