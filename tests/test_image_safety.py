"""An article's image is untrusted: a path out of the content folder, a symlink out of it
or a file that is not an image must never be read, shown in a preview or uploaded; and
what does go out is decoded and encoded again, so nothing but pixels leaves.

Each case runs the real build, `check`, the HTML preview and a post to the faithful
Mastodon fake with images attached."""

from __future__ import annotations

import base64
import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Site, article, write_png
from fakes.mastodon import FakeMastodon
from PIL import Image

MARKER = b"PRIVATE-MARKER-7f3a9c"
TOKEN = "good-token"


def private_png(path: Path) -> bytes:
    """A real PNG that carries the marker (a text chunk and bytes after its end)."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", MARKER.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, "PNG", pnginfo=info)
    data = buffer.getvalue() + MARKER
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def data_uris(html: str) -> list[bytes]:
    return [base64.b64decode(m) for m in re.findall(r"data:[\w/+.-]+;base64,([A-Za-z0-9+/=]+)",
                                                    html)]


def assert_never_shown(site: Site, tmp_path: Path) -> None:
    page = tmp_path / "preview.html"
    result = site.run("preview", "--format", "html", "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert MARKER.decode() not in html
    assert result.exit_code == 0
    assert data_uris(html) == [], "the page embeds the file (no other image is configured)"


@pytest.fixture
def image_site(live_site: Callable[..., Site], mastodon: FakeMastodon
               ) -> Callable[[str], Site]:
    def make(image: str) -> Site:
        return live_site({"door.md": article("The red door", image=image,
                                             image_alt="A red door")},
                         {"mastodon": {"url": mastodon.url, "image": True}})

    return make


def post(site: Site) -> str:
    result = site.run("post", env={"SYNDICATE_MASTODON_TOKEN": TOKEN})
    return result.output


@pytest.mark.parametrize("image", ["../secret.png", "/../../secret.png",
                                   "{static}/../secret.png", "images/../../secret.png",
                                   "../" * 30 + "proc/self/environ"])
def test_a_path_out_of_the_content_folder_is_never_read(
        image_site: Callable[[str], Site], mastodon: FakeMastodon, tmp_path: Path,
        image: str) -> None:
    site = image_site(image)
    private_png(site.root / "secret.png")
    assert site.build().exit_code == 0
    check = site.run("check")
    assert check.exit_code == 1
    assert "content/door.md" in check.output and "outside the content folder" in check.output
    assert_never_shown(site, tmp_path)
    post(site)
    assert not mastodon.media, "uploaded a file from outside the content folder"
    assert all(MARKER not in data for data in mastodon.media_files.values())


def test_a_symlink_out_of_the_content_folder_is_never_read(
        image_site: Callable[[str], Site], mastodon: FakeMastodon, tmp_path: Path) -> None:
    site = image_site("images/door.png")
    private_png(tmp_path / "elsewhere" / "secret.png")
    link = site.root / "content" / "images" / "door.png"
    link.parent.mkdir(parents=True)
    link.symlink_to(tmp_path / "elsewhere" / "secret.png")
    assert site.build().exit_code == 0
    check = site.run("check")
    assert check.exit_code == 1 and "outside the content folder" in check.output
    assert_never_shown(site, tmp_path)
    post(site)
    assert not mastodon.media


def test_a_symlink_inside_the_content_folder_is_fine(
        image_site: Callable[[str], Site], mastodon: FakeMastodon) -> None:
    site = image_site("images/door.png")
    write_png(site.root / "content" / "pictures" / "real.png")
    (site.root / "content" / "images").mkdir()
    (site.root / "content" / "images" / "door.png").symlink_to(
        site.root / "content" / "pictures" / "real.png")
    assert site.build().exit_code == 0
    assert site.run("check").exit_code == 0
    post(site)
    assert len(mastodon.media) == 1


def test_a_file_that_is_not_an_image_is_refused(
        image_site: Callable[[str], Site], mastodon: FakeMastodon, tmp_path: Path) -> None:
    site = image_site("images/door.png")
    fake = site.root / "content" / "images" / "door.png"
    fake.parent.mkdir(parents=True)
    fake.write_bytes(b"AWS_SECRET=" + MARKER + b"\n")
    assert site.build().exit_code == 0
    check = site.run("check")
    assert check.exit_code == 1 and "not an image" in check.output
    assert_never_shown(site, tmp_path)
    output = post(site)
    assert not mastodon.media
    assert "without its image" in output


def test_what_is_uploaded_is_only_pixels(image_site: Callable[[str], Site],
                                         mastodon: FakeMastodon, tmp_path: Path) -> None:
    site = image_site("images/door.png")
    original = private_png(site.root / "content" / "images" / "door.png")
    assert site.build().exit_code == 0
    assert site.run("check").exit_code == 0
    post(site)
    (sent,) = mastodon.media_files.values()
    assert MARKER not in sent and sent != original
    with Image.open(io.BytesIO(sent)) as image:
        assert image.size == (64, 48)
        assert image.getpixel((10, 10))[:3] == pytest.approx((200, 30, 30), abs=8)
    page = tmp_path / "preview.html"
    site.run("preview", "--all", "--format", "html", "-o", str(page))
    embedded = data_uris(page.read_text(encoding="utf-8"))
    assert embedded and all(MARKER not in data for data in embedded)
