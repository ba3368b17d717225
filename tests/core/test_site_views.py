from django.test import Client


def test_favicon_ico_sends_the_browser_to_the_static_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith(".svg")
    assert "public" in response["Cache-Control"]
    icon = Client().get(response["Location"])
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)
