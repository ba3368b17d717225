"""The menu is built only when a page shows it (issue #16, fixed costs per request): the htmx partials most requests
render do not pay for it; a full page shows the user's menu, as of this request's role."""

from __future__ import annotations

from unittest.mock import patch

from clinicdesk.core import context_processors
from clinicdesk.core.permissions import Role


def test_an_htmx_partial_does_not_build_the_menu(signed_in):
    clerk = signed_in(Role.FRONT_DESK)
    with patch.object(context_processors, "menu_for", wraps=context_processors.menu_for) as built:
        response = clerk.post("/patients/", {"q": "nobody"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert built.call_count == 0


def test_a_page_shows_the_menu_of_the_users_role_at_this_request(signed_in):
    clerk = signed_in(Role.FRONT_DESK)
    with patch.object(context_processors, "menu_for", wraps=context_processors.menu_for) as built:
        page = clerk.get("/patients/").content.decode()
    assert built.call_count == 1
    assert 'data-screen="patients"' in page and 'data-screen="audit"' not in page
    clerk.user.role = Role.COMPLIANCE
    clerk.user.save(update_fields=["role"])
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=clerk.user, name="test", confirmed=True)
    session = clerk.session
    session["otp_device_id"] = device.persistent_id
    session.save()
    assert 'data-screen="audit"' in clerk.get("/patients/").content.decode()
