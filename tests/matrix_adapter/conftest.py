"""The bot's account and members' clients, new for each test."""

from __future__ import annotations

from typing import Protocol

import pytest

from tests.matrix_adapter.helpers import Member
from tests.matrix_harness.clients import RegisteredUser
from tests.matrix_harness.fixtures import ClientMaker, UserMaker


class MemberMaker(Protocol):
    async def __call__(self, name: str = "member", *, encryption: bool = False) -> Member: ...


@pytest.fixture
async def bot_user(matrix_user: UserMaker) -> RegisteredUser:
    return await matrix_user("bot")


@pytest.fixture
def new_member(matrix_user: UserMaker, matrix_client: ClientMaker) -> MemberMaker:
    """A member's client (registered now), encrypting if asked."""
    async def make(name: str = "member", *, encryption: bool = False) -> Member:
        return Member(await matrix_client(await matrix_user(name), encryption=encryption))
    return make
