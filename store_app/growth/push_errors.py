"""Scenario push errors (until growth's shared ``errors.GrowthError`` lands, these stand on the
project's ``DomainError`` directly). ``status`` is the HTTP status a view answers with; ``field``
the form field at fault."""
from flask_babel import lazy_gettext as _l

from ..errors import DomainError


class PushError(DomainError):
    message = _l("This push could not be saved.")
    status = 400


class PushNotFound(PushError):
    message = _l("That push does not exist.")
    status = 404


class ScheduleNotForKind(PushError):
    message = _l("This kind of push cannot go out on that schedule.")
    field = "schedule"


class SendTimeMissing(PushError):
    message = _l("Choose when the push goes out.")
    field = "send_at"


class SendTimePast(PushError):
    message = _l("Choose a time that has not passed yet.")
    field = "send_at"


class MorningTimeMissing(PushError):
    message = _l("Choose the time on school mornings.")
    field = "morning_time"


class MorningTimeQuiet(PushError):
    message = _l("Quiet hours are 22:00 to 08:00: choose a time from 08:00 to 21:59.")
    field = "morning_time"


class TextMissing(PushError):
    message = _l("Write the title and the message in at least one language.")
    field = "title_zh"


class SegmentUnknown(PushError):
    message = _l("Choose one of the segments.")
    field = "segment"


class CampaignNotFound(PushError):
    message = _l("That campaign does not exist.")
    field = "campaign_id"


class HoldoutInvalid(PushError):
    message = _l("The holdout is a whole percent from 0 to 50.")
    field = "holdout_percent"


class NotTriggered(PushError):
    message = _l("Only a push sent by staff can be sent now.")
    status = 409


class PushStopped(PushError):
    message = _l("This push is stopped or done: nothing more goes out.")
    status = 409
