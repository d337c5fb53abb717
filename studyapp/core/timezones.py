"""Showing UTC times in a user's own time zone, and reading local times from forms."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def to_utc(local: datetime | None, tz_name: str | None) -> datetime | None:
    """A naive time typed in a form, read in the user's zone, as aware UTC."""
    if local is None:
        return None
    return local.replace(tzinfo=zone(tz_name)).astimezone(UTC)


def to_local(value: datetime | None, tz_name: str | None) -> datetime | None:
    """An aware time in the user's zone, naive, for a datetime-local form field."""
    if value is None:
        return None
    return value.astimezone(zone(tz_name)).replace(tzinfo=None)


def format_local(value: datetime | None, tz_name: str | None) -> str:
    """'Mon 3 Mar 2027, 14:30 (Europe/Istanbul)'."""
    if value is None:
        return ""
    local = value.astimezone(zone(tz_name))
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M} ({zone(tz_name).key})"


def all_zones() -> list[str]:
    return sorted(available_timezones())
