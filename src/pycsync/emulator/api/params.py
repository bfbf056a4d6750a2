"""Reading method arguments: numbers, flags, id lists, extras and Flickr's two date forms."""

from __future__ import annotations

import calendar
import re
import time

__all__ = [
    "int_arg",
    "bool01",
    "id_list",
    "parse_extras",
    "parse_ts",
    "parse_taken",
    "parse_datetime_parts",
    "valid_parts",
    "fmt_parts",
]

_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?)?$")

DateParts = tuple[int, int, int, int, int, int]


def int_arg(value: str | None, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def bool01(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return 1 if int(value) == 1 else 0
    except ValueError:
        return None


def id_list(value: str | None) -> list[str]:
    if not value:
        return []
    out: list[str] = []
    for part in value.split(","):
        part = part.strip()
        if part and part not in out:
            out.append(part)
    return out


def parse_extras(value: str | None) -> list[str]:
    if not value:
        return []
    out = []
    for item in value.replace(" ", ",").split(","):
        item = item.strip().lower()
        if item and item not in out:
            out.append(item)
    return out


def parse_datetime_parts(value: str) -> DateParts | None:
    m = _DATETIME.match(value.strip())
    if not m:
        return None
    y, mo, d, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
    return y, mo, d or 1, hh, mm, ss


def valid_parts(p: DateParts) -> bool:
    y, mo, d, hh, mm, ss = p
    if not (1 <= mo <= 12) or hh > 23 or mm > 59 or ss > 59:
        return False
    return 1 <= d <= calendar.monthrange(y, mo)[1] if y >= 1 else False


def fmt_parts(p: DateParts) -> str:
    return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*p)


# unix seconds beyond these are no date (year 1 .. 9999): Flickr answers them as invalid
_MIN_TS, _MAX_TS = -62135596800, 253402300799


def parse_ts(value: str | None) -> int | None:
    """Unix timestamp or MySQL datetime (local time) -> unix seconds; None when it is no date."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    if re.fullmatch(r"-?\d+", v):
        seconds = int(v)
        return seconds if _MIN_TS <= seconds <= _MAX_TS else None
    p = parse_datetime_parts(v)
    if p is None or not valid_parts(p):
        return None
    try:
        return int(time.mktime((*p, 0, 0, -1)))
    except (OverflowError, ValueError):
        return None


def parse_taken(value: str | None) -> str | None:
    """MySQL datetime or unix timestamp -> ``YYYY-MM-DD HH:MM:SS`` (local); None when it is no date."""
    if value is None or not value.strip():
        return None
    v = value.strip()
    if re.fullmatch(r"-?\d+", v):
        try:
            return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(v)))
        except (OverflowError, OSError, ValueError):
            return None
    p = parse_datetime_parts(v)
    if p is None or not valid_parts(p):
        return None
    return fmt_parts(p)
