"""Messages that leave the app (SMS, email), queued in ``outbox_messages`` and sent by a job.

Adapters: ``log`` (the default: the message goes to the app's log, for a shop without a gateway),
``smtp`` (email through ``SMTP_HOST``), and the SMS gateway interface (``SmsGateway``; ``http`` posts
to ``SMS_GATEWAY_URL``). Which one carries SMS is ``SMS_GATEWAY`` in the config.

Never twice: a message is queued once per ``dedupe_key`` (unique); a sender claims it with a guarded
UPDATE (``pending -> sending`` with a lease) before calling the adapter, so two senders never send
the same row; the key goes to the gateway as its idempotency key, so a retry after a crash between
"sent" and "marked sent" is dropped by the gateway. Under the scheduler, claims and results commit
only while its lease holds (fencing), and a scheduler that lost its lease stops before the next
send. Failures wait with exponential backoff and give up after ``MAX_ATTEMPTS``. Once sent, the
body is kept without its digits (a pickup code is a secret).
"""
import json
import logging
import re
import smtplib
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext

from ..database import transaction, upsert
from ..extensions import db
from ..jobs.lease import ensure_still_leading
from .models import OutboxMessage

log = logging.getLogger("store_app.outbox")

MAX_ATTEMPTS = 6
LEASE = timedelta(minutes=2)
BATCH = 50


def backoff(attempts):
    """How long to wait after the ``attempts``-th failure: 30 s, 1 min, 2 min... at most 1 h."""
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


# ---- adapters ------------------------------------------------------------------------------------

class SendFailed(Exception):
    """The adapter could not hand the message over; it will be retried."""


class LogAdapter:
    """Writes the message to the log: the default, and what development and tests use."""

    def send(self, message):
        log.info("outbox %s to %s: %s %s", message.channel, message.recipient, message.subject, message.body)


class SmtpAdapter:
    """Email through an SMTP server (``SMTP_HOST``, ``SMTP_PORT``, ``SMTP_USER``, ``SMTP_PASSWORD``,
    ``SMTP_SENDER``, STARTTLS unless ``SMTP_STARTTLS`` is false)."""

    def __init__(self, config):
        self.config = config

    def send(self, message):
        email = EmailMessage()
        email["From"] = self.config.get("SMTP_SENDER") or "store@localhost"
        email["To"] = message.recipient
        email["Subject"] = message.subject or "Community store"
        email["Message-ID"] = f"<{message.dedupe_key.replace(':', '.')}@community-store>"
        email.set_content(message.body)
        try:
            with smtplib.SMTP(self.config["SMTP_HOST"], int(self.config.get("SMTP_PORT") or 587), timeout=10) as smtp:
                if self.config.get("SMTP_STARTTLS", True):
                    smtp.starttls()
                if self.config.get("SMTP_USER"):
                    smtp.login(self.config["SMTP_USER"], self.config.get("SMTP_PASSWORD") or "")
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(str(exc)) from exc


class SmsGateway:
    """The SMS gateway interface: ``send(message)`` hands ``message.body`` to ``message.recipient``
    (E.164) with ``message.dedupe_key`` as the idempotency key, or raises ``SendFailed``."""

    def send(self, message):  # pragma: no cover - an interface
        raise NotImplementedError


class HttpSmsGateway(SmsGateway):
    """A JSON POST to ``SMS_GATEWAY_URL`` (bearer ``SMS_GATEWAY_TOKEN``): the shape most gateways take."""

    def __init__(self, url, token="", timeout=10):
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message):
        body = json.dumps({"to": message.recipient, "text": message.body, "idempotency_key": message.dedupe_key})
        request = urllib.request.Request(self.url, data=body.encode(), method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self.token}",
            "Idempotency-Key": message.dedupe_key})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                if response.status >= 300:
                    raise SendFailed(f"gateway answered {response.status}")
        except OSError as exc:
            raise SendFailed(str(exc)) from exc


def adapters_from_config(config):
    """``{channel: adapter}`` as the config says; ``log`` always exists."""
    found = {"log": LogAdapter()}
    gateway = config.get("SMS_GATEWAY", "log")
    found["sms"] = HttpSmsGateway(config["SMS_GATEWAY_URL"], config.get("SMS_GATEWAY_TOKEN", "")) \
        if gateway == "http" and config.get("SMS_GATEWAY_URL") else LogAdapter()
    found["email"] = SmtpAdapter(config) if config.get("SMTP_HOST") else LogAdapter()
    return found


def sms_gateway_configured():
    """True when SMS really leave the app (not only the log)."""
    return current_app.config.get("SMS_GATEWAY", "log") != "log"


# ---- queueing --------------------------------------------------------------------------------------

SMS_TEXTS = {
    "parcel_arrived": lambda p: _("[%(store)s] Your %(carrier)s parcel (…%(tail)s) is at the store, shelf "
                                  "%(shelf)s. Pickup code %(code)s.", store=p.get("store", ""),
                                  carrier=p.get("carrier", ""), tail=p.get("tail", ""), shelf=p.get("shelf_code", ""),
                                  code=p.get("code", "")),
    "parcel_new_code": lambda p: _("[%(store)s] New pickup code for your parcel (…%(tail)s): %(code)s.",
                                   store=p.get("store", ""), tail=p.get("tail", ""), code=p.get("code", "")),
    "parcel_reminder": lambda p: _sms_reminder(p),
    "parcel_returning": lambda p: _("[%(store)s] Your parcel (…%(tail)s) was not collected in time and goes "
                                    "back to %(carrier)s.", store=p.get("store", ""), tail=p.get("tail", ""),
                                    carrier=p.get("carrier", "")),
}


def _sms_reminder(p):
    days, where = p.get("days_left", 0), dict(store=p.get("store", ""), tail=p.get("tail", ""),
                                              shelf=p.get("shelf_code", ""))
    if days <= 0:
        return _("[%(store)s] Your parcel (…%(tail)s) on shelf %(shelf)s goes back to the carrier within a day: "
                 "please collect it today.", **where)
    return ngettext("[%(store)s] Your parcel (…%(tail)s) is waiting on shelf %(shelf)s: %(num)d day left "
                    "before it goes back to the carrier.",
                    "[%(store)s] Your parcel (…%(tail)s) is waiting on shelf %(shelf)s: %(num)d days left "
                    "before it goes back to the carrier.", days, **where)


def queue(store_id, channel, recipient, body, dedupe_key, now, subject=""):
    """Queue one message (once per ``dedupe_key``); True if it is new."""
    table = OutboxMessage.__table__
    return db.session.execute(
        upsert(table).values(store_id=store_id, channel=channel, recipient=recipient, subject=subject[:120],
                             body=body[:500], dedupe_key=dedupe_key[:120], status="pending", attempts=0,
                             next_attempt_at=now, last_error="", created_at=now)
        .on_conflict_do_nothing(index_elements=[table.c.dedupe_key]).returning(table.c.id)).scalar() is not None


def queue_sms(store_id, phone, kind, key, params, now, registered=True):
    """An SMS about a parcel, in Chinese (the language of the phone's owner is unknown)."""
    from ..stores.models import Store

    if not registered and not sms_gateway_configured():
        return False
    store = db.session.get(Store, store_id)
    with force_locale("zh"):
        body = SMS_TEXTS[kind]({**params, "store": store.name if store else ""})
    return queue(store_id, "sms", phone, body, f"{key}:sms", now)


# ---- sending ---------------------------------------------------------------------------------------

def _claim(now, limit):
    """Claim up to ``limit`` due messages (pending and due, or sending with an expired lease)."""
    due = db.or_(db.and_(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now),
                 db.and_(OutboxMessage.status == "sending", OutboxMessage.lease_until < now))
    with transaction():
        candidates = db.session.scalars(db.select(OutboxMessage.id).where(due).order_by(OutboxMessage.id)
                                        .limit(limit)).all()
        if not candidates:
            return []
        # One guarded UPDATE: a row another sender claimed meanwhile no longer matches ``due``.
        return sorted(db.session.scalars(
            db.update(OutboxMessage).where(OutboxMessage.id.in_(candidates), due)
            .values(status="sending", lease_until=now + LEASE, attempts=OutboxMessage.attempts + 1)
            .returning(OutboxMessage.id).execution_options(synchronize_session=False)).all())


@dataclass(frozen=True)
class Outgoing:
    """What an adapter is given: one claimed message."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    dedupe_key: str
    attempts: int


def redact(body):
    """The body as kept once sent: every run of digits of 4 or more hidden."""
    return re.sub(r"\d{4,}", lambda m: "•" * len(m.group(0)), body)


def deliver(now, adapters=None, limit=BATCH):
    """Send what is due; returns ``"sent n, retrying m, failed k"`` (the job's summary)."""
    adapters = adapters or adapters_from_config(current_app.config)
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    claimed = _claim(now, limit)
    # Plain copies: each result below commits on its own, which would expire ORM rows still to send.
    messages = [Outgoing(m.id, m.channel, m.recipient, m.subject, m.body, m.dedupe_key, m.attempts)
                for m in db.session.scalars(db.select(OutboxMessage).where(OutboxMessage.id.in_(claimed))
                                            .order_by(OutboxMessage.id))] if claimed else []
    for message in messages:
        message_id = message.id
        adapter = adapters.get(message.channel) or adapters["log"]
        # A scheduler that lost its lease sends nothing more: its claims lapse and the new leader
        # sends them (a claim and its "sent" are fenced transactions; the send itself cannot be).
        ensure_still_leading()
        try:
            adapter.send(message)
            error = None
        except SendFailed as exc:
            error = str(exc)[:200]
        except Exception as exc:  # an adapter's bug must not stop the other messages
            log.exception("outbox adapter %s failed", message.channel)
            error = f"{type(exc).__name__}: {exc}"[:200]
        with transaction():
            mine = db.and_(OutboxMessage.id == message_id, OutboxMessage.status == "sending")
            if error is None:
                db.session.execute(db.update(OutboxMessage).where(mine).values(
                    status="sent", sent_at=now, lease_until=None, body=redact(message.body), last_error=""))
                counts["sent"] += 1
            elif message.attempts >= MAX_ATTEMPTS:
                db.session.execute(db.update(OutboxMessage).where(mine).values(
                    status="failed", lease_until=None, last_error=error))
                counts["failed"] += 1
            else:
                db.session.execute(db.update(OutboxMessage).where(mine).values(
                    status="pending", lease_until=None, last_error=error,
                    next_attempt_at=now + backoff(message.attempts)))
                counts["retrying"] += 1
    return f"sent {counts['sent']}, retrying {counts['retrying']}, failed {counts['failed']}"
