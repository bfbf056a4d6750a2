"""flickr.reflection.getMethods / getMethodInfo, generated from the emulator's registry."""

from __future__ import annotations

import inspect
import re
import xml.etree.ElementTree as ET

import pytest

from pycsync.emulator import errors
from pycsync.emulator.api import REGISTRY, context, set_access
from tests.support.api import Api
from tests.support.media import make_jpeg_bytes

# what the shared helpers read on a method's behalf
_HELPER_ARGS = {
    "list_filters(": {
        "min_upload_date",
        "max_upload_date",
        "min_taken_date",
        "max_taken_date",
        "media",
        "privacy_filter",
    },
    'visible_set(ctx, ctx.arg("photoset_id"), ctx.arg("user_id"))': {"photoset_id", "user_id"},
    "user_or_caller(": {"user_id"},
    "_paged(": {"page", "per_page"},
    "_empty_list(": {"page", "per_page"},
    "_no_favorites(": {"page", "per_page", "extras"},
    "_tag_filter(": {"tags", "tag_mode", "text", "machine_tags", "machine_tag_mode"},
}
# the helpers every family shares (visibility checks raise the common not-found errors)
_SHARED_SOURCE = "".join(inspect.getsource(m) for m in (context, set_access, errors))
# read by dispatch / auth for every method, or echoed wholesale
_IMPLICIT = {"api_key"}


def _read_args(spec) -> set[str]:
    src = inspect.getsource(spec.fn)
    names = set(re.findall(r'ctx\.arg\("(\w+)"', src))
    for loop in re.findall(r"for (\w+) in \(([^)\n]*)\)", src):  # for k in ("a", "b"): ... ctx.arg(k)
        if f"ctx.arg({loop[0]})" in src:
            names |= set(re.findall(r'"(\w+)"', loop[1]))
    for marker, args in _HELPER_ARGS.items():
        if marker in src:
            names |= args
    return names


def test_get_methods_lists_exactly_the_registry(emulator):
    api = Api(emulator)
    names = [m["_content"] for m in api.ok("flickr.reflection.getMethods")["methods"]["method"]]
    assert names == sorted(REGISTRY)
    for must in (
        "flickr.people.findByUsername",
        "flickr.people.findByEmail",
        "flickr.people.getInfo",
        "flickr.urls.lookupUser",
        "flickr.urls.getUserPhotos",
        "flickr.urls.getUserProfile",
        "flickr.photos.getContext",
        "flickr.photosets.getContext",
        "flickr.photos.getExif",
        "flickr.photos.getFavorites",
        "flickr.photos.comments.getList",
        "flickr.photos.licenses.getInfo",
        "flickr.photos.getPerms",
        "flickr.photos.setContentType",
        "flickr.photos.setSafetyLevel",
        "flickr.tags.getListUser",
        "flickr.tags.getListPhoto",
        "flickr.machinetags.getNamespaces",
        "flickr.machinetags.getValues",
        "flickr.reflection.getMethods",
        "flickr.reflection.getMethodInfo",
        "flickr.photos.getCounts",
        "flickr.photosets.comments.getList",
    ):
        assert must in names, must
    # flickrapi's trait_names() reads <method> texts
    root = Api(emulator, signed=False).xml("flickr.reflection.getMethods")
    assert [m.text for m in root.iter("method")] == names


def test_get_method_info_shape(emulator):
    api = Api(emulator)
    body = api.ok("flickr.reflection.getMethodInfo", method_name="flickr.photos.delete")
    m = body["method"]
    assert m["name"] == "flickr.photos.delete" and m["needslogin"] == 1 and m["needssigning"] == 1
    assert m["requiredperms"] == 3 and m["description"]["_content"]
    args = body["arguments"]["argument"]
    # typed as Flickr's reflection types them: the implicit api_key's and the common errors' numbers
    # are numbers, the method's own arguments' and errors' strings (recorded 2017)
    assert [(a["name"], a["optional"]) for a in args] == [("api_key", 0), ("photo_id", "0")]
    codes = [e["code"] for e in body["errors"]["error"]]
    assert codes[0] == "1" and 99 in codes and 112 in codes
    assert m["response"] == {"_content": ""}  # photos.delete answers nothing
    assert body["errors"]["error"][0]["message"] == "Photo not found"
    info = api.ok("flickr.reflection.getMethodInfo", method_name="flickr.photos.getInfo")
    assert info["method"]["needslogin"] == 0 and info["method"]["requiredperms"] == 0
    assert [(a["name"], a["optional"]) for a in info["arguments"]["argument"]] == [
        ("api_key", 0),
        ("photo_id", "0"),
        ("secret", "1"),
    ]
    assert 99 not in [e["code"] for e in info["errors"]["error"]]
    # the example is the method's own answer (in a sample account), without the envelope
    example = ET.fromstring(info["method"]["response"]["_content"])
    assert example.tag == "photo" and example.find("owner") is not None
    root = api.xml("flickr.reflection.getMethodInfo", method_name="flickr.photosets.addPhoto")
    assert root.find("method").get("requiredperms") == "2"
    assert [a.get("name") for a in root.findall("arguments/argument")] == ["api_key", "photoset_id", "photo_id"]
    assert root.find("errors/error").attrib == {"code": "1", "message": "Photoset not found"}
    api.fail("flickr.reflection.getMethodInfo", 1, method_name="flickr.nope")
    api.fail("flickr.reflection.getMethodInfo", 1)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_reflection_never_lies(name):
    """Every documented argument is read by the implementation, and every argument it reads is documented."""
    spec = REGISTRY[name]
    documented = {a.name for a in spec.args} - _IMPLICIT
    read = _read_args(spec)
    if name == "flickr.test.echo":
        assert documented == set()  # echoes whatever it is given
        return
    assert documented - read == set(), f"{name} documents arguments it ignores"
    assert read - documented == set(), f"{name} reads undocumented arguments"
    source = inspect.getsource(inspect.getmodule(spec.fn)) + _SHARED_SOURCE
    for code, _ in spec.errors:
        assert f"ApiError({code}," in source, (name, code)


def test_method_names_are_case_insensitive(emulator):
    api = Api(emulator)
    pid = api.upload_id(make_jpeg_bytes(seed=1))
    api.ok("flickr.photos.setdates", photo_id=pid, date_taken="2001-02-03 04:05:06")
    assert api.ok("FLICKR.PHOTOS.GETINFO", photo_id=pid)["photo"]["dates"]["taken"] == "2001-02-03 04:05:06"
    info = api.ok("flickr.reflection.getMethodInfo", method_name="flickr.photos.getinfo")
    assert info["method"]["name"] == "flickr.photos.getInfo"
    body = api.fail("flickr.tags.removeTag", 112, tag_id="1")  # not a Flickr method at all
    assert body["message"] == 'Method "flickr.tags.removeTag" not found'


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_method_has_an_example_response(emulator, name):
    """Each example is the method's real answer (a method answering nothing has an empty one)."""
    body = Api(emulator, signed=False).ok("flickr.reflection.getMethodInfo", method_name=name)
    example = body["method"]["response"]["_content"]
    if example:
        ET.fromstring(f"<rsp>{example}</rsp>")  # well-formed XML
    answers_nothing = name.endswith(
        ("delete", "Photo", "Photos", "Meta", "Dates", "setTags", "Tag", "Sets", "null", "Location", "Context")
    ) or name in ("flickr.photos.geo.setPerms",)
    assert example or answers_nothing or name == "flickr.photos.licenses.setLicense", name
