"""REST handlers for users, the application, commands, channels, messages, guild members."""

from __future__ import annotations

from typing import Any

from . import payloads as p
from .messages import ApiError
from .records import RestCall
from .rest import Endpoint, Result
from .state import StandInState
from .world import CH_DM, Channel

CLOSED_DMS = (403, 50007, "Cannot send messages to this user")
MISSING_ACCESS = (403, 50001, "Missing Access")


def _channel(st: StandInState, call: RestCall) -> Channel:
    channel = st.world.channels.get(int(call.params["channel_id"]))
    if channel is None:
        raise ApiError(404, 10003, "Unknown Channel")
    return channel


def _message_id(st: StandInState, call: RestCall) -> int:
    message_id = int(call.params["message_id"])
    msg = st.messages.by_id.get(message_id)
    if msg is None or msg["channel_id"] != call.params["channel_id"]:
        raise ApiError(404, 10008, "Unknown Message")
    return message_id


def get_me(st: StandInState, call: RestCall) -> Result:
    return 200, p.bot_user(st.world.bot)


def get_user(st: StandInState, call: RestCall) -> Result:
    user = st.world.users.get(int(call.params["user_id"]))
    if user is None:
        raise ApiError(404, 10013, "Unknown User")
    return 200, p.user(user)


def get_application(st: StandInState, call: RestCall) -> Result:
    return 200, p.application(st.world)


def _check_app(st: StandInState, call: RestCall) -> None:
    if call.params["application_id"] != str(st.world.application_id):
        raise ApiError(403, 50001, "Missing Access")


def _guild_key(st: StandInState, call: RestCall) -> int | None:
    _check_app(st, call)
    if "guild_id" not in call.params:
        return None
    if call.params["guild_id"] != str(st.world.guild.id):
        raise ApiError(403, 50001, "Missing Access")
    return st.world.guild.id


def put_commands(st: StandInState, call: RestCall) -> Result:
    """tree.sync(): bulk overwrite. Discord assigns ids the interactions then carry."""
    return 200, st.store_commands(_guild_key(st, call), call.json)


def get_commands(st: StandInState, call: RestCall) -> Result:
    return 200, list(st.commands.get(_guild_key(st, call), {}).values())


def open_dm(st: StandInState, call: RestCall) -> Result:
    recipient = int((call.json or {}).get("recipient_id", 0))
    user = st.world.users.get(recipient)
    if user is None:
        if st.strict_recipients:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        user = st.world.synthetic_user(recipient)
    return 200, p.channel(st.world, st.world.dm_channel_for(user.id))


def get_channel(st: StandInState, call: RestCall) -> Result:
    return 200, p.channel(st.world, _channel(st, call))


def post_message(st: StandInState, call: RestCall) -> Result:
    channel = _channel(st, call)
    if channel.type == CH_DM and channel.recipient_id in st.closed_dms:
        st.stats.closed_dm_403 += 1
        raise ApiError(*CLOSED_DMS)
    if channel.id in st.forbidden_channels:
        raise ApiError(*MISSING_ACCESS)
    sent = st.messages.create(channel, call.json or {}, call.files, source="channel")
    return 200, sent.message


def get_message(st: StandInState, call: RestCall) -> Result:
    return 200, st.messages.by_id[_message_id(st, call)]


def patch_message(st: StandInState, call: RestCall) -> Result:
    message_id = _message_id(st, call)
    sent = st.messages.edit(message_id, call.json or {}, call.files, source="channel")
    return 200, sent.message


def delete_message(st: StandInState, call: RestCall) -> Result:
    st.messages.delete(_message_id(st, call), source="channel")
    return 204, None


def put_reaction(st: StandInState, call: RestCall) -> Result:
    msg = st.messages.by_id[_message_id(st, call)]
    emoji = call.params["emoji"]
    reactions: list[dict[str, Any]] = msg.setdefault("reactions", [])
    for reaction in reactions:
        if reaction["emoji"]["name"] == emoji:
            if not reaction["me"]:
                reaction["me"], reaction["count"] = True, reaction["count"] + 1
            break
    else:
        reactions.append({"emoji": {"id": None, "name": emoji}, "count": 1, "me": True})
    return 204, None


def delete_reaction(st: StandInState, call: RestCall) -> Result:
    msg = st.messages.by_id[_message_id(st, call)]
    emoji = call.params["emoji"]
    msg["reactions"] = [r for r in msg.get("reactions", []) if r["emoji"]["name"] != emoji]
    return 204, None


def typing(st: StandInState, call: RestCall) -> Result:
    _channel(st, call)
    return 204, None


def get_member(st: StandInState, call: RestCall) -> Result:
    if call.params["guild_id"] != str(st.world.guild.id):
        raise ApiError(404, 10004, "Unknown Guild")
    member = st.world.member(int(call.params["member_id"]))
    if member is None:
        raise ApiError(404, 10007, "Unknown Member")
    return 200, p.member(member)


def get_roles(st: StandInState, call: RestCall) -> Result:
    if call.params["guild_id"] != str(st.world.guild.id):
        raise ApiError(404, 10004, "Unknown Guild")
    return 200, [p.role(r) for r in st.world.guild.roles.values()]


APP = "/applications/{application_id}"
MSG = "/channels/{channel_id}/messages/{message_id}"
CORE_ENDPOINTS = [
    Endpoint("GET", "/users/@me", get_me),
    Endpoint("POST", "/users/@me/channels", open_dm),
    Endpoint("GET", "/users/{user_id}", get_user),
    Endpoint("GET", "/applications/@me", get_application),
    Endpoint("GET", "/oauth2/applications/@me", get_application),
    Endpoint("PUT", APP + "/commands", put_commands),
    Endpoint("GET", APP + "/commands", get_commands),
    Endpoint("PUT", APP + "/guilds/{guild_id}/commands", put_commands),
    Endpoint("GET", APP + "/guilds/{guild_id}/commands", get_commands),
    Endpoint("GET", "/channels/{channel_id}", get_channel),
    Endpoint("POST", "/channels/{channel_id}/messages", post_message),
    Endpoint("POST", "/channels/{channel_id}/typing", typing),
    Endpoint("GET", MSG, get_message),
    Endpoint("PATCH", MSG, patch_message),
    Endpoint("DELETE", MSG, delete_message),
    Endpoint("PUT", MSG + "/reactions/{emoji}/@me", put_reaction),
    Endpoint("DELETE", MSG + "/reactions/{emoji}/@me", delete_reaction),
    Endpoint("GET", "/guilds/{guild_id}/members/{member_id}", get_member),
    Endpoint("GET", "/guilds/{guild_id}/roles", get_roles),
]
