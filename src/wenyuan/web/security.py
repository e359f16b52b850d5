"""Who may frame the chat and call its API: allowed origins, widget keys, the admin token.

Widget keys only allow asking questions. They are read from a file that is re-read when it changes, so an
administrator rotates keys by editing the file, without a restart.
"""

from __future__ import annotations

import hmac
import logging
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from wenyuan.config import Settings

log = logging.getLogger(__name__)
KEY_HEADER = "X-Wenyuan-Key"
ADMIN_HEADER = "X-Wenyuan-Admin"
ADMIN_COOKIE = "wenyuan_admin"


def normalise_origin(origin: str) -> str:
    """scheme://host[:port] in lower case, without a trailing slash or path."""
    parts = urlsplit(origin.strip())
    if not parts.scheme or not parts.netloc:
        return origin.strip().rstrip("/").lower()
    return f"{parts.scheme}://{parts.netloc}".lower()


class Access:
    """The access rules of one running app, from its Settings."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.origins = [normalise_origin(origin) for origin in settings.allowed_origins]
        self._file_keys: frozenset[str] = frozenset()
        self._file_stamp: tuple[float, int] | None = None
        self._lock = threading.Lock()
        if not self.origins:
            log.warning(
                "embedding and browser API calls are limited to this app's own origin; to allow a portal, set "
                "WENYUAN_ALLOWED_ORIGINS=http://portal.intranet (comma-separated for several)"
            )

    # ---- origins -----------------------------------------------------------------------------------------------
    def frame_ancestors(self) -> str:
        return " ".join(["'self'", *self.origins])

    def origin_allowed(self, origin: str | None, own_origin: str) -> bool:
        """Requests without an Origin (curl, servers) or from this app itself pass; others must be listed."""
        if not origin:
            return True
        origin = normalise_origin(origin)
        return origin == normalise_origin(own_origin) or origin in self.origins

    # ---- the admin token ----------------------------------------------------------------------------------------
    def is_admin(self, token: str | None) -> bool:
        """The admin token, as typed or URL-encoded (HTTP headers carry only Latin-1: a Chinese token is encoded)."""
        expected = self.settings.admin_token
        if not expected or token is None:
            return False
        return any(hmac.compare_digest(given.encode(), expected.encode()) for given in {token, unquote(token)})

    def admin_session(self) -> str:
        """The cookie value of an admin session: derived from the token, so changing the token ends all sessions."""
        return hmac.new(self.settings.admin_token.encode(), b"wenyuan admin session", "sha256").hexdigest()

    def may_administer(self, token: str | None, session: str | None) -> bool:
        """Anyone while administration is open (no token configured); else the token or an admin session cookie."""
        if not self.settings.admin_token:
            return True
        return self.is_admin(token) or hmac.compare_digest((session or "").encode(), self.admin_session().encode())

    # ---- keys --------------------------------------------------------------------------------------------------
    def widget_keys(self) -> frozenset[str]:
        """The keys in force now: the configured ones plus the key file's, re-read when the file changes."""
        path: Path | None = self.settings.widget_keys_file
        if path is not None:
            with self._lock:
                try:
                    stat = path.stat()
                    stamp = (stat.st_mtime, stat.st_size)
                    if stamp != self._file_stamp:
                        lines = path.read_text(encoding="utf-8").splitlines()
                        self._file_keys = frozenset(
                            line.strip() for line in lines if line.strip() and not line.startswith("#")
                        )
                        self._file_stamp = stamp
                except OSError:
                    self._file_keys, self._file_stamp = frozenset(), None
        return frozenset(self.settings.widget_keys) | self._file_keys

    def keys_required(self) -> bool:
        return bool(self.widget_keys()) or self.settings.widget_keys_file is not None

    def may_ask(self, key: str | None) -> bool:
        """A valid widget key or the admin token; anyone when no keys are configured."""
        if not self.keys_required():
            return True
        key = key or ""
        admin = self.settings.admin_token
        if admin and hmac.compare_digest(key.encode(), admin.encode()):
            return True
        return any(hmac.compare_digest(key.encode(), candidate.encode()) for candidate in self.widget_keys())
