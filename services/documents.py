"""A vendor's files: the documents of an application (business licence, ID card, insurance) and the
photos of its offerings, kept under ``<instance>/uploads/`` by ``store_app.uploads.storage``.

A file is read up to its limit and told by its first bytes, never its name: a document is a PDF,
JPEG or PNG; a picture is decoded and re-encoded (WebP, no EXIF) before anything is written. Files
are staged inside the transaction that stores their row and kept only if it commits.

Documents (``vendor-docs``) are private: served only to the vendor's owner and to the store's staff
(anyone else: 404). Offering photos (``offerings``) are shown to residents.
"""
from dataclasses import dataclass

from flask import current_app

from store_app.extensions import db
from store_app.roles import Role
from store_app.uploads import photos, storage

from .errors import DocumentRefused
from .models import DocumentKind, Offering, Vendor, VendorDocument

DOCUMENT_FOLDER, PHOTO_FOLDER = "vendor-docs", "offerings"
MAX_DOCUMENT_BYTES = 5 * 1024 * 1024
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 6
PDF_MAGIC, JPEG_MAGIC, PNG_MAGIC = b"%PDF-", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n"
STAFF_ROLES = (Role.STAFF.value, Role.OWNER.value)


def _document_names():
    return set(db.session.scalars(db.select(VendorDocument.file_name)))


def _photo_names():
    return {name for names in db.session.scalars(db.select(Offering.photos)) for name in (names or [])}


storage.register_folder(DOCUMENT_FOLDER, _document_names)
storage.register_folder(PHOTO_FOLDER, _photo_names)


@dataclass(frozen=True)
class ReadFile:
    """An uploaded file checked and ready to keep (a picture already re-encoded)."""

    data: bytes
    extension: str
    content_type: str


def sniff_document(head):
    """``"pdf"``, ``"jpeg"`` or ``"png"`` from a file's first bytes, or None."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head.startswith(JPEG_MAGIC):
        return "jpeg"
    if head.startswith(PNG_MAGIC):
        return "png"
    return None


def _read_bytes(upload, field, max_bytes):
    try:
        data = upload.stream.read(max_bytes + 1)
    finally:
        upload.close()
    if not data:
        raise DocumentRefused(field, "empty")
    if len(data) > max_bytes:
        raise DocumentRefused(field, "too_large", max_mb=max(1, max_bytes // (1024 * 1024)))
    return data


def _reencode(data, field):
    try:
        photo = photos.reencode(data, max_pixels=current_app.config.get("PHOTO_MAX_PIXELS", photos.MAX_PIXELS))
    except photos.PhotoError as exc:
        raise DocumentRefused(field, exc.code) from exc
    return ReadFile(photo.data, photo.extension, photo.mime_type)


def read_document(upload, field):
    """The checked file of a document field (a PDF as sent, a picture re-encoded), None when no file
    was chosen, ``DocumentRefused`` otherwise. Nothing is written."""
    if upload is None or not getattr(upload, "filename", ""):
        return None
    data = _read_bytes(upload, field, current_app.config.get("VENDOR_DOCUMENT_MAX_BYTES", MAX_DOCUMENT_BYTES))
    kind = sniff_document(data[:16])
    if kind is None:
        raise DocumentRefused(field, "type")
    if kind == "pdf":
        return ReadFile(data, "pdf", "application/pdf")
    return _reencode(data, field)


def read_photos(uploads, field="photos"):
    """The re-encoded pictures of a multi-file field (empty parts skipped), ``DocumentRefused`` for
    one that is not a JPEG, PNG or WebP picture."""
    found = []
    for upload in uploads:
        if upload is None or not getattr(upload, "filename", ""):
            continue
        found.append(_reencode(_read_bytes(upload, field, MAX_PHOTO_BYTES), field))
    return found


def keep_document(vendor, kind, read):
    """Stage ``read`` (a ``ReadFile``) as the vendor's ``kind`` document; the row, flushed."""
    name = storage.keep(DOCUMENT_FOLDER, read.data, read.extension)
    document = VendorDocument(vendor_id=vendor.id, kind=DocumentKind(kind).value, file_name=name,
                              content_type=read.content_type, size_bytes=len(read.data))
    db.session.add(document)
    db.session.flush()
    return document


def keep_photo(read):
    """Stage an offering photo; its stored name."""
    return storage.keep(PHOTO_FOLDER, read.data, read.extension)


def drop_photo(name):
    """Delete an offering photo when the current transaction commits."""
    storage.discard(PHOTO_FOLDER, name)


def list_documents(vendor_id):
    """The vendor's documents, oldest first."""
    return db.session.scalars(db.select(VendorDocument).where(VendorDocument.vendor_id == vendor_id)
                              .order_by(VendorDocument.id)).all()


def document_for(user, document_id):
    """``(document, path)`` when ``user`` may see it (the vendor's owner, or staff of its store) and
    its file exists; None otherwise (the caller answers 404 either way)."""
    document = db.session.get(VendorDocument, document_id)
    if document is None:
        return None
    vendor = db.session.get(Vendor, document.vendor_id)
    allowed = (vendor.owner_id == user.id
               or (user.role in STAFF_ROLES and user.store_id == vendor.store_id))
    path = storage.path_of(DOCUMENT_FOLDER, document.file_name) if allowed else None
    return (document, path) if path is not None else None


def photo_path(name):
    """The file of an offering photo, or None when ``name`` is not one of ours."""
    return storage.path_of(PHOTO_FOLDER, name)
