"""A local stand-in of Discord's gateway and REST API, for tests and benchmarks.

discord.py 2.7.1 runs against it unmodified: ``point_discord_py_here()`` sets (and restores)
``discord.http.Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``; then ``login()`` and
``connect()`` as usual. ``conftest.py`` has ``standin`` and ``probe`` fixtures; by hand::

    async with DiscordStandIn() as d:
        with d.point_discord_py_here():
            client = discord.Client(intents=intents, guild_ready_timeout=0.05)
            await client.login(d.token)
            task = asyncio.create_task(client.connect())
            await client.wait_until_ready()

            await d.send_message("general", "alice", "hello")        # MESSAGE_CREATE
            reply = await d.wait_for_message(channel="general")        # any route, any time
            ix = await d.slash_command("alice", "checkin", {"mood": 3})
            cb = await ix.wait_response()                              # the callback
            assert cb.type == 4 and cb.ephemeral
            assert not task.done()                                     # connect() survived

World (:func:`default_world`): a bot, one guild with channels ``general``, ``checkins``,
``moderators`` (stewards only), roles ``moderator`` (the configured one, "Porch Stewards"),
``fake_moderator`` (merely *named* "Moderator"), ``alumni``, and users ``alice``, ``bob``,
``sam`` (steward), ``pat`` (decoy "Moderator"), ``newcomer``, ``outsider`` (no guild). Helpers
take a world object, an id, or such a key. Intents are honoured: without presences
GUILD_CREATE lists only the bot (members come by chunking, op 8); without Message Content,
guild messages not mentioning the bot arrive with empty content. Like Discord, the bot gets
MESSAGE_CREATE/UPDATE/DELETE for its own non-ephemeral messages.

Injection: ``send_message``, ``send_dm``, ``slash_command`` (``"group sub"`` names, options
typed from the synced command), ``autocomplete``, ``click_button``, ``choose`` (selects),
``submit_modal`` (mirrors the modal the bot showed), ``seed_bot_message`` (a panel posted
before a restart). Interactions return a :class:`PendingInteraction` with
``wait_response()``, ``wait_followup()``, ``wait_edit()``.

Records (:class:`RecordLog`: ``wait_for(predicate, timeout=, after=)``, ``mark()``,
``matching()``): ``calls`` (every REST request), ``unknown_calls`` (404s for routes the
stand-in lacks), ``sent`` (bot messages created/edited/deleted by any route, with effective
``pings`` after allowed_mentions), ``callbacks`` (interaction responses), ``gateway_events``
(connect, identify, ready, resume, resumed, invalid_session, heartbeat, dispatch, close).
``stats`` counts requests, 429s (global/route/forced) and invalid requests (401/403/429).
``state.internal_errors`` lists stand-in bugs (answered 400, not 500: discord.py retries a
500 for ~25 s); the fixture asserts it stays empty.

Failure injection: ``close_dms_for(user)`` (403 / 50007), ``forbid_channel(channel)``
(403 / 50001), ``rate_limits(50, per_route=...)``,
``force_429(n, retry_after=...)``, ``close_gateway()``, ``request_reconnect()``,
``invalidate_session()``, ``restart()``. Discord's interaction rules apply: 3 s to respond,
one response only (40060), 15-minute webhook tokens, first followup after a defer replaces the
"thinking" message with the defer's visibility.

discord.py sleeps 5 s before every re-IDENTIFY (``Client.before_identify_hook``); override
it in test clients that exercise ``restart()``/``invalidate_session()`` (see ``probe_bot``).
discord.py does not pace the global limit itself: it only reacts to 429s and gives up after
5 tries, so a fan-out needs its own ~50/s pacer.
"""

from __future__ import annotations

from .records import (
    GatewayEvent,
    InteractionCallback,
    Pings,
    RecordLog,
    RestCall,
    SentMessage,
    Stats,
    UploadedFile,
)
from .server import DiscordStandIn
from .state import PendingInteraction
from .world import Channel, Member, Role, User, World, default_world

__all__ = [
    "Channel",
    "DiscordStandIn",
    "GatewayEvent",
    "InteractionCallback",
    "Member",
    "PendingInteraction",
    "Pings",
    "RecordLog",
    "RestCall",
    "Role",
    "SentMessage",
    "Stats",
    "UploadedFile",
    "User",
    "World",
    "default_world",
]
