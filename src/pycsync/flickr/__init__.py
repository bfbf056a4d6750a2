"""Typed Flickr API client: OAuth 1.0a signing and flow, REST, upload/replace, downloads.

Quick start::

    from pycsync.flickr import Endpoints, Credentials, FlickrClient
    client = FlickrClient(Endpoints.for_base(None), Credentials(key, secret, tok, tok_secret))
    me = client.test_login()
"""

from .client import FlickrClient, format_tags
from .endpoints import Endpoints
from .errors import (
    AccountLimitReached,
    ApiError,
    AuthError,
    ClockSkew,
    DiskSpaceLow,
    FileChanged,
    FlickrError,
    HttpError,
    LimitExceeded,
    OutcomeUnknown,
    PermanentUploadError,
    RateLimited,
    SignInIncomplete,
    TransientError,
    Unreachable,
)
from .models import (
    AccessToken,
    Album,
    DownloadLimits,
    DownloadResult,
    ListedPhoto,
    Login,
    PhotoContexts,
    PhotoInfo,
    Size,
    Tag,
    UploadResult,
    as_int,
    content,
)
from .oauth import (
    Credentials,
    LoopbackReceiver,
    SignInPrompts,
    authorize_url,
    get_access_token,
    get_request_token,
    sign_in,
)
from .ratelimit import RateLimiter
from .redact import redact
from .transport import TransportStats

__all__ = [
    "Endpoints",
    "Credentials",
    "FlickrClient",
    "UploadResult",
    "DownloadResult",
    "DownloadLimits",
    "Login",
    "AccessToken",
    "Album",
    "ListedPhoto",
    "PhotoContexts",
    "PhotoInfo",
    "Size",
    "Tag",
    "FlickrError",
    "ApiError",
    "AuthError",
    "ClockSkew",
    "FileChanged",
    "HttpError",
    "LimitExceeded",
    "DiskSpaceLow",
    "TransientError",
    "RateLimited",
    "Unreachable",
    "OutcomeUnknown",
    "PermanentUploadError",
    "AccountLimitReached",
    "RateLimiter",
    "TransportStats",
    "redact",
    "get_request_token",
    "authorize_url",
    "get_access_token",
    "LoopbackReceiver",
    "SignInPrompts",
    "SignInIncomplete",
    "sign_in",
    "format_tags",
    "as_int",
    "content",
]
