"""File and folder names the product writes, and where they may go (issue 18).

Every name made from a registry code or from text typed into a source (a unit code in a blank
template, ``X/../../tong-hop-huyen``) goes through :func:`safe_name`: no separator, no ``..``, no
control or invisible formatting character, nothing Windows refuses in a name, bounded length. And
every path written is checked by :func:`outside` to stay inside its target folder (a link planted
under the name that points elsewhere is refused, CDHT-W052).

:func:`name_problem` is the other side: what can soundly be said about a file name *typed* into a
workbook (the "Tệp" of an evidence row) from its text alone, without looking at any disk.
"""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path, PurePosixPath

from cdht.messages import Finding, finding

NAME_MAX = 80          # characters of one name part made from a code (the file name adds ~30 around it)
NAME_MAX_BYTES = 200   # and its UTF-8 bytes (most file systems: 255 bytes per name)

# Characters no name may hold: path separators, what Windows refuses (<>:"|?*), controls
_FORBIDDEN = frozenset('/\\<>:"|?*')
_INVISIBLE = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}  # controls, bidi overrides, zero-width, unassigned
_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}


def _bad_char(ch: str) -> bool:
    return ch in _FORBIDDEN or unicodedata.category(ch) in _INVISIBLE


def safe_name(text, *, max_len: int = NAME_MAX, fallback: str = "_") -> str:
    """``text`` as one file-name part: NFC; separators, Windows-forbidden, control and invisible
    characters replaced by ``_``; no ``..`` (runs of dots become one); no leading or trailing dot
    or space (hidden files, names Windows trims); a Windows device name (``CON``, ``NUL``…) gets a
    leading ``_``; at most ``max_len`` characters and :data:`NAME_MAX_BYTES` UTF-8 bytes. An empty
    result is ``fallback``. The same text always gives the same name."""
    s = unicodedata.normalize("NFC", str(text))
    s = "".join("_" if _bad_char(ch) else ch for ch in s)
    s = re.sub(r"\.{2,}", ".", s).strip(" .")
    s = s[:max_len]
    while len(s.encode("utf-8")) > NAME_MAX_BYTES:
        s = s[:-1]
    s = s.rstrip(" .")
    if s.split(".")[0].upper() in _WINDOWS_RESERVED:
        s = "_" + s
    return s or fallback


def unique_names(texts) -> dict[str, str]:
    """Each text → its :func:`safe_name`, made unique among them (``-2``, ``-3``… after the first,
    case-insensitively, as on Windows): two codes never write the same file."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for t in texts:
        if t in out:
            continue
        base = safe_name(t)
        name, k = base, 1
        while name.casefold() in taken:
            k += 1
            name = f"{base}-{k}"
        taken.add(name.casefold())
        out[t] = name
    return out


def outside(folder: str | Path, path: str | Path) -> Finding | None:
    """CDHT-W052 when ``path``, with every link followed, is not inside ``folder`` (or is the
    folder itself); None when writing it stays inside. Checked on the names as they are now, just
    before writing."""
    root = Path(os.path.realpath(folder))
    real = Path(os.path.realpath(path))
    if real != root and root in real.parents:
        return None
    return finding("CDHT-W052", file=Path(path).name, folder=str(folder), target=str(real))


# ---- a file name typed into a workbook (evidence "Tệp"): its form only -------------------------

DOCUMENT_SUFFIXES = frozenset({
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".xls", ".xlsx", ".ods", ".csv", ".ppt", ".pptx", ".odp",
    ".jpg", ".jpeg", ".png", ".gif", ".bmp", ".tif", ".tiff", ".heic", ".webp",
    ".mp3", ".m4a", ".wav", ".mp4", ".mov", ".avi", ".wmv", ".mkv",
    ".zip", ".rar", ".7z",
})
PART_MAX_BYTES = 255   # one name in a path (NTFS: 255 UTF-16 units, ext4: 255 bytes)
PATH_MAX_CHARS = 200   # the whole relative path: Windows' 260 less room for the folder it is unpacked in

_DRIVE = re.compile(r"^[A-Za-z]:")


def name_problem(text: str) -> tuple[str, dict] | None:
    """What is wrong with ``text`` as the relative path of a file sent with a workbook, judged on
    the text alone (never on any disk): ``(code, facts)`` or None when its form is sound.

    E020 an absolute path (``/…``, ``C:…``, ``\\\\server``): a place on one machine, not a file
    of the dossier; E021 ``..``: outside the dossier's folder; E022 control or Windows-forbidden
    characters: no file can be named so; E023 too long for a file name (one part over 255 bytes)
    or for a path Windows opens (over 200 characters); E024 a folder, not a file (ends with a
    separator, or ``.``); E025 no extension, or one that is not a document, picture, sound, video
    or archive type."""
    t = text.strip().replace("\\", "/")
    if t.startswith("/") or _DRIVE.match(t):
        return "CDHT-E020", {}
    bad = sorted({ch for ch in t if ch != "/" and _bad_char(ch)})
    if bad:
        return "CDHT-E022", {"chars": ", ".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in bad)}
    parts = t.split("/")
    if ".." in parts:
        return "CDHT-E021", {}
    longest = max(len(p.encode("utf-8")) for p in parts)
    if longest > PART_MAX_BYTES or len(t) > PATH_MAX_CHARS:
        return "CDHT-E023", {"length": len(t), "limit": PATH_MAX_CHARS, "part_limit": PART_MAX_BYTES}
    if t.endswith("/") or parts[-1] in ("", "."):
        return "CDHT-E024", {}
    suffix = PurePosixPath(parts[-1]).suffix.lower()
    if suffix not in DOCUMENT_SUFFIXES:
        return "CDHT-E025", {"suffix": suffix or "không có"}
    return None


def display_name(text: str, limit: int = 60) -> str:
    """``text`` safe to show in a message or a cell: control and invisible characters as ``?``,
    at most ``limit`` characters (an ellipsis when cut)."""
    s = "".join("?" if unicodedata.category(ch) in _INVISIBLE else ch for ch in str(text))
    return s if len(s) <= limit else s[:limit - 1] + "…"
