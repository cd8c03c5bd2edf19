"""Errors of the catalogue, each with a message in the user's language."""
from flask_babel import gettext, lazy_gettext as _l

from ..errors import DomainError
from ..web.csv_files import file_problem_message


class CatalogueError(DomainError):
    """Base class; ``message`` is shown to the user, ``field`` names the form field at fault."""

    message = _l("This cannot be saved.")
    field = None
    status = 400


class UnitUnknown(CatalogueError):
    message = _l("Write the size as an amount and a unit, like 500 g, 1 L, 6 pieces or 1 loaf.")
    field = "unit_label"


class ProductNotFound(CatalogueError):
    message = _l("That product does not exist.")
    status = 404


class CategoryNotFound(CatalogueError):
    message = _l("That category does not exist.")
    status = 404


class MerchantNotFound(CatalogueError):
    message = _l("That merchant does not exist.")
    status = 404


class CategoryUnknown(CatalogueError):
    message = _l("Please choose a category from the list.")
    field = "category_id"


class MerchantUnknown(CatalogueError):
    message = _l("Please choose a merchant from the list.")
    field = "merchant_id"


class BarcodeTaken(CatalogueError):
    message = _l("Another product already has this barcode.")
    field = "barcode"


class BarcodeInvalid(CatalogueError):
    field = "barcode"

    def __init__(self, code):
        super().__init__(code)
        self.message = BARCODE_MESSAGES.get(code, BARCODE_MESSAGES["invalid"])


class PriceInvalid(CatalogueError):
    field = "price"

    def __init__(self, code):
        super().__init__(code)
        self.message = PRICE_MESSAGES.get(code, PRICE_MESSAGES["invalid"])


class CostInvalid(CatalogueError):
    message = _l("Enter the cost in yuan, e.g. 8.50, or leave it empty.")
    field = "cost"


class CategorySlugTaken(CatalogueError):
    message = _l("Another category already uses this short name.")
    field = "slug"


class MerchantNameTaken(CatalogueError):
    message = _l("Another merchant already has this name.")
    field = "name"


class OutOfStock(CatalogueError):
    status = 409

    def __init__(self, name=None):
        super().__init__(name)
        # gettext, not a lazy string: a lazy string renders as trusted HTML in Jinja, and the name
        # is text staff typed or imported.
        self.message = (gettext("Sorry, %(name)s just sold out.", name=name) if name
                        else _l("Sorry, this item is sold out."))


class StockWouldGoNegative(CatalogueError):
    field = "delta"
    status = 409

    def __init__(self, stock, delta):
        super().__init__(stock, delta)
        self.message = _l("Only %(stock)d in stock: you cannot take away %(n)d. Nothing was changed.",
                          stock=stock, n=-delta)


class AdjustmentInvalid(CatalogueError):
    field = "delta"

    def __init__(self, code):
        super().__init__(code)
        self.message = ADJUSTMENT_MESSAGES.get(code, ADJUSTMENT_MESSAGES["zero"])
        if code == "reason_invalid":
            self.field = "reason"


class ImageRefused(CatalogueError):
    """A file that is not a photo we keep: ``empty``, ``too_large`` (bytes), ``type`` (not JPEG,
    PNG or WebP by its content), ``broken`` (truncated or corrupt), ``too_many_pixels`` (a
    decompression bomb, or a camera's full resolution past the budget)."""

    field = "image"

    def __init__(self, code, max_mb=2, max_megapixels=25):
        super().__init__(code)
        messages = {
            "too_large": _l("The photo is too large: at most %(mb)d MB, please.", mb=max_mb),
            "type": _l("Only JPEG, PNG or WebP photos can be used."),
            "empty": _l("The photo file is empty."),
            "broken": _l("This photo cannot be read: the file is damaged or incomplete. "
                         "Please take or choose it again."),
            "too_many_pixels": _l("This photo has too many pixels: at most %(mp)d megapixels. "
                                  "Please use a smaller one.", mp=max_megapixels),
        }
        self.message = messages.get(code, messages["type"])


class ImportRefused(CatalogueError):
    """The CSV file as a whole cannot be imported (encoding, header, size)."""

    field = "file"

    def __init__(self, code, params=None):
        super().__init__(code)
        self.message = file_problem_message(code, params)


HOURS_MESSAGE = _l("Write the hours like 07:00-21:00.")
BARCODE_MESSAGES = {
    "invalid": _l("A barcode has at most 32 letters, digits or dashes."),
    "checksum": _l("This barcode's last digit does not match: please check it for a typo."),
}
PRICE_MESSAGES = {
    "invalid": _l("Write the price in yuan, like 12.50."),
    "not_positive": _l("The price must be more than zero."),
    "too_high": _l("That price is too high. Write it in yuan, like 12.50."),
}
ADJUSTMENT_MESSAGES = {
    "zero": _l("Enter how many to add (like 12) or take away (like -3)."),
    "too_large": _l("That is more than we can count: at most 100000 at a time."),
    "restock_negative": _l("A restock adds goods: enter a positive number, or choose another reason."),
    "damage_positive": _l("Damaged goods are taken away: enter a negative number, like -2."),
    "reason_invalid": _l("Please choose a reason from the list."),
}
# Problems of one CSV line; parameters: value, column, max, first.
ROW_MESSAGES = {
    "barcode_missing": _l("The barcode is missing."),
    "barcode_invalid": _l("Barcode “%(value)s”: at most 32 letters, digits or dashes."),
    "barcode_checksum": _l("Barcode “%(value)s”: the last digit does not match (a typo?)."),
    "barcode_repeated": _l("This barcode is already on line %(first)d."),
    "required": _l("The column “%(column)s” is empty."),
    "too_long": _l("The column “%(column)s” is longer than %(max)d characters."),
    "price_invalid": _l("Price “%(value)s”: write it in yuan, like 12.50."),
    "price_not_positive": _l("Price “%(value)s”: it must be more than zero."),
    "price_too_high": _l("Price “%(value)s”: too high."),
    "stock_invalid": _l("Stock “%(value)s”: a whole number from 0 to %(max)d."),
    "category_unknown": _l("Unknown category “%(value)s”. Use one of: %(known)s."),
    "merchant_unknown": _l("Unknown merchant “%(value)s”. Leave it empty for the store's own goods, "
                           "or use one of: %(known)s."),
    "stock_changed": _l("The stock changed while importing (a sale?). Import this line again."),
    "not_saved": _l("This line could not be saved."),
}


def row_message(code, params):
    """The sentence for one problem of a CSV line."""
    defaults = {"value": "", "column": "", "max": 0, "first": 0, "known": ""}
    template = ROW_MESSAGES.get(code, ROW_MESSAGES["not_saved"])
    return str(template) % {**defaults, **params}
