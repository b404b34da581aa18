"""A real Synapse homeserver for Porchlight's Matrix tests and benchmarks.

Outside pytest (e.g. bench/matrix_e2e.py):

    async with SynapseServer(raise_rate_limits=False) as hs:
        bot_user = await hs.register("porchlight")
        bot = await hs.client(bot_user)

In pytest, load the plugin `tests.matrix_harness.fixtures` (see its docstring).
"""

from __future__ import annotations

from tests.matrix_harness.clients import HarnessError, RegisteredUser
from tests.matrix_harness.process import bytecode_status
from tests.matrix_harness.rooms import (
    MEGOLM,
    client_api,
    create_room,
    creators,
    effective_power_level,
    invite_and_join,
    is_moderator,
    power_level,
    raw_event,
    room_state,
    send_encrypted,
    send_event,
    send_reaction,
    send_text,
    set_display_name,
)
from tests.matrix_harness.synapse import SynapseServer, SynapseStartError
from tests.matrix_harness.sync import (
    membership,
    reaction,
    sync_once,
    text_message,
    wait_for_event,
)

__all__ = [
    "MEGOLM",
    "HarnessError",
    "RegisteredUser",
    "SynapseServer",
    "SynapseStartError",
    "bytecode_status",
    "client_api",
    "create_room",
    "creators",
    "effective_power_level",
    "invite_and_join",
    "is_moderator",
    "membership",
    "power_level",
    "raw_event",
    "reaction",
    "room_state",
    "send_encrypted",
    "send_event",
    "send_reaction",
    "send_text",
    "set_display_name",
    "sync_once",
    "text_message",
    "wait_for_event",
]
