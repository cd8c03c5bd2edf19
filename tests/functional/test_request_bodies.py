"""Request bodies are read up to their limit, streamed (chunked) ones too, and a bigger one is a 413 in
the user's language (JSON under /api/). Through the test client, with the environ a server like
gunicorn gives a chunked request: no ``CONTENT_LENGTH``, ``wsgi.input_terminated`` set."""
import io
from urllib.parse import urlencode

import pytest
from werkzeug.exceptions import RequestEntityTooLarge

from store_app.extensions import csrf, db
from store_app.orders.models import VoiceOrder
from store_app.orders.voice import MAX_AUDIO_BYTES
from store_app.roles import Role
from store_app.web.bodies import BodyTooLarge, StreamingLimit, format_size, limited_input_stream
from store_app.web.uploads import FORM_SLACK_BYTES
from tests.conftest import csrf_token

VOICE_LIMIT = MAX_AUDIO_BYTES + FORM_SLACK_BYTES


class CountingStream(io.BytesIO):
    """A request body that remembers how many bytes the app took from it."""

    def __init__(self, data):
        super().__init__(data)
        self.taken = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.taken += len(chunk)
        return chunk

    def readinto(self, buffer):
        taken = super().readinto(buffer)
        self.taken += taken
        return taken


def chunked_post(client, path, body, content_type, **headers):
    """POST ``body`` as a server hands a chunked request to the app; returns (response, stream)."""
    stream = CountingStream(body)
    response = client.post(path, input_stream=stream, content_type=content_type,
                           headers={"Transfer-Encoding": "chunked", **headers},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.request.content_length is None  # the app cannot know the length up front
    return response, stream


@pytest.fixture
def resident(community, login_client):
    return login_client(community["users"][Role.RESIDENT][1])


def voice_orders(app):
    with app.app_context():
        return db.session.scalars(db.select(VoiceOrder.text)).all()


# ---- the stream itself ---------------------------------------------------------------------------

def test_a_streamed_body_up_to_its_cap_is_read_whole_and_one_past_it_is_refused():
    assert StreamingLimit(io.BytesIO(b"x" * 100), 100).read() == b"x" * 100
    assert StreamingLimit(io.BytesIO(b"x" * 99), 100).read() == b"x" * 99
    with pytest.raises(BodyTooLarge) as caught:
        StreamingLimit(io.BytesIO(b"x" * 101), 100).read()
    assert isinstance(caught.value, RequestEntityTooLarge) and caught.value.code == 413
    chunks = StreamingLimit(io.BytesIO(b"x" * 250), 100)
    assert chunks.read(64) == b"x" * 64 and chunks.read(64) == b"x" * 36
    with pytest.raises(BodyTooLarge):
        chunks.read(64)


def test_a_declared_length_over_the_cap_is_refused_before_reading():
    body = CountingStream(b"x" * 10)
    with pytest.raises(BodyTooLarge):
        limited_input_stream({"wsgi.input": body, "CONTENT_LENGTH": "101"}, 100)
    assert body.taken == 0
    stream = limited_input_stream({"wsgi.input": body, "CONTENT_LENGTH": "10"}, 100)
    assert stream.read() == b"x" * 10


def test_sizes_are_said_in_megabytes():
    assert [format_size(n) for n in (3 * 1048576, 2621440, 8 * 1048576 + 65536, 65536, 1000, 10)] == [
        "3 MB", "2.5 MB", "8.1 MB", "64 kB", "1 kB", "1 kB"]


# ---- through the app ---------------------------------------------------------------------------

def test_a_chunked_form_past_its_limit_is_413_and_saves_nothing(app, resident):
    """The attacker's test: a streamed urlencoded form of 3x the voice route's limit used to be read
    up to the limit and saved from its first part."""
    form = urlencode({"csrf_token": csrf_token(resident, "/voice"), "text": "two bottles of milk"})
    body = (form + "&pad=" + "A" * (3 * VOICE_LIMIT)).encode()
    response, stream = chunked_post(resident, "/voice", body, "application/x-www-form-urlencoded",
                                    **{"Accept-Language": "en"})
    assert response.status_code == 413
    assert "At most 3.1 MB can be sent at once." in response.get_data(as_text=True)
    assert stream.taken <= VOICE_LIMIT + 1  # read up to the limit, and one byte to see there is more
    assert voice_orders(app) == []


def test_a_chunked_multipart_upload_past_its_limit_is_413(app, resident):
    boundary = "b0und"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"
            f"{csrf_token(resident, '/voice')}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"audio\"; filename=\"a.webm\"\r\n"
            "Content-Type: audio/webm\r\n\r\n").encode()
    body = head + b"\x1a\x45\xdf\xa3" + b"\x00" * (2 * VOICE_LIMIT) + f"\r\n--{boundary}--\r\n".encode()
    response, stream = chunked_post(resident, "/voice", body, f"multipart/form-data; boundary={boundary}",
                                    **{"Accept-Language": "zh"})
    assert response.status_code == 413
    assert "一次最多只能发送 3.1 MB。" in response.get_data(as_text=True)
    assert stream.taken <= VOICE_LIMIT + 1
    assert voice_orders(app) == []


def test_a_chunked_form_within_its_limit_is_read_whole(app, resident):
    form = urlencode({"csrf_token": csrf_token(resident, "/voice"), "text": "eggs " * 150})
    response, stream = chunked_post(resident, "/voice", form.encode(), "application/x-www-form-urlencoded")
    assert response.status_code == 303
    assert stream.taken == len(form) and voice_orders(app) == [("eggs " * 150).strip()]


def test_every_route_holds_the_app_limit_for_chunked_bodies(app, client):
    """Not only upload routes: any form (here the login page) stops at MAX_CONTENT_LENGTH."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    body = urlencode({"csrf_token": csrf_token(client), "phone": "13900139000", "password": "x" * 200_000})
    response, stream = chunked_post(client, "/login", body.encode(), "application/x-www-form-urlencoded",
                                    **{"Accept-Language": "en"})
    assert response.status_code == 413 and "At most 64 kB can be sent at once." in response.get_data(as_text=True)
    assert stream.taken <= 64 * 1024 + 1


def test_a_declared_body_over_the_route_limit_is_413_unread(app, resident):
    stream = CountingStream(b"text=milk")
    response = resident.post("/voice", input_stream=stream, content_type="application/x-www-form-urlencoded",
                             headers={"Accept-Language": "en"},
                             environ_overrides={"CONTENT_LENGTH": str(VOICE_LIMIT + 1)})
    assert response.status_code == 413 and stream.taken == 0
    assert voice_orders(app) == []


def test_an_api_path_answers_413_as_json(app, client):
    def echo():
        from flask import jsonify, request
        return jsonify(size=len(request.get_json(silent=True) or []))
    app.add_url_rule("/api/v1/test-echo", "test_echo", csrf.exempt(echo), methods=["POST"])
    app.config["MAX_CONTENT_LENGTH"] = 1024
    small, _stream = chunked_post(client, "/api/v1/test-echo", b"[1, 2, 3]", "application/json")
    assert small.status_code == 200 and small.get_json() == {"size": 3}
    body = b"[" + b"1, " * 2000 + b"1]"
    response, stream = chunked_post(client, "/api/v1/test-echo", body, "application/json",
                                    **{"Accept-Language": "en"})
    assert response.status_code == 413 and stream.taken <= 1025
    assert response.get_json() == {"error": "At most 1 kB can be sent at once.", "status": 413}
