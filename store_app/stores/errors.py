"""Errors about store settings."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class StoreError(DomainError):
    message = _l("These store settings cannot be saved.")
    field = None


class HoursInvalid(StoreError):
    def __init__(self, weekday_name):
        super().__init__(weekday_name)
        self.message = _l("Write the hours for %(day)s like 07:00-23:00 (several separated by commas), "
                          "or leave it empty for closed.", day=weekday_name)


class TimezoneInvalid(StoreError):
    message = _l("Unknown time zone. Use a name like Asia/Shanghai.")
    field = "timezone"


class LocationInvalid(StoreError):
    message = _l("Latitude must be between -90 and 90 and longitude between -180 and 180.")
    field = "lat"
