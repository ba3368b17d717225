"""core.api.object_view: the one shape of a JSON API view over one record named by the URL's id."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from clinicdesk.core.api import object_view


def _detail(*, actor, thing_id):
    return SimpleNamespace(pk=thing_id, who=actor.username)


def _json(thing):
    return {"id": thing.pk, "by": thing.who}


VIEW = object_view("GET", _detail, _json, id_arg="thing_id")
ACTION = object_view("POST", _detail, _json, id_arg="thing_id")


def _user():
    return SimpleNamespace(is_authenticated=True, username="carla")


def test_object_view_calls_with_the_actor_and_the_urls_id_and_answers_the_json():
    request = RequestFactory().get("/things/7")
    request.user = _user()
    response = VIEW(request, pk=7)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.content == b'{"id": 7, "by": "carla"}'
    assert VIEW.__name__ == "_detail"


@pytest.mark.parametrize(("view", "method", "allowed"), [(VIEW, "post", "GET"), (ACTION, "get", "POST")])
def test_object_view_allows_one_method(view, method, allowed):
    request = getattr(RequestFactory(), method)("/things/7")
    request.user = _user()
    response = view(request, pk=7)
    assert response.status_code == 405 and response["Allow"] == allowed


def test_object_view_answers_401_to_the_signed_out():
    request = RequestFactory().post("/things/7")
    request.user = AnonymousUser()
    response = ACTION(request, pk=7)
    assert response.status_code == 401 and response["Content-Type"] == "application/problem+json"
