from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.identity import IdentityError, RoomRef, SpaceRef, UserRef, parse_target, target_str


@pytest.mark.parametrize(
    ("text", "platform", "ident"),
    [
        ("discord:123", "discord", "123"),
        ("matrix:@a:hs.example", "matrix", "@a:hs.example"),
        ("console:alice", "console", "alice"),
    ],
)
def test_parse_and_print_round_trip(text: str, platform: str, ident: str) -> None:
    user = UserRef.parse(text)
    assert (user.platform, user.id) == (platform, ident)
    assert str(user) == text


def test_rooms_keep_colons_in_their_ids() -> None:
    room = RoomRef.parse("matrix:!abc:hs.example")
    assert room.id == "!abc:hs.example"
    assert str(room) == "matrix:!abc:hs.example"


@pytest.mark.parametrize(
    "text", ["", "discord", "discord:", ":123", "Discord:1", "discord:a b", "discord:\x00x",
             "di scord:1", "console:" + "x" * 300],
)
def test_bad_identities_are_refused(text: str) -> None:
    with pytest.raises(IdentityError):
        UserRef.parse(text)


def test_identities_are_frozen_and_hashable() -> None:
    user = UserRef("console", "alice")
    with pytest.raises(AttributeError):
        user.id = "bob"  # type: ignore[misc]
    assert {user, UserRef("console", "alice")} == {user}


def test_targets_round_trip_and_keep_users_and_rooms_apart() -> None:
    user, room = UserRef("console", "alice"), RoomRef("console", "alice")
    assert parse_target(target_str(user)) == user
    assert parse_target(target_str(room)) == room
    assert target_str(user) != target_str(room)


@given(st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zs", "Zl", "Zp")),
               min_size=1, max_size=255).filter(lambda s: not any(c.isspace() for c in s)
                                                 and s.isprintable()))
def test_any_printable_id_round_trips(ident: str) -> None:
    user = UserRef("matrix", ident)
    assert UserRef.parse(str(user)) == user


def test_spaces_round_trip_with_their_members() -> None:
    space = SpaceRef("matrix", "witness-12", (UserRef("matrix", "@a:hs"),
                                              UserRef("matrix", "@b:hs")))
    assert parse_target(target_str(space)) == space


def test_a_space_needs_members_on_its_own_platform() -> None:
    with pytest.raises(IdentityError):
        SpaceRef("matrix", "witness-1", ())
    with pytest.raises(IdentityError):
        SpaceRef("matrix", "witness-1", (UserRef("discord", "1"),))
