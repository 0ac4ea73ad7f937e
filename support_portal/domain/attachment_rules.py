"""Which files may be attached: judged by their content, not by the name they came with."""

from __future__ import annotations

import puremagic

# Extension the user may give -> the kinds of content that extension may hold.
ALLOWED: dict[str, tuple[str, ...]] = {
    "png": ("png",),
    "jpg": ("jpeg",),
    "jpeg": ("jpeg",),
    "gif": ("gif",),
    "webp": ("webp",),
    "pdf": ("pdf",),
    "txt": ("text",),
    "log": ("text",),
}

CONTENT_TYPES: dict[str, str] = {
    "png": "image/png",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
    "text": "text/plain; charset=utf-8",
}

_MAGIC_TO_KIND = {
    ".png": "png",
    ".jpg": "jpeg",
    ".jpeg": "jpeg",
    ".jfif": "jpeg",
    ".gif": "gif",
    ".webp": "webp",
    ".pdf": "pdf",
}

ALLOWED_LIST = "PNG, JPG, GIF, WebP, PDF, TXT or LOG"


class AttachmentRefused(ValueError):
    """The message says what is wrong with the file, in words for the person uploading it."""


def check_name(name: str) -> str:
    """The file's own name, refused if it tries to carry a path."""
    if not name or not name.strip():
        raise AttachmentRefused("The file has no name.")
    if any(sep in name for sep in ("/", "\\", "\x00")) or name.strip() in (".", ".."):
        raise AttachmentRefused(f"The file name {name!r} may not contain folders or path segments.")
    if len(name) > 200:
        raise AttachmentRefused("The file name is too long (200 characters at most).")
    return name.strip()


def sniff_kind(data: bytes) -> str | None:
    """The kind of content, from its bytes: an image/PDF signature, or plain UTF-8 text."""
    try:
        kind = _MAGIC_TO_KIND.get(puremagic.from_string(data[:8192]).lower())
    except (puremagic.PureError, ValueError):
        kind = None
    if kind:
        return kind
    if b"\x00" in data[:8192]:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "text"


def check_file(name: str, data: bytes, *, max_bytes: int) -> tuple[str, str]:
    """(clean name, content type) for a file that may be stored; raises AttachmentRefused."""
    name = check_name(name)
    if len(data) > max_bytes:
        mb = max_bytes / (1024 * 1024)
        raise AttachmentRefused(f"{name} is larger than the {mb:g} MB limit.")
    if not data:
        raise AttachmentRefused(f"{name} is empty.")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise AttachmentRefused(f"{name}: only {ALLOWED_LIST} files can be attached.")
    kind = sniff_kind(data)
    if kind not in ALLOWED[ext]:
        raise AttachmentRefused(
            f"{name} does not contain what its name says (a .{ext} file was expected)."
        )
    return name, CONTENT_TYPES[kind]
