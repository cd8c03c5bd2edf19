"""Voice orders: a resident sends a voice note or a typed list; staff build the resident's cart
from it; the resident checks the cart and pays as usual.

A voice note is kept under ``<instance>/uploads/voice/`` (never served statically), written only
when the voice order is saved (``uploads.storage``)."""
from ..accounts.models import User
from ..catalogue.models import Product
from ..catalogue.operations import search_products
from ..errors import ValueTooLong
from ..extensions import db
from ..roles import Role
from ..uploads import storage
from . import cart, errors
from .models import CartItem, VoiceOrder

MAX_AUDIO_BYTES = 3 * 1024 * 1024
MAX_TEXT = 1000  # as the column
# Recognised by their first bytes, never by the name or the browser's word.
AUDIO_SIGNATURES = (
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm", "webm"),
    (b"OggS", 0, "audio/ogg", "ogg"),
    (b"ftyp", 4, "audio/mp4", "m4a"),
    (b"ID3", 0, "audio/mpeg", "mp3"),
    (b"WAVE", 8, "audio/wav", "wav"),
)


def sniff_audio(data):
    """``(mime, extension)`` for audio we accept, or None."""
    for signature, offset, mime, ext in AUDIO_SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            if ext == "wav" and data[:4] != b"RIFF":
                continue
            return mime, ext
    if len(data) > 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0:  # bare MPEG audio frame
        return "audio/mpeg", "mp3"
    return None


def _voice_note_names():
    return set(db.session.scalars(db.select(VoiceOrder.audio_filename).where(VoiceOrder.audio_filename.is_not(None))))


storage.register_folder("voice", _voice_note_names)


def audio_path(voice_order):
    """The file of a voice order's note, or None when it has none (or it is gone)."""
    return storage.path_of("voice", voice_order.audio_filename) if voice_order.audio_filename else None


def submit_voice_order(user, text, audio, now):
    """Record a voice order; ``audio`` is the raw bytes or None. Needs a note or some text."""
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise ValueTooLong("text", MAX_TEXT)
    if not text and not audio:
        raise errors.VoiceEmpty()
    order = VoiceOrder(store_id=user.store_id, user_id=user.id, text=text, created_at=now)
    if audio:
        if len(audio) > MAX_AUDIO_BYTES:
            raise errors.VoiceTooLarge()
        kind = sniff_audio(audio)
        if kind is None:
            raise errors.VoiceType()
        order.audio_mime, ext = kind
        order.audio_filename = storage.keep("voice", audio, ext)  # in place only if the order is saved
    db.session.add(order)
    db.session.flush()
    return order


def list_voice_orders_for_user(user_id):
    """The resident's voice orders, newest first."""
    return db.session.scalars(db.select(VoiceOrder).where(VoiceOrder.user_id == user_id)
                              .order_by(VoiceOrder.created_at.desc(), VoiceOrder.id.desc()).limit(20)).all()


def list_open_voice_orders(store_id):
    """Voice orders staff still have to handle, oldest first."""
    return db.session.scalars(db.select(VoiceOrder).where(VoiceOrder.store_id == store_id,
                                                          VoiceOrder.status == "new")
                              .order_by(VoiceOrder.created_at, VoiceOrder.id)).all()


def get_voice_order(store_id, voice_id):
    """A voice order of this store, or None."""
    return db.session.scalar(db.select(VoiceOrder).where(VoiceOrder.id == voice_id,
                                                         VoiceOrder.store_id == store_id))


def find_products(store_id, query, limit=20):
    """Active products of the store matching ``query`` the way the console's search does."""
    ids = search_products(query, Product.store_id == store_id, Product.is_active.is_(True))[:limit]
    found = {p.id: p for p in db.session.scalars(db.select(Product).where(Product.id.in_(ids)))} if ids else {}
    return [found[i] for i in ids if i in found]


def add_for_resident(staff, voice_order, product_id, quantity, now):
    """Staff put a product into the resident's cart, marked as coming from this voice order."""
    resident = db.session.scalar(db.select(User).where(User.id == voice_order.user_id,
                                                       User.role == Role.RESIDENT.value))
    return cart.add_to_cart(resident, product_id, quantity, voice_order_id=voice_order.id, now=now)


def mark_cart_ready(staff, voice_order, now):
    """The cart is built: the resident is asked to confirm and pay. Only once."""
    moved = db.session.execute(db.update(VoiceOrder).where(VoiceOrder.id == voice_order.id,
                                                           VoiceOrder.status == "new")
                               .values(status="cart_ready", handled_by_id=staff.id, handled_at=now)).rowcount
    if not moved:
        raise errors.StatusConflict(voice_order.id)
    db.session.refresh(voice_order)
    return voice_order


def voice_lines(user_id, voice_order_id):
    """The resident's cart lines that staff added for this voice order."""
    return db.session.scalars(db.select(CartItem).where(CartItem.user_id == user_id,
                                                        CartItem.voice_order_id == voice_order_id)).all()
