"""Message storage and Discord's message rules (validation, allowed_mentions, ephemerality)."""

from __future__ import annotations

import re
from collections.abc import Callable

from . import payloads as p
from .records import EPHEMERAL, Pings, RecordLog, SentMessage, UploadedFile
from .world import CH_DM, Channel, User, World

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")
EVERYONE_MENTION = re.compile(r"@(everyone|here)\b")
LOADING = 128  # message flag: "Porchlight is thinking..."
MAX_CONTENT = 2000
SETTABLE_FLAGS = 4 | 4096 | 32768  # suppress embeds, suppress notifications, components v2


class ApiError(Exception):
    """An error answer: HTTP status plus Discord's JSON error code and message."""

    def __init__(self, status: int, code: int, message: str, errors: p.Json | None = None):
        super().__init__(f"{status} {code} {message}")
        self.status, self.body = status, p.error(code, message, errors)


def compute_pings(content: str, allowed: p.Json | None, replied_to: int | None) -> Pings:
    """Apply allowed_mentions the way Discord does (absent means: everything pings)."""
    if allowed is None:
        parse, users_ok, roles_ok, replied = {"users", "roles", "everyone"}, set(), set(), True
    else:
        parse = set(allowed.get("parse") or [])
        users_ok = {int(u) for u in allowed.get("users") or []}
        roles_ok = {int(r) for r in allowed.get("roles") or []}
        replied = bool(allowed.get("replied_user", False))
    users = [int(u) for u in USER_MENTION.findall(content)]
    roles = [int(r) for r in ROLE_MENTION.findall(content)]
    pings = Pings(
        users=[u for u in users if "users" in parse or u in users_ok],
        roles=[r for r in roles if "roles" in parse or r in roles_ok],
        everyone="everyone" in parse and EVERYONE_MENTION.search(content) is not None,
    )
    if replied_to is not None and replied and replied_to not in pings.users:
        pings.users.append(replied_to)
    return pings


def check_length(body: p.Json) -> None:
    content = body.get("content") or ""
    if len(content) > MAX_CONTENT:
        errors = {
            "content": {
                "_errors": [
                    {"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}
                ]
            }
        }
        raise ApiError(400, 50035, "Invalid Form Body", errors)


def validate(body: p.Json, files: list[UploadedFile]) -> None:
    """What Discord refuses on creation: over-long content and empty messages."""
    check_length(body)
    keys = ("content", "embeds", "components", "sticker_ids", "poll")
    if not files and not any(body.get(k) for k in keys):
        raise ApiError(400, 50006, "Cannot send an empty message")


def attachments(files: list[UploadedFile], world: World) -> list[p.Json]:
    out = []
    for f in files:
        att_id = world.snowflakes.next()
        url = f"https://cdn.discordapp.com/attachments/0/{att_id}/{f.filename}"
        out.append(
            {
                "id": str(att_id),
                "filename": f.filename,
                "size": len(f.data),
                "url": url,
                "proxy_url": url,
                "content_type": f.content_type,
            }
        )
    return out


class MessageStore:
    """Every message in the world by id (bot-sent and injected) plus the bot's send log."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.by_id: dict[int, p.Json] = {}
        self.sent: RecordLog[SentMessage] = RecordLog("sent message")
        self.on_record: Callable[[SentMessage], None] | None = None  # gateway echo

    def payload(
        self, channel: Channel, author: User, content: str, *, message_id: int | None = None
    ) -> p.Json:
        """A bare message object with all keys discord.py's Message() reads."""
        data: p.Json = {
            "id": str(message_id or self.world.snowflakes.next()),
            "channel_id": str(channel.id),
            "author": p.user(author),
            "content": content,
            "timestamp": p.now_iso(),
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "reactions": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
            "components": [],
        }
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        return data

    def _apply(
        self, msg: p.Json, body: p.Json, files: list[UploadedFile], *, may_hide: bool
    ) -> Pings:
        """Copy the fields the bot sent onto the stored message; return effective pings.

        Only an interaction's first response or a followup can make a message ephemeral
        (``may_hide``); an edit or a channel message keeps whatever visibility it had.
        """
        for key in ("content", "embeds", "components", "tts", "nonce", "poll"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        if body.get("flags") is not None:
            requested = int(body["flags"]) & (SETTABLE_FLAGS | (EPHEMERAL if may_hide else 0))
            msg["flags"] = (msg.get("flags", 0) & EPHEMERAL) | requested
        if files:
            msg["attachments"] = msg.get("attachments", []) + attachments(files, self.world)
        replied_to = None
        ref = body.get("message_reference")
        if ref and ref.get("message_id"):
            msg["message_reference"] = ref
            msg["type"] = 19
            target = self.by_id.get(int(ref["message_id"]))
            replied_to = int(target["author"]["id"]) if target else None
        pings = compute_pings(msg.get("content", ""), body.get("allowed_mentions"), replied_to)
        msg["mentions"] = [
            p.user(self.world.users[u]) for u in pings.users if u in self.world.users
        ]
        msg["mention_roles"] = [str(r) for r in pings.roles]
        msg["mention_everyone"] = pings.everyone
        return pings

    def create(
        self,
        channel: Channel,
        body: p.Json,
        files: list[UploadedFile],
        *,
        source: str,
        interaction_id: int | None = None,
        extra: p.Json | None = None,
        check: bool = True,
    ) -> SentMessage:
        """Create a bot message; ``check=False`` for the empty "thinking" placeholder."""
        if check:
            validate(body, files)
        msg = self.payload(channel, self.world.bot, "")
        msg.update(extra or {})
        pings = self._apply(msg, body, files, may_hide=source != "channel")
        self.by_id[int(msg["id"])] = msg
        return self._log("create", source, msg, body, files, pings, interaction_id)

    def edit(
        self,
        message_id: int,
        body: p.Json,
        files: list[UploadedFile],
        *,
        source: str,
        interaction_id: int | None = None,
    ) -> SentMessage:
        msg = self.by_id.get(message_id)
        if msg is None or msg["author"]["id"] != str(self.world.bot.id):
            raise ApiError(404, 10008, "Unknown Message")
        check_length(body)
        msg["flags"] = msg.get("flags", 0) & ~LOADING
        msg["edited_timestamp"] = p.now_iso()
        pings = self._apply(msg, body, files, may_hide=False)
        return self._log("edit", source, msg, body, files, pings, interaction_id)

    def delete(self, message_id: int, *, source: str) -> SentMessage:
        msg = self.by_id.pop(message_id, None)
        if msg is None:
            raise ApiError(404, 10008, "Unknown Message")
        return self._log("delete", source, msg, {}, [], Pings(), None)

    def _log(
        self,
        kind: str,
        source: str,
        msg: p.Json,
        body: p.Json,
        files: list[UploadedFile],
        pings: Pings,
        interaction_id: int | None,
    ) -> SentMessage:
        channel = self.world.channels.get(int(msg["channel_id"]))
        record = SentMessage(
            kind=kind,
            source=source,
            message_id=int(msg["id"]),
            channel_id=int(msg["channel_id"]),
            guild_id=channel.guild_id if channel else None,
            recipient_id=channel.recipient_id if channel and channel.type == CH_DM else None,
            body=body,
            files=files,
            message=dict(msg),
            pings=pings,
            interaction_id=interaction_id,
        )
        self.sent.append(record)
        if self.on_record is not None:
            self.on_record(record)
        return record
