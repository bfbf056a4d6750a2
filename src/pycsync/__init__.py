"""pycsync: keep a folder tree of photos and videos and a Flickr account in sync, both ways."""

__version__ = "0.1.0"
