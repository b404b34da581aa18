"""Platform-neutral identities of people and rooms.

A person on Discord and the same person on Matrix are different users to Porchlight: identities
are always ``platform:id`` and the core never looks inside the id.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Self

_PLATFORM = re.compile(r"[a-z][a-z0-9_]{0,31}")
_MAX_ID = 255


class IdentityError(ValueError):
    """A string that is not a valid ``platform:id``."""


def _check(platform: str, ident: str) -> None:
    if not _PLATFORM.fullmatch(platform):
        raise IdentityError(f"unknown platform {platform!r}")
    if not ident or len(ident) > _MAX_ID:
        raise IdentityError("the id must be 1 to 255 characters")
    # Every whitespace character but the ASCII space is unprintable: one C-level test.
    if not ident.isprintable() or " " in ident:
        raise IdentityError("the id must not contain spaces or control characters")


def _split(text: str) -> tuple[str, str]:
    platform, sep, ident = text.partition(":")
    if not sep:
        raise IdentityError(f"expected platform:id, got {text[:40]!r}")
    return platform, ident


@dataclass(frozen=True, slots=True, order=True)
class _PlatformRef:
    """``platform:id``; the core never looks inside the id."""

    platform: str
    id: str

    def __post_init__(self) -> None:
        _check(self.platform, self.id)

    def __str__(self) -> str:
        return f"{self.platform}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Self:
        return cls(*_split(text))


@dataclass(frozen=True, slots=True, order=True)
class UserRef(_PlatformRef):
    """A member, as ``discord:123``, ``matrix:@a:hs`` or ``console:alice``."""


@dataclass(frozen=True, slots=True, order=True)
class RoomRef(_PlatformRef):
    """A channel or room, as ``discord:456``, ``matrix:!abc:hs`` or ``console:#general``."""


@dataclass(frozen=True, slots=True)
class SpaceRef:
    """A private space for a few members (a room, or a private thread), made on first use.

    ``key`` names it stably (``witness-12``), so the adapter creates it once and reuses it.
    """

    platform: str
    key: str
    members: tuple[UserRef, ...]

    def __post_init__(self) -> None:
        _check(self.platform, self.key)
        if not self.members or any(m.platform != self.platform for m in self.members):
            raise IdentityError("a space needs members, all on its platform")

    def __str__(self) -> str:
        return f"{self.platform}:{self.key}"


Target = UserRef | RoomRef | SpaceRef
"""Where a message goes: a user means a private message, a room a post there, a space the
private room of a few members."""


def parse_target(text: str) -> Target:
    """Inverse of ``target_str``: targets are stored as ``user ...``, ``room ...`` or
    ``space platform:key member member...``."""
    kind, _, rest = text.partition(" ")
    if kind == "user":
        return UserRef.parse(rest)
    if kind == "room":
        return RoomRef.parse(rest)
    if kind == "space":
        name, *members = rest.split(" ")
        platform, key = _split(name)
        return SpaceRef(platform, key, tuple(UserRef.parse(m) for m in members))
    raise IdentityError(f"not a stored target: {text[:40]!r}")


def target_str(target: Target) -> str:
    if isinstance(target, UserRef):
        return f"user {target}"
    if isinstance(target, RoomRef):
        return f"room {target}"
    return " ".join(["space", str(target), *(str(m) for m in target.members)])
