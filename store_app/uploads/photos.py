"""Photos as we keep them: an uploaded JPEG, PNG or WebP (told by its content, never its name) is
decoded with Pillow and encoded afresh as one format (WebP), so that nothing of the original file
survives but its pixels: no EXIF (the phone's GPS position, its serial number), no XMP, no comments,
no ICC profile (the colours are converted to sRGB first). The camera's orientation is applied, the
longest side is brought down to ``max_side`` pixels, and an image whose header declares more than
``max_pixels`` is refused before it is decoded (a decompression bomb: a few kB that would unpack into
gigabytes). Animated images keep their first frame.

Pure: bytes in, bytes out, no Flask. Problems are ``PhotoError`` codes; each domain turns them into
its own message (as ``csv_rules.CsvFileError`` is for CSV files).
"""
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
EXTENSION, MIME_TYPE = "webp", "image/webp"
MAX_SIDE_PX = 2048
# Decoded, a 25-megapixel RGBA image takes 100 MB: enough for any camera's photo at its usual size.
MAX_PIXELS = 25_000_000
QUALITY = 82


class PhotoError(ValueError):
    """The bytes are not a photo we keep; ``code``: ``type`` (not JPEG, PNG or WebP), ``broken``
    (truncated or corrupt), ``too_many_pixels`` (over the pixel budget: a decompression bomb)."""

    @property
    def code(self):
        return self.args[0]


@dataclass(frozen=True)
class Photo:
    """A photo re-encoded for keeping: ``data`` in ``EXTENSION`` format, its size in pixels."""

    data: bytes
    width: int
    height: int
    extension: str = EXTENSION
    mime_type: str = MIME_TYPE


def reencode(data, *, max_side=MAX_SIDE_PX, max_pixels=MAX_PIXELS):
    """``data`` (an uploaded file's bytes) -> a ``Photo``, or ``PhotoError``."""
    image = _open(data, max_pixels)
    with image:
        try:
            icc_profile = image.info.get("icc_profile")
            image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS, reducing_gap=3.0)  # decodes
            upright = ImageOps.exif_transpose(image)
            clean = _srgb_pixels(upright, icc_profile)
            out = io.BytesIO()
            clean.save(out, format="WEBP", quality=QUALITY, method=4)
        except Image.DecompressionBombError as exc:
            raise PhotoError("too_many_pixels") from exc
        except Exception as exc:  # noqa: BLE001 -- a decoder fed hostile bytes may raise anything
            raise PhotoError("broken") from exc
    return Photo(out.getvalue(), clean.width, clean.height)


def smaller_copies(photo, widths):
    """``[(width, Photo)]``: the re-encoded ``photo`` scaled down to each of ``widths`` (pixels) that
    is narrower than it, keeping its proportions (for ``srcset``: a phone fetches 320 px, not 2048)."""
    copies = []
    with Image.open(io.BytesIO(photo.data), formats=("WEBP",)) as image:
        image.load()
        for width in sorted(set(widths)):
            if width >= image.width:
                continue
            height = max(1, round(image.height * width / image.width))
            scaled = image.resize((width, height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            out = io.BytesIO()
            scaled.save(out, format="WEBP", quality=QUALITY, method=4)
            copies.append((width, Photo(out.getvalue(), width, height)))
    return copies


def _open(data, max_pixels):
    """The image, header read, nothing decoded yet; its declared size checked against the budget."""
    try:
        with warnings.catch_warnings():
            # Pillow warns (and past twice its own limit refuses) on a header declaring a huge size.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PhotoError("too_many_pixels") from exc
    except UnidentifiedImageError as exc:
        raise PhotoError("type") from exc
    except Exception as exc:  # noqa: BLE001 -- a header that a plugin cannot parse
        raise PhotoError("broken") from exc
    # The guard that holds whatever the warning filters are (they are process-wide): the budget.
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise PhotoError("too_many_pixels" if width * height > max_pixels else "broken")
    return image


def _srgb_pixels(image, icc_profile):
    """A new image of the same pixels in sRGB, RGB or RGBA, carrying no metadata at all."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    mode = "RGBA" if has_alpha else "RGB"
    if icc_profile and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            target = ImageCms.createProfile("sRGB")
            image = ImageCms.profileToProfile(image, source, target, outputMode=mode if image.mode != "CMYK"
                                              else "RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a profile littlecms cannot read: the pixels stay as they are
    converted = image.convert(mode)
    clean = Image.new(mode, converted.size)
    clean.paste(converted)
    return clean
