"""Configuration classes; every setting comes from the environment (see .env.example)."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def env_int(name: str, default: int) -> int:
    """Read an integer from the environment."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean ("1", "true", "yes", "on") from the environment."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value in ("1", "true", "yes", "on")


def development_secret_key() -> str:
    """Return a random key generated once and kept in instance/secret_key (development only)."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    path = INSTANCE_DIR / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    path.write_text(key)
    path.chmod(0o600)
    return key


class Config:
    """Settings shared by every environment; read when the object is created."""

    def __init__(self) -> None:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'portal.db'}"
        )
        # Optimistic disconnect handling by default: pool_pre_ping costs a round trip per checkout (autosave
        # closed loop 259 -> 335 req/s without it); pool_recycle retires connections before a server or proxy
        # idle timeout would cut them, and after a database restart SQLAlchemy drops the whole pool on the first
        # disconnect error (the autosave script retries that one save). DATABASE_POOL_PRE_PING=true to test first.
        self.SQLALCHEMY_ENGINE_OPTIONS = {
            "pool_pre_ping": env_bool("DATABASE_POOL_PRE_PING", False),
            "pool_recycle": env_int("DATABASE_POOL_RECYCLE_SECONDS", 1800),
        }
        self.SECRET_KEY = os.environ.get("SECRET_KEY") or development_secret_key()
        self.REDIS_URL = os.environ.get("REDIS_URL") or None
        # The worker renders report PDFs that are missing (lost job, crash) at start and this often.
        self.REPORTS_RECONCILE_SECONDS = env_int("REPORTS_RECONCILE_SECONDS", 300)
        self.PORT = env_int("PORT", 5000)
        # Exports of longer lists (XLSX/CSV) run as a background job instead of inside the request.
        self.EXPORT_INLINE_ROWS = env_int("EXPORT_INLINE_ROWS", 5000)

        # Sessions: idle timeout is enforced server-side (portal.auth) and by the cookie lifetime.
        self.SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
        # The cookie outlives the idle limit (the server enforces the limit): a section typed during a timeout
        # still reaches the server with the user id it belongs to, is stashed, and is offered after re-login.
        self.PERMANENT_SESSION_LIFETIME = timedelta(minutes=self.SESSION_IDLE_MINUTES + 12 * 60)
        self.SESSION_REFRESH_EACH_REQUEST = True
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        # Served over HTTPS (PREFERRED_URL_SCHEME=https): cookies are Secure unless SESSION_COOKIE_SECURE says otherwise.
        self.PREFERRED_URL_SCHEME = os.environ.get("PREFERRED_URL_SCHEME", "http").strip().lower() or "http"
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", self.PREFERRED_URL_SCHEME == "https")
        self.REMEMBER_COOKIE_DURATION = timedelta(days=env_int("REMEMBER_DAYS", 14))
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE

        # Login lockout and passwords.
        self.LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
        self.LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
        self.PASSWORD_POLICY = os.environ.get("PASSWORD_POLICY", "length").strip().lower()  # length | mlps2
        self.PASSWORD_MIN_LENGTH = env_int("PASSWORD_MIN_LENGTH", 8)
        self.PASSWORD_MAX_AGE_DAYS = env_int("PASSWORD_MAX_AGE_DAYS", 90)  # mlps2 only
        self.RESET_CODE_MINUTES = env_int("RESET_CODE_MINUTES", 60)
        self.ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
        self.ARGON2_MEMORY_COST = env_int("ARGON2_MEMORY_COST", 65536)

        # A long questionnaire may stay open for hours before it is saved.
        self.WTF_CSRF_TIME_LIMIT = env_int("WTF_CSRF_TIME_LIMIT", 12 * 3600)

        self.BABEL_DEFAULT_LOCALE = "zh"
        self.BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
        self.LANGUAGES = ("zh", "en")

        # Rate limits (Flask-Limiter; Redis when REDIS_URL is set). The per-account lockout stays on regardless.
        self.RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or self.REDIS_URL or "memory://"
        self.RATELIMIT_LOGIN_IP = os.environ.get("RATELIMIT_LOGIN_IP", "20 per minute;200 per hour")
        self.RATELIMIT_LOGIN_USER = os.environ.get("RATELIMIT_LOGIN_USER", "10 per minute;60 per hour")
        self.RATELIMIT_REGISTER = os.environ.get("RATELIMIT_REGISTER", "10 per hour")
        self.RATELIMIT_API = os.environ.get("RATELIMIT_API", "600 per minute")
        self.RATELIMIT_AUTOSAVE = os.environ.get("RATELIMIT_AUTOSAVE", "240 per minute")

        # Behind nginx: how many proxies' X-Forwarded-For/-Proto/-Host/-Port/-Prefix to trust (0 = none).
        self.PROXY_FIX_X_FOR = env_int("PROXY_FIX_X_FOR", 0)
        self.PROXY_FIX_X_PROTO = env_int("PROXY_FIX_X_PROTO", 0)
        self.PROXY_FIX_X_HOST = env_int("PROXY_FIX_X_HOST", 0)
        self.PROXY_FIX_X_PORT = env_int("PROXY_FIX_X_PORT", 0)
        self.PROXY_FIX_X_PREFIX = env_int("PROXY_FIX_X_PREFIX", 0)
        self.HSTS_SECONDS = env_int("HSTS_SECONDS", 0)  # sent only with secure cookies

        # Audit trail: events older than this are deleted by `flask prune-audit` (180 days: legal minimum).
        self.AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 180)
        # Accounts unused for this many days are disabled by `flask disable-inactive` and the admin button.
        self.ACCOUNT_INACTIVE_DAYS = env_int("ACCOUNT_INACTIVE_DAYS", 180)


class DevelopmentConfig(Config):
    """Local development: SQLite under instance/, generated secret key."""

    DEBUG = False


class TestingConfig(Config):
    """Tests: database from TEST_DATABASE_URL, cheap password hashing."""

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SQLALCHEMY_DATABASE_URI = os.environ.get(
            "TEST_DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'test.db'}"
        )
        self.SECRET_KEY = "testing-secret-key"
        self.ARGON2_TIME_COST = 1
        self.ARGON2_MEMORY_COST = 1024
        self.WTF_CSRF_ENABLED = env_bool("WTF_CSRF_ENABLED", False)
        self.RATELIMIT_ENABLED = env_bool("RATELIMIT_ENABLED", False)  # the rate-limit tests switch it on


class ProductionConfig(Config):
    """Production: SECRET_KEY must be set; secure cookies by default."""

    def __init__(self) -> None:
        if not os.environ.get("SECRET_KEY"):
            raise RuntimeError("SECRET_KEY must be set in production")
        super().__init__()
        self.SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    """Build the configuration object for `name` (default: $PORTAL_ENV or development)."""
    name = name or os.environ.get("PORTAL_ENV", "development")
    return CONFIGS[name]()
