"""Configuration classes. Values that depend on the environment are read when a config is
instantiated (at ``create_app`` time), never at import time, so tests can set them first."""
import os
from datetime import timedelta


def database_url(default="sqlite:///store.sqlite3"):
    """The SQLAlchemy URL from ``DATABASE_URL``; a relative SQLite path lives in ``instance/``.

    ``postgresql://`` and ``postgres://`` are mapped to the psycopg 3 driver, the one we install.
    """
    url = os.environ.get("DATABASE_URL") or default
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    """Settings shared by every environment."""

    SECRET_KEY = None
    LANGUAGES = ("zh", "en")
    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024  # voice notes and photos later; nothing bigger
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_PATH = "/"
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    # The cookie is re-signed and re-sent only when the session changes (login, any POST), not on
    # every page view: 30 days from the resident's last action, and a cheaper GET.
    SESSION_REFRESH_EACH_REQUEST = False
    # The CSRF token lives as long as the session: a resident who leaves a form open for an
    # hour must not lose what they typed.
    WTF_CSRF_TIME_LIMIT = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # Failed logins. Tight for one account from one address (a guesser); loose for one address (a
    # whole housing estate may share one); for one account from anywhere only as a last resort, so
    # a flood of wrong passwords from elsewhere never locks the real owner out for long.
    LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
    LOGIN_LIMIT_PER_ADDRESS = "100 per 15 minutes"
    LOGIN_LIMIT_PER_ACCOUNT = "50 per hour"
    # Pickup codes typed at the parcel counter, per staff member: a code cannot be found by trying.
    PARCEL_CODE_LIMIT = "30 per minute"
    # Codes that match no parcel (typed without scanning a label first), per staff member and per
    # store: then code entry pauses for the rest of the window and the owner is told.
    PARCEL_CODE_MISSES_PER_STAFF = "10 per 10 minutes"
    PARCEL_CODE_MISSES_PER_STORE = "30 per hour"
    # Uploads (store_app/web/uploads.py, store_app/uploads/): files each account may send per window,
    # across every upload route together; photos are re-encoded to at most this many pixels a side,
    # and refused when their header declares more pixels than the budget (a decompression bomb).
    UPLOAD_LIMIT_PER_ACCOUNT = "30 per hour"
    # Coupon codes typed by residents (page and API together), per account and per address: with
    # 16 random characters guessing is hopeless anyway, the limit keeps it from even being tried.
    COUPON_CODE_LIMIT_PER_ACCOUNT = "10 per hour"
    COUPON_CODE_LIMIT_PER_ADDRESS = "30 per hour"
    PHOTO_MAX_SIDE_PX = 2048
    PHOTO_MAX_PIXELS = 25_000_000
    GEOCODER = "gazetteer"  # or "nominatim": geopy's Nominatim first, the gazetteer as fallback
    NOMINATIM_USER_AGENT = "community-store"
    NOMINATIM_DOMAIN = "nominatim.openstreetmap.org"
    NOMINATIM_TIMEOUT_S = 3
    NOMINATIM_MIN_DELAY_S = 1.0
    NEAREST_BUILDING_MAX_M = 300
    PASSWORD_MIN_LENGTH = 8
    # Per-worker caches of the feed (store_app/caching.py): the store's popularity, and a resident's
    # rendered feed page (dropped at once by their own changes; others' show within the TTL).
    FEED_POPULARITY_TTL_S = 60
    FEED_PAGE_TTL_S = 20
    FEED_PAGE_CACHE_BYTES = 32 * 1024 * 1024
    FEED_CARD_TTL_S = 60  # a product's rendered card, per language and reason (orders/shop_views.py)
    # Messages that leave the app (store_app/notifications/outbox.py): SMS through "log" (written
    # to the log) or "http" (SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN); email when SMTP_HOST is set.
    SMS_GATEWAY = "log"
    SMS_GATEWAY_URL = ""
    SMS_GATEWAY_TOKEN = ""
    SMTP_HOST = ""
    SMTP_PORT = 587
    SMTP_USER = ""
    SMTP_PASSWORD = ""
    SMTP_SENDER = ""
    # The scheduler's leader lease (store_app/jobs/lease.py): it lapses this long after the leader's
    # last renewal (renewed every third of it), so a stalled leader costs at most about this much
    # plus one interval of each job. Timeouts on the scheduler's PostgreSQL connections: a lock
    # waited for, a statement, a transaction left idle (a paused leader's, whose locks it frees).
    SCHEDULER_LEASE_TTL_S = 10.0
    SCHEDULER_LOCK_TIMEOUT_S = 2.0
    SCHEDULER_STATEMENT_TIMEOUT_S = 30.0
    SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S = 10.0

    def __init__(self):
        self.SQLALCHEMY_DATABASE_URI = database_url()
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or self.SECRET_KEY
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", self.RATELIMIT_STORAGE_URI)
        self.GEOCODER = os.environ.get("GEOCODER", self.GEOCODER)
        for key in ("SMS_GATEWAY", "SMS_GATEWAY_URL", "SMS_GATEWAY_TOKEN", "SMTP_HOST", "SMTP_PORT", "SMTP_USER",
                    "SMTP_PASSWORD", "SMTP_SENDER"):
            if os.environ.get(key):
                setattr(self, key, os.environ[key])
        for key in ("SCHEDULER_LEASE_TTL_S", "SCHEDULER_LOCK_TIMEOUT_S", "SCHEDULER_STATEMENT_TIMEOUT_S",
                    "SCHEDULER_IDLE_IN_TRANSACTION_TIMEOUT_S"):
            if os.environ.get(key):
                setattr(self, key, float(os.environ[key]))
        # How many reverse proxies in front of us may be trusted for the client's address (login limits).
        self.PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0") or 0)


class DevelopmentConfig(Config):
    """``make run``: plain http on 127.0.0.1, so the cookie cannot carry ``Secure``/``__Host-``.

    Without ``SECRET_KEY`` a random key is generated once and kept in ``instance/secret_key``.
    """

    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    GENERATE_SECRET_KEY = True


class TestingConfig(Config):
    """Tests: a throwaway database, CSRF still on (the security tests need it)."""

    TESTING = True
    SECRET_KEY = "testing-only-key"
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    PASSWORD_HASH_METHOD = "scrypt:1024:8:1"  # scrypt still, but cheap: tests log in a lot
    # Tests change data and look again at once; the cache tests turn these on.
    FEED_POPULARITY_TTL_S = 0
    FEED_PAGE_TTL_S = 0
    FEED_CARD_TTL_S = 0

    def __init__(self):
        super().__init__()
        self.SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URI", "sqlite://")
        self.SECRET_KEY = "testing-only-key"


class ProductionConfig(Config):
    """Behind a TLS reverse proxy: secure cookies, no debug, a real secret key or no start.

    Refused at start, each with the reason: no ``SECRET_KEY``, or one shorter than 32 bytes (it signs
    sessions and derives the parcels' pickup codes); no ``DATABASE_URL``; rate limits kept in one
    process's memory (``memory://``) while several workers each keep their own count, unless
    ``RATELIMIT_SINGLE_PROCESS=1`` says there is only one.
    """

    DEBUG = False
    PREFERRED_URL_SCHEME = "https"
    MIN_SECRET_KEY_BYTES = 32
    HINT = " (for a local run, set STORE_ENV=development or use `make run`)"

    def __init__(self):
        super().__init__()
        if not self.SECRET_KEY:
            raise RuntimeError("ProductionConfig refuses to start without SECRET_KEY in the environment." + self.HINT)
        if len(self.SECRET_KEY.encode()) < self.MIN_SECRET_KEY_BYTES:
            raise RuntimeError(f"ProductionConfig refuses a SECRET_KEY shorter than {self.MIN_SECRET_KEY_BYTES} "
                               "bytes: make one with `python3 -c 'import secrets; print(secrets.token_hex(32))'`.")
        if "DATABASE_URL" not in os.environ:
            raise RuntimeError("ProductionConfig needs DATABASE_URL (PostgreSQL)." + self.HINT)
        single = os.environ.get("RATELIMIT_SINGLE_PROCESS", "").lower() in {"1", "true", "yes"}
        if self.RATELIMIT_STORAGE_URI.startswith("memory://") and not single:
            raise RuntimeError("ProductionConfig refuses in-memory rate limits: each worker would count on its "
                               "own and multiply the allowed tries. Set RATELIMIT_STORAGE_URI=redis://... "
                               "(or RATELIMIT_SINGLE_PROCESS=1 when one process serves everything).")


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(config=None):
    """Turn ``create_app``'s argument into a config object.

    ``None`` reads ``STORE_ENV`` (default ``development``); a string names a config; a class is
    instantiated; a mapping overrides keys of the testing config.
    """
    if config is None:
        config = os.environ.get("STORE_ENV", "development")
    if isinstance(config, str):
        return CONFIGS[config]()
    if isinstance(config, type):
        return config()
    if isinstance(config, dict):
        base = TestingConfig()
        for key, value in config.items():
            setattr(base, key, value)
        return base
    return config
