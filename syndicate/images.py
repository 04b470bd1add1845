"""The article's image, read for upload, made small enough for the platform if it must be.

Platforms cap what they accept (Bluesky: 1,000,000 bytes for a card thumb or an image).
A larger image is downscaled and re-encoded as JPEG until it fits; one that cannot be
read or made small enough is left out, and the caller says so.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# Beyond this many pixels a side, no platform shows more: shrink before trying qualities.
MAX_SIDE = 2000


@dataclass(frozen=True)
class Upload:
    """Image bytes ready to send, with their type and the alt text that goes with them."""

    data: bytes
    mime: str
    alt: str
    name: str


class ImageProblem(Exception):
    """The image could not be read, or not made small enough: post without it."""


def card_image(project_root: str, card: Mapping[str, str] | None, max_bytes: int
               ) -> Upload | None:
    """The card's image file, within max_bytes; None when the card has no image file."""
    if not card or not card.get("image_file"):
        return None
    path = Path(project_root) / card["image_file"]
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ImageProblem(f"cannot read {card['image_file']} ({error.strerror})") from None
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if len(data) > max_bytes or not mime.startswith("image/"):
        data, mime = smaller(data, max_bytes, card["image_file"])
    return Upload(data=data, mime=mime, alt=card.get("image_alt") or "", name=path.name)


def smaller(data: bytes, max_bytes: int, name: str) -> tuple[bytes, str]:
    """data as a JPEG of at most max_bytes, downscaled as little as it takes."""
    from PIL import Image, UnidentifiedImageError  # only posting with images needs Pillow

    try:
        image: Image.Image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise ImageProblem(f"{name} is not an image Pillow can read ({error})") from None
    if image.mode not in ("RGB", "L"):
        # JPEG has no alpha: flatten onto white, as the page shows it on a light card.
        flat = Image.new("RGB", image.size, "white")
        flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
        image = flat
    if max(image.size) > MAX_SIDE:
        image.thumbnail((MAX_SIDE, MAX_SIDE))
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
