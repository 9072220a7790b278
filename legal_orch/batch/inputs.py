"""Find a batch's inputs (a folder, recursively, or a .zip) and give each a safe output name."""

from __future__ import annotations

import hashlib
import re
import shutil
import stat
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from legal_orch.errors import InputError, NotReviewedError

# Characters no output file name may hold: path separators, Windows-reserved ones, controls,
# and the Unicode controls that reorder or break a line when a name is shown.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f/\\:*?\"<>|\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_RESERVED = re.compile(r"^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$", re.I)
# Bytes, not characters: most file systems cap a name at 255 bytes; leave room for ".json.tmp".
MAX_NAME_BYTES = 150
# What we skip when walking a folder: our own outputs and hidden files (".DS_Store", "._x.pdf").
_SKIP_PREFIXES = (".",)
MAX_ZIP_MEMBERS = 100_000
MAX_ZIP_BYTES = 20 * 1024**3


@dataclass(frozen=True)
class BatchInput:
    """One file found: where it is, how it is shown, the stem of its outputs, and why it will
    not be reviewed when it will not (recorded in errors.csv, never skipped in silence)."""

    path: Path
    relpath: str  # relative to the batch source, "/"-separated
    name: str  # output stem: OUTDIR/<name>.json, .md
    problem: InputError | None = None


def safe_stem(relpath: str) -> str:
    """Turn a relative path into one file-name stem with no separators, controls or traversal."""
    parts = [p for p in PurePosixPath(relpath).parts if p not in ("", ".", "..")]
    if parts:
        last = parts[-1]
        for suffix in (".pdf", ".docx"):
            if last.lower().endswith(suffix):
                last = last[: -len(suffix)]
        parts[-1] = last
    stem = "__".join(_UNSAFE.sub("_", unicodedata.normalize("NFC", p)) for p in parts)
    stem = stem.strip(" .") or "unnamed"
    if _RESERVED.match(stem):
        stem = "_" + stem
    if len(stem.encode()) > MAX_NAME_BYTES:
        digest = hashlib.sha1(relpath.encode("utf-8", "surrogateescape")).hexdigest()[:8]
        stem = stem.encode()[: MAX_NAME_BYTES - 9].decode("utf-8", "ignore") + "-" + digest
    return stem


def assign_names(relpaths: list[str]) -> dict[str, str]:
    """Map each relative path to a unique stem; clashes (case-insensitive) get a hash suffix."""
    stems = {r: safe_stem(r) for r in relpaths}
    seen: dict[str, int] = {}
    for s in stems.values():
        seen[s.casefold()] = seen.get(s.casefold(), 0) + 1
    out = {}
    for r, s in stems.items():
        if seen[s.casefold()] > 1:
            s = f"{s}-{hashlib.sha1(r.encode('utf-8', 'surrogateescape')).hexdigest()[:8]}"
        out[r] = s
    return out


_SHOWN_CTRL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def shown_relpath(path: Path, root: Path) -> str:
    """Return `path` relative to `root`, safe to print on one line (controls shown as "?")."""
    rel = path.relative_to(root).as_posix()
    # Undecodable bytes in a name survive as surrogates: show them as U+FFFD rather than crash.
    rel = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return _SHOWN_CTRL.sub("?", rel)


Found = tuple[Path, Path, InputError | None]  # (path shown, path read, why not reviewed)


def _walk(root: Path, skip: Path | None) -> list[Found]:
    """Every file under `root` (resolved), following links only to places inside it, once."""
    found: list[Found] = []
    seen = {root}
    pending = [root]
    while pending:
        folder = pending.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError as e:
            why = f"cannot read this folder ({e.strerror})"
            found.append(
                (folder, folder, NotReviewedError(shown_relpath(folder, root), why, "unreadable"))
            )
            continue
        for p in entries:
            if p.name.startswith(_SKIP_PREFIXES):
                continue
            shown = shown_relpath(p, root)
            try:
                real = p.resolve(strict=True)
            except (OSError, RuntimeError):  # missing target, or a loop of links
                found.append(
                    (p, p, NotReviewedError(shown, "a broken link (no target, or a loop)", "link"))
                )
                continue
            if skip is not None and real.is_relative_to(skip):
                continue
            if not real.is_relative_to(root):
                problem = "a link to outside the batch folder, not followed"
                found.append((p, real, NotReviewedError(shown, problem, "link")))
            elif real.is_dir():
                if real not in seen:  # a link back up, or a second way to one folder
                    seen.add(real)
                    pending.append(p)
            elif real.is_file():
                found.append((p, real, _unreviewable(real, shown)))
            else:
                found.append((p, real, NotReviewedError(shown, "not a regular file", "unreadable")))
    return sorted(found, key=lambda f: f[0].as_posix())


def is_candidate(path: Path) -> bool:
    """Return whether a file found in the source is meant for review (.pdf or .docx, any case)."""
    return path.suffix.lower() in (".pdf", ".docx")


def _unreviewable(path: Path, shown: str) -> InputError | None:
    if is_candidate(path):
        return None
    if path.suffix.lower() == ".zip":
        problem = "a zip inside the batch, not opened: extract it, or give it as the batch source"
        return NotReviewedError(shown, problem, "nested_zip")
    kind = f"({path.suffix.lower()})" if path.suffix else "(no extension)"
    return NotReviewedError(
        shown,
        f"unsupported file type {kind}: only PDF and Word (.docx) files are reviewed",
        "unsupported",
    )


def find_inputs(
    source: Path, out: Path, *, max_file_mb: float = 100.0, max_zip_mb: float = 2048.0
) -> list[BatchInput]:
    """List every file under `source` (a folder, recursively, or a .zip extracted into
    OUTDIR/.inputs); each one that cannot be reviewed carries its reason."""
    if not source.exists():
        raise InputError(str(source), "no such file or folder")
    problems: list[Problem] = []
    if source.is_file():
        if not zipfile.is_zipfile(source):
            raise InputError(source.name, "not a folder or a .zip file")
        limits = ZipLimits(int(max_file_mb * 1024**2), int(max_zip_mb * 1024**2))
        root = extract_zip(source, out / ".inputs", problems, limits=limits)
    else:
        root = source
    root = root.resolve()
    # Outputs written inside the source folder must never be reviewed as inputs.
    skip = out.resolve() if out.resolve().is_relative_to(root) else None
    found = _walk(root, skip)
    found += [(root / m, root / m, NotReviewedError(m, why, kind)) for m, why, kind in problems]
    if not found:
        raise InputError(str(source), "no files to review")
    rels = [shown_relpath(p, root) if p.is_relative_to(root) else str(p) for p, _, _ in found]
    names = assign_names(rels)
    return [
        BatchInput(path=real, relpath=r, name=names[r], problem=e)
        for (_, real, e), r in zip(found, rels, strict=True)
    ]


Problem = tuple[str, str, str]  # (member as shown, why it is not extracted, kind)


@dataclass(frozen=True)
class ZipLimits:
    member_bytes: int  # one member, expanded
    total_bytes: int = MAX_ZIP_BYTES  # all members together, expanded


# What zipfile can read; anything else (PPMd, Deflate64, ...) is a row in errors.csv.
_METHODS = {zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA}
MAX_PART_BYTES = 255  # one folder or file name, as most file systems allow


def _member_target(dest: Path, name: str) -> Path | None:
    """Return where a zip member goes under `dest`, or None when its name is unsafe."""
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return None
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if any(p == ".." for p in parts):
        return None
    target = dest.joinpath(*parts).resolve()
    return target if target.is_relative_to(dest.resolve()) else None


def extract_zip(
    archive: Path,
    dest: Path,
    problems: list[Problem] | None = None,
    *,
    limits: ZipLimits | None = None,
) -> Path:
    """Extract `archive` into `dest`, refusing absolute paths, `..` and zip bombs; a member that
    is not extracted (a link, a duplicate, encrypted, too large...) goes to `problems`."""
    limits = limits or ZipLimits(MAX_ZIP_BYTES)
    problems = problems if problems is not None else []
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            total = sum(m.file_size for m in members)
            if len(members) > MAX_ZIP_MEMBERS or total > limits.total_bytes:
                raise InputError(
                    archive.name,
                    f"zip expands to {total / 1024**2:,.0f} MB in {len(members)} member(s), over "
                    f"the limit of {limits.total_bytes / 1024**2:,.0f} MB (LEGAL_ORCH_MAX_ZIP_MB)",
                )
            # Start clean: members of an earlier zip extracted here are not this zip's.
            shutil.rmtree(dest, ignore_errors=True)
            dest.mkdir(parents=True, exist_ok=True, mode=0o700)
            seen: set[str] = set()
            for m in members:
                why = _member_problem(m, seen, limits)
                if why is None:
                    why = _extract_member(zf, m, dest, archive.name)
                if why is not None:
                    shown = m.filename if m.filename not in seen else f"{m.filename} (copy)"
                    problems.append((_safe_shown(shown), *why))
                seen.add(m.filename)
    except zipfile.BadZipFile as e:
        raise InputError(archive.name, f"corrupt zip ({e})") from e
    return dest


def _safe_shown(name: str) -> str:
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    name = _SHOWN_CTRL.sub("?", name)
    return name if len(name) <= 200 else name[:150] + "…" + name[-40:]


def _member_problem(
    m: zipfile.ZipInfo, seen: set[str], limits: ZipLimits
) -> tuple[str, str] | None:
    """Why member `m` is not extracted, as (problem, kind), or None to extract it."""
    if m.filename in seen:
        return "a second member of the zip under the same name, not extracted", "duplicate"
    if m.is_dir():
        return None
    if stat.S_ISLNK(m.external_attr >> 16):
        # A symlink in a zip could point anywhere: never follow or create it.
        return "a link inside the zip, not followed", "link"
    if m.flag_bits & 0x1:
        return "encrypted inside the zip (password required)", "encrypted"
    if m.compress_type not in _METHODS:
        return (
            f"compressed with a method this tool cannot read (method {m.compress_type})",
            "unsupported",
        )
    if any(len(p.encode()) > MAX_PART_BYTES for p in PurePosixPath(m.filename).parts):
        return "name too long to extract (over 255 bytes)", "unreadable"
    if m.file_size > limits.member_bytes:
        return (
            f"expands to {m.file_size / 1024**2:,.0f} MB, over the "
            f"{limits.member_bytes / 1024**2:,.0f} MB limit per file",
            "too_large",
        )
    return None


def _extract_member(
    zf: zipfile.ZipFile, m: zipfile.ZipInfo, dest: Path, shown: str
) -> tuple[str, str] | None:
    """Extract one member (always: a same-named member of another zip may differ); return why
    it could not be, or None."""
    target = _member_target(dest, m.filename)
    if target is None:
        raise InputError(shown, f"unsafe path in zip: {m.filename[:80]!r}")
    try:
        if m.is_dir():
            target.mkdir(parents=True, exist_ok=True, mode=0o700)
            return None
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = target.with_name(target.name + ".part")
        with zf.open(m) as src, tmp.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        tmp.replace(target)
    except (NotImplementedError, RuntimeError) as e:
        return f"cannot be extracted ({e})", "unsupported"
    except zipfile.BadZipFile as e:
        return f"corrupt inside the zip ({e})", "corrupt"
    except OSError as e:  # a file where a folder must go, or the reverse; a full disk
        return f"cannot be extracted ({e.strerror or e})", "unreadable"
    return None
