"""``flickr.reflection.getMethods`` / ``getMethodInfo``, generated from the emulator's own registry.

Nothing here is a hand-kept list: the method names, permission levels,
signing requirements, arguments and method-specific errors are the ones each
``@method(...)`` registration declares (see :func:`pycsync.emulator.registry.method`),
so the answer always matches what the emulator implements.  Shapes follow
Flickr's reflection output (docs/flickr-behaviour.md, "Reflection")::

    <method name needslogin needssigning requiredperms><description>...</description></method>
    <arguments><argument name optional>text</argument>...</arguments>
    <errors><error code message>text</error>...</errors>
"""

from __future__ import annotations

from ..errors import ApiError
from ..registry import MethodSpec, method
from ..render import Node, num, numstr, text_node
from .context import Ctx
from .examples import example_response

__all__ = ["method_info"]

# Descriptions for methods whose implementation has no docstring (Flickr's own one-liners, paraphrased).
_DESCRIPTIONS = {
    "flickr.test.echo": "A testing method which echoes all parameters back in the response.",
    "flickr.test.login": "A testing method which checks if the caller is logged in then returns their username.",
    "flickr.auth.oauth.checkToken": "Returns the credentials attached to an OAuth authentication token.",
    "flickr.people.getUploadStatus": "Returns information for the calling user related to photo uploads.",
    "flickr.people.getLimits": "Returns the photo and video limits that apply to the calling user account.",
    "flickr.people.getPhotos": "Return photos from the given user's photostream.",
    "flickr.photos.search": "Return a list of photos matching some criteria.",
    "flickr.photos.getNotInSet": "Returns a list of your photos that are not part of any sets.",
    "flickr.photos.recentlyUpdated": "Return a list of your photos that have been recently created or recently "
    "modified.",
    "flickr.photos.getInfo": "Get information about a photo.",
    "flickr.photos.getSizes": "Returns the available sizes for a photo.",
    "flickr.photos.getAllContexts": "Returns all visible sets and pools the photo belongs to.",
    "flickr.photos.delete": "Delete a photo from flickr.",
    "flickr.photos.setMeta": "Set the meta information for a photo.",
    "flickr.photos.setDates": "Set one or both of the dates for a photo.",
    "flickr.photos.addTags": "Add tags to a photo.",
    "flickr.photos.setTags": "Set the tags for a photo.",
    "flickr.photos.removeTag": "Remove a tag from a photo.",
    "flickr.photos.setPerms": "Set permissions for a photo.",
    "flickr.photos.getPerms": "Get permissions for a photo.",
    "flickr.photos.upload.checkTickets": "Checks the status of one or more asynchronous photo upload tickets.",
    "flickr.photosets.getList": "Returns the photosets belonging to the specified user.",
    "flickr.photosets.getInfo": "Gets information about a photoset.",
    "flickr.photosets.getPhotos": "Get the list of photos in a set.",
    "flickr.photosets.create": "Create a new photoset for the calling user.",
    "flickr.photosets.addPhoto": "Add a photo to the end of an existing photoset.",
    "flickr.photosets.removePhoto": "Remove a photo from a photoset.",
    "flickr.photosets.removePhotos": "Remove multiple photos from a photoset.",
    "flickr.photosets.delete": "Delete a photoset.",
    "flickr.photosets.editMeta": "Modify the meta-data for a photoset.",
    "flickr.photosets.editPhotos": "Modify the photos in a photoset.",
    "flickr.photosets.reorderPhotos": "Reorder some or all of the photos in a set.",
    "flickr.photosets.setPrimaryPhoto": "Set photoset primary photo.",
    "flickr.photosets.orderSets": "Set the order of photosets for the calling user.",
}

# The common errors, each listed only where the emulator can actually answer it.
_SIGNATURE = (97, "Missing signature", "The call required signing but no signature was sent.")
_TOKEN = (98, "Login failed / Invalid auth token", "The login details or auth token passed were invalid.")
_PERMS = (
    99,
    "User not logged in / Insufficient permissions",
    "The method requires user authentication but the user was not logged in, or the authenticated "
    "method call did not have the required permissions.",
)
_ALWAYS = [
    (100, "Invalid API Key", "The API key passed was not valid or has expired."),
    (105, "Service currently unavailable", "The requested service is temporarily unavailable."),
    (106, "Write operation failed", "The requested operation failed due to a temporary issue."),
    (111, 'Format "xxx" not found', "The requested response format was not found."),
    (112, 'Method "xxx" not found', "The requested method was not found."),
]


def description(spec: MethodSpec) -> str:
    return _DESCRIPTIONS.get(spec.name) or spec.description


def method_info(spec: MethodSpec, example: str = "") -> list[Node]:
    """``method``, ``arguments`` and ``errors`` as Flickr's reflection answers them.

    Typed in JSON as real Flickr types them: the implicit ``api_key``'s ``optional`` and the
    common errors' codes are numbers, the method's own arguments' and errors' are strings.
    """
    needslogin = int(spec.perm > 0)
    head = Node(
        "method",
        {
            "name": spec.name,
            "needslogin": needslogin,
            "needssigning": int(spec.signed or spec.perm > 0),
            "requiredperms": spec.perm,
        },
    )
    head.add(text_node("description", description(spec)))
    head.add(text_node("response", example))
    args = Node("arguments", lists={"argument"})
    for a in spec.args:
        optional = num(int(a.optional)) if a.name == "api_key" else numstr(int(a.optional))
        args.add(Node("argument", {"name": a.name, "optional": optional}, text=a.text))
    errors = Node("errors", lists={"error"})
    for code, msg in spec.errors:
        errors.add(Node("error", {"code": numstr(code), "message": msg}, text=msg))
    listed: list[tuple[int, str, str]] = []
    if spec.signed:
        listed.append(_SIGNATURE)
    listed.append(_TOKEN)  # any call that carries an unknown or revoked token
    if spec.perm > 0:
        listed.append(_PERMS)
    listed += _ALWAYS
    for code, msg, text in listed:
        errors.add(Node("error", {"code": num(code), "message": msg}, text=text))
    return [head, args, errors]


@method("flickr.reflection.getMethods")
def reflection_get_methods(ctx: Ctx) -> list[Node]:
    """Returns a list of available Flickr API methods (those this emulator implements)."""
    node = Node("methods", lists={"method"})
    for name in ctx.backend.registry.names():
        node.add(text_node("method", name))
    return [node]


@method("flickr.reflection.getMethodInfo", args="method_name", errors=((1, "Method not found"),))
def reflection_get_method_info(ctx: Ctx) -> list[Node]:
    """Returns information for a given Flickr API method: permissions, arguments and errors."""
    name = (ctx.arg("method_name") or "").strip()
    spec = ctx.backend.registry.lookup(name) if name else None
    if spec is None:
        raise ApiError(1, f'Method "{name}" not found')
    return method_info(spec, example_response(spec, ctx.config, ctx.backend.registry))
