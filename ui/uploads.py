"""Uploaded files land in a private folder under the data dir, under a name safe on any system."""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import unicodedata
import weakref
from pathlib import Path

from legal_orch.settings import Settings

MAX_NAME = 120
_UNSAFE = re.compile(r"[^\w.\- ()]+")


def safe_name(name: str, default: str = "upload.pdf") -> str:
    """Return `name` reduced to a plain file name: no folders, control characters or leading dots."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = _UNSAFE.sub("_", base).strip(" ._")
    if not base:
        return default
    stem, dot, ext = base.rpartition(".")
    if dot and len(ext) <= 8:
        return stem[: MAX_NAME - len(ext) - 1] + "." + ext
    return base[:MAX_NAME]


# A session's folder left behind by a server that was killed is removed after this long.
STALE_SECONDS = 24 * 3600


def new_upload_dir(settings: Settings) -> Path:
    """Create a fresh private folder for one session's uploads under `<data_dir>/uploads`."""
    root = settings.data_dir / "uploads"
    root.mkdir(parents=True, exist_ok=True, mode=0o700)
    sweep(root)
    return Path(tempfile.mkdtemp(prefix="session-", dir=root))  # mode 0700


def sweep(root: Path, now: float | None = None) -> None:
    """Remove session folders nobody has written to for a day (a server killed mid-session)."""
    now = now or time.time()
    for d in root.glob("session-*"):
        try:
            if now - d.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(d, ignore_errors=True)
        except OSError:
            continue


class SessionUploads:
    """One browser session's upload folder, deleted when Streamlit drops the session's state
    (the tab closed) or the server stops: uploads are contracts, kept no longer than needed."""

    def __init__(self, path: Path):
        self.path = path
        self._remove = weakref.finalize(self, shutil.rmtree, str(path), True)

    def remove(self) -> None:
        self._remove()


def save_upload(name: str, data: bytes, folder: Path) -> Path:
    """Write `data` to `folder` under the sanitised `name`, never over another upload."""
    name = safe_name(name)
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    path.touch(mode=0o600)
    path.write_bytes(data)
    return path
