"""Uploaded files land in a private folder under the data dir, under a name safe on any system."""

from __future__ import annotations

import re
import tempfile
import unicodedata
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


def new_upload_dir(settings: Settings) -> Path:
    """Create a fresh private folder for one session's uploads under `<data_dir>/uploads`."""
    root = settings.data_dir / "uploads"
    root.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix="session-", dir=root))


def save_upload(name: str, data: bytes, folder: Path) -> Path:
    """Write `data` to `folder` under the sanitised `name`, never over another upload."""
    name = safe_name(name)
    path = folder / name
    stem, suffix = path.stem, path.suffix
    n = 1
    while path.exists():
        n += 1
        path = folder / f"{stem}-{n}{suffix}"
    path.write_bytes(data)
    return path
