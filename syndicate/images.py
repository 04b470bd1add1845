"""The article's image, read for upload, re-encoded, small enough for the platform.

An image file is untrusted: an article names it, and could name a private file (a path
out of the content folder, a symlink) or something that is not an image at all. So a file
is read only when it lies inside the allowed folder after symlinks are resolved, and
every image is decoded and encoded again with Pillow before it goes anywhere: a
non-image is refused, and what the file carried besides its pixels (EXIF, a GPS
position, appended bytes) is left behind. Platforms cap what they accept (Bluesky:
1,000,000 bytes); a larger image is downscaled and re-encoded as JPEG until it fits.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

# Beyond this many pixels a side, no platform shows more: shrink before trying qualities.
MAX_SIDE = 2000
# Decoding more pixels than this is refused (a small file can claim a huge canvas).
MAX_PIXELS = 50_000_000


@dataclass(frozen=True)
class Upload:
    """Image bytes ready to send, with their type and the alt text that goes with them."""

    data: bytes
    mime: str
    alt: str
    name: str


class ImageProblem(Exception):
    """The image could not be read, or not made small enough: post without it."""


def inside(folder: Path, relative: str) -> Path | None:
    """The real path of folder/relative when, symlinks resolved, it lies inside folder."""
    base = folder.resolve()
    try:
        path = (base / relative).resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return None
    return path if path.is_relative_to(base) else None


def read_inside(folder: Path, relative: str) -> bytes:
    """The bytes of folder/relative; ImageProblem when it lies outside folder."""
    path = inside(folder, relative)
    if path is None:
        raise ImageProblem(f"{relative} lies outside {folder}: not read")
    try:
        return path.read_bytes()
    except OSError as error:
        raise ImageProblem(f"cannot read {relative} ({error.strerror})") from None


def card_image(project_root: str, card: Mapping[str, str] | None, max_bytes: int
               ) -> Upload | None:
    """The card's image file, re-encoded within max_bytes; None when the card has none.

    The build only names files inside the content folder; the project root is checked
    again here, so a manifest can never make a file outside the project go out.
    """
    if not card or not card.get("image_file"):
        return None
    relative = card["image_file"]
    data, mime = reencoded(read_inside(Path(project_root), relative), max_bytes, relative)
    return Upload(data=data, mime=mime, alt=card.get("image_alt") or "",
                  name=Path(relative).stem + (".png" if mime == "image/png" else ".jpg"))


def decoded(data: bytes, name: str) -> tuple[Image.Image, str]:
    """data decoded by Pillow, and its format ("PNG"); ImageProblem when it is not an
    image Pillow can read."""
    from PIL import Image, UnidentifiedImageError  # only images need Pillow

    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise ImageProblem(f"{name} is {opened.width}×{opened.height} pixels, too "
                                   "large to decode")
            opened.load()
            image: Image.Image = opened.copy()
            kind = str(opened.format or "")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            SyntaxError) as error:
        raise ImageProblem(f"{name} is not an image Pillow can read ({error})") from None
    return image, kind


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def reencoded(data: bytes, max_bytes: int, name: str, max_side: int = MAX_SIDE
              ) -> tuple[bytes, str]:
    """data decoded and encoded again (PNG when it was a PNG or GIF or has transparency,
    else JPEG, which is also what a PNG too large for max_bytes becomes), at most
    max_side pixels a side and max_bytes long; ImageProblem when that cannot be."""
    image, kind = decoded(data, name)
    lossless = kind in ("PNG", "GIF") or _has_alpha(image)
    if max(image.size) > max_side:
        image.thumbnail((max_side, max_side))
    if lossless:  # a screenshot or a drawing stays sharp; a photo is a JPEG
        buffer = io.BytesIO()
        image.convert("RGBA" if _has_alpha(image) else "RGB").save(buffer, "PNG",
                                                                  optimize=True)
        if buffer.tell() <= max_bytes:
            return buffer.getvalue(), "image/png"
    return smaller(image, max_bytes, name)


def smaller(image: Image.Image, max_bytes: int, name: str) -> tuple[bytes, str]:
    """image as a JPEG of at most max_bytes, downscaled as little as it takes."""
    from PIL import Image

    if image.mode not in ("RGB", "L"):
        # JPEG has no alpha: flatten onto white, as the page shows it on a light card.
        flat = Image.new("RGB", image.size, "white")
        rgba = image.convert("RGBA")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    for _ in range(12):
        for quality in (85, 75, 60):
            buffer = io.BytesIO()
            image.save(buffer, "JPEG", quality=quality, optimize=True)
            if buffer.tell() <= max_bytes:
                return buffer.getvalue(), "image/jpeg"
        width, height = image.size
        if min(width, height) < 64:
            break
        image = image.resize((width * 3 // 4, height * 3 // 4))
    raise ImageProblem(f"{name} cannot be made smaller than {max_bytes:,} bytes")
