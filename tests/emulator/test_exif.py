"""flickr.photos.getExif: what the emulator's EXIF reader finds in the stored original."""

from __future__ import annotations

import io

from tests.support.api import Api
from tests.support.media import make_jpeg_bytes, make_mp4_bytes, make_png_bytes


def _camera_jpeg() -> bytes:
    from PIL import Image
    from PIL.TiffImagePlugin import IFDRational

    exif = Image.Exif()
    exif[0x010F] = "Canon"
    exif[0x0110] = "Canon EOS 5D"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2018:07:08 09:10:11"
    sub[0x829A] = IFDRational(1, 250)
    sub[0x829D] = IFDRational(28, 10)
    sub[0x8827] = 400
    out = io.BytesIO()
    Image.new("RGB", (16, 16), (200, 10, 10)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_exif_fields_json_and_xml(emulator):
    api = Api(emulator)
    pid = api.upload_id(_camera_jpeg())
    photo = api.ok("flickr.photos.getExif", photo_id=pid)["photo"]
    assert photo["id"] == pid and photo["camera"] == "Canon EOS 5D" and photo["farm"] == 66
    by_tag = {e["tag"]: e for e in photo["exif"]}
    assert by_tag["Make"]["raw"] == {"_content": "Canon"} and by_tag["Make"]["tagspace"] == "IFD0"
    assert by_tag["Model"]["raw"]["_content"] == "Canon EOS 5D"
    dto = by_tag["DateTimeOriginal"]
    assert dto["raw"]["_content"] == "2018:07:08 09:10:11" and dto["tagspace"] == "ExifIFD"
    assert by_tag["FNumber"]["clean"]["_content"] == "f/2.8"
    assert by_tag["ExposureTime"]["raw"]["_content"] == "1/250"
    assert by_tag["ISO"]["raw"]["_content"] == "400"
    root = api.xml("flickr.photos.getExif", photo_id=pid)
    tags = {e.get("tag"): e.findtext("raw") for e in root.findall("photo/exif")}
    assert tags["Make"] == "Canon" and tags["DateTimeOriginal"] == "2018:07:08 09:10:11"


def test_no_exif_is_an_empty_list(emulator):
    api = Api(emulator)
    for data, name in ((make_png_bytes(seed=1), "a.png"), (make_mp4_bytes(seed=1), "v.mp4")):
        pid = api.upload_id(data, name)
        photo = api.ok("flickr.photos.getExif", photo_id=pid)["photo"]
        assert photo["exif"] == [] and photo["camera"] == ""


def test_exif_visibility(emulator):
    api = Api(emulator)
    private = api.upload_id(make_jpeg_bytes(seed=1, exif_datetime="2020:01:01 00:00:00"), is_public=0)
    anon = Api(emulator, signed=False)
    anon.fail("flickr.photos.getExif", 1, photo_id=private)
    secret = api.info(private)["secret"]
    assert anon.ok("flickr.photos.getExif", photo_id=private, secret=secret)["photo"]["exif"]
    api.fail("flickr.photos.getExif", 1, photo_id="42")


def test_hidden_exif_is_permission_denied_for_others(emulator):
    """An owner who hides their EXIF data: others get error 2 "Permission denied" (recorded 2025)."""
    api = Api(emulator)
    pid = api.upload_id(_camera_jpeg(), is_public=1)
    anon = Api(emulator, signed=False)
    assert anon.ok("flickr.photos.getExif", photo_id=pid)["photo"]["camera"] == "Canon EOS 5D"
    emulator.set_account(hide_exif=True)
    assert anon.fail("flickr.photos.getExif", 2, photo_id=pid)["message"] == "Permission denied"
    assert api.ok("flickr.photos.getExif", photo_id=pid)["photo"]["exif"]  # the owner still sees it
