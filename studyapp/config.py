"""Default settings; instance/config.py and STUDYAPP_* environment variables override them."""

from datetime import timedelta

# Filled in by create_app from the instance folder when not configured.
DATABASE_URL = None
SECRET_KEY = None

# Run Alembic migrations to head when the app starts.
AUTO_MIGRATE = True
# Load questions/ into the database on start (unchanged files are skipped by hash).
SYNC_BANKS_ON_START = True
# Print a one-time setup link on start while no instructor exists.
ANNOUNCE_SETUP = True
# Base URL used in links printed to the console or put in CSV files.
PUBLIC_URL = "http://127.0.0.1:5000"

# Inside an LMS iframe: SameSite=None; Secure session cookies (needs HTTPS).
LTI_CROSS_SITE_COOKIES = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_SECURE = False
REMEMBER_COOKIE_DURATION = timedelta(days=14)
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)

# Whole-request cap; uploads also have their own, smaller limits.
MAX_CONTENT_LENGTH = 4 * 1024 * 1024
ROSTER_MAX_BYTES = 1024 * 1024
# Students per roster upload; a 1 MB file of short rows holds about 20,000.
ROSTER_MAX_ROWS = 25_000

# Flask-Limiter's storage keeps the failure counters: memory:// serves one process; use
# redis:// behind several workers or servers. RATELIMIT_ENABLED = False switches every
# throttle off (for sites that throttle at their proxy).
RATELIMIT_ENABLED = True
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_HEADERS_ENABLED = True
# Only failures count (studyapp/auth/lockout.py). One machine guessing one account:
LOGIN_FAILURES_PER_ACCOUNT_ADDRESS = "5 per minute;20 per hour;50 per day"
# One address (a whole school behind NAT): a hall of 1,000 mistyping now and then stays under.
LOGIN_FAILURES_PER_ADDRESS = "300 per minute;3000 per hour;10000 per day"
# One account from addresses it never logged in from (guessers spread over many machines).
LOGIN_FAILURES_PER_ACCOUNT = "30 per hour;100 per day"
# Join codes that open no class, per address.
JOIN_FAILURES_PER_ADDRESS = "60 per minute;300 per hour;1000 per day"

# FSRS fuzzing spreads reviews, so cards learnt together do not all fall due on one day.
STUDY_FUZZING = True

# Only bench/load.py turns this on: a bare INSERT endpoint to compare saves against.
BENCH_ENDPOINTS = False

# Grade attempts past their deadline at most this often per worker (0: only via the CLI).
SWEEP_INTERVAL_SECONDS = 60

SETUP_TOKEN_TTL = timedelta(hours=24)
RESET_TOKEN_TTL = timedelta(hours=72)
ACTIVATION_TOKEN_TTL = timedelta(days=14)

PASSWORD_MIN_LENGTH = 10
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - an algorithm name, not a password
