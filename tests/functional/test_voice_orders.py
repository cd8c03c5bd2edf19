"""Voice orders: a resident sends a note or a list, staff build the cart, the resident sees it."""
import io

import pytest

from store_app.catalogue.models import Category, Merchant, Product
from store_app.database import transaction
from store_app.extensions import db
from store_app.orders.models import CartItem, VoiceOrder
from store_app.accounts.models import User
from store_app.database import utcnow
from store_app.orders.errors import VoiceTooLarge
from store_app.orders.voice import MAX_AUDIO_BYTES, sniff_audio, submit_voice_order
from store_app.roles import Role

WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 200


def _product(app, store_id, stock=5):
    with app.app_context(), transaction():
        merchant = Merchant(store_id=store_id, name="Store", kind="store", lat=31.2, lon=121.4)
        category = Category(store_id=store_id, slug="dairy", name_zh="乳品", name_en="Dairy")
        db.session.add_all([merchant, category])
        db.session.flush()
        product = Product(store_id=store_id, merchant_id=merchant.id, category_id=category.id,
                          name_zh="鲜牛奶", name_en="Fresh milk", price_cents=1250, stock=stock)
        db.session.add(product)
        db.session.flush()
        return product.id


def _send(auth, text="", audio=None, filename="note.webm"):
    data = {"text": text}
    if audio is not None:
        data["audio"] = (io.BytesIO(audio), filename)
    return auth.post("/voice", data, token_from="/voice", content_type="multipart/form-data")


def test_audio_is_recognised_by_its_bytes_not_its_name():
    assert sniff_audio(WEBM) == ("audio/webm", "webm")
    assert sniff_audio(b"OggS" + b"\x00" * 10) == ("audio/ogg", "ogg")
    assert sniff_audio(b"RIFF\x00\x00\x00\x00WAVEfmt ") == ("audio/wav", "wav")
    assert sniff_audio(b"\x00\x00\x00\x18ftypM4A ") == ("audio/mp4", "m4a")
    assert sniff_audio(b"<html>not audio</html>") is None
    assert sniff_audio(b"XXXX\x00\x00\x00\x00WAVE") is None


def test_resident_sends_and_staff_build_the_cart(app, client, auth, community):
    product_id = _product(app, community["store_id"])
    resident_id, resident_phone = community["users"][Role.RESIDENT]
    auth.login(resident_phone)
    response = _send(auth, "两瓶牛奶 two bottles of milk", WEBM)
    assert response.status_code == 303
    with app.app_context():
        voice = db.session.scalar(db.select(VoiceOrder))
        assert voice.text.startswith("两瓶牛奶") and voice.audio_mime == "audio/webm"
        voice_id = voice.id
    auth.logout()

    auth.login(community["users"][Role.STAFF][1])
    queue = client.get("/console/voice").get_data(as_text=True)
    assert "两瓶牛奶" in queue
    with client.get(f"/console/voice/{voice_id}/audio") as audio:
        assert audio.data == WEBM
    assert "鲜牛奶" in client.get(f"/console/voice/{voice_id}?q=牛奶").get_data(as_text=True)
    token_page = f"/console/voice/{voice_id}"
    assert auth.post(f"/console/voice/{voice_id}/items", {"product_id": product_id, "quantity": 2},
                     token_from=token_page).status_code == 303
    assert auth.post(f"/console/voice/{voice_id}/ready", token_from=token_page).status_code == 303
    client.set_cookie("lang", "en")  # one known wording, whether or not the catalogues are compiled
    again = auth.post(f"/console/voice/{voice_id}/ready", token_from=token_page, follow_redirects=True)
    assert "Someone else already handled this voice order." in again.get_data(as_text=True)
    with app.app_context():
        line = db.session.scalar(db.select(CartItem).where(CartItem.user_id == resident_id))
        assert (line.product_id, line.quantity, line.voice_order_id) == (product_id, 2, voice_id)
        assert db.session.get(VoiceOrder, voice_id).status == "cart_ready"
    auth.logout()

    auth.login(resident_phone)
    assert "voice" in client.get("/cart").get_data(as_text=True).lower()


def test_bad_voice_input_changes_nothing(app, client, auth, community):
    auth.login(community["users"][Role.RESIDENT][1])
    assert _send(auth, "", None).status_code == 400
    assert _send(auth, "", b"<html>fake</html>").status_code == 415
    with app.app_context():
        resident = db.session.get(User, community["users"][Role.RESIDENT][0])
        too_big = b"\x1a\x45\xdf\xa3" + b"\x00" * MAX_AUDIO_BYTES
        with pytest.raises(VoiceTooLarge):
            submit_voice_order(resident, "", too_big, utcnow())
    typed = _send(auth, "x" * 10, None)
    assert typed.status_code == 303
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(VoiceOrder.id))) == 1


def test_the_form_keeps_the_typed_text_on_error(app, client, auth, community):
    auth.login(community["users"][Role.RESIDENT][1])
    page = _send(auth, "鸡蛋 eggs", b"not audio at all")
    assert page.status_code == 415
    assert "鸡蛋 eggs" in page.get_data(as_text=True)


def test_voice_pages_check_role_and_store(app, client, auth, community, create_store, create_user):
    auth.login(community["users"][Role.RESIDENT][1])
    _send(auth, "milk", None)
    assert client.get("/console/voice").status_code == 403
    auth.logout()
    other_store = create_store(name="Other")
    _, other_staff = create_user(other_store, Role.STAFF)
    auth.login(other_staff)
    with app.app_context():
        voice_id = db.session.scalar(db.select(VoiceOrder.id))
    assert client.get(f"/console/voice/{voice_id}").status_code == 404
    with client.get(f"/console/voice/{voice_id}/audio") as audio:
        assert audio.status_code == 404
