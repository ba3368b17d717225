import subprocess
import sys

import pytest


def _start_with(**env_vars):
    import os

    env = {**os.environ, **env_vars, "CLINICDESK_TESTING": "1"}
    return subprocess.run([sys.executable, "-c", "import django, os; os.environ['DJANGO_SETTINGS_MODULE']="
                           "'clinicdesk.settings'; django.setup()"], env=env, capture_output=True, text=True)


@pytest.mark.parametrize(("name", "value", "message"), [
    ("PORT", "eighty", "PORT: 'eighty' is not a whole number"),
    ("HTTPS", "tru", "HTTPS: 'tru' is not true or false"),
    ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE: 'Mars/Olympus' is not an IANA time zone"),
    ("TASK_BACKEND", "carrier-pigeon", "TASK_BACKEND: 'carrier-pigeon' is not one of"),
    ("DATABASE_URL", "mysql://x/y", "DATABASE_URL: engine"),
    ("IDLE_TIMEOUT_MINUTES", "0", "IDLE_TIMEOUT_MINUTES: 0 is outside"),
    ("LOG_LEVEL", "LOUD", "LOG_LEVEL: 'LOUD'"),
])
def test_bad_setting_stops_the_start_with_a_message_naming_it(name, value, message):
    result = _start_with(**{name: value})
    assert result.returncode != 0
    assert message in result.stderr
