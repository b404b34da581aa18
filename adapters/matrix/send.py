"""Sending one OutgoingMessage: find or make its room, render it, post it, return its event id.

Pages (and only pages) carry one keycap reaction per choice, so a moderator claims with one tap.
Nothing else is pre-reacted: each reaction is an event under ``rc_message`` (0.2/s, burst 10
by default), and seven on every check-in prompt would turn a 1,000-member fan-out from about
83 minutes into about 11 hours; members react with a keycap themselves or type the number.
Attachments stay inside the room's protection: an encrypted file in an encrypted room, and in a
plain room a code block in the message itself (a plain upload is readable by any account on
the homeserver that learns its URL), unless it is too long for one event.
"""

from __future__ import annotations

import io
import logging
import uuid
from collections.abc import Awaitable
from typing import Any, Literal

from nio import AsyncClient, RoomGetStateResponse, RoomSendResponse, UploadResponse

from adapters.matrix import power
from adapters.matrix.calls import NETWORK_ERRORS, Calls
from adapters.matrix.render import EVENT_TEXT_LIMIT, KEYCAPS, Mentions, file_content, render
from adapters.matrix.rooms import Rooms
from bot.events import Attachment, Mention, OutgoingMessage, Priority
from bot.identity import RoomRef, SpaceRef, Target, UserRef
from bot.ports import DeliveryError, Sent

log = logging.getLogger(__name__)

PageMentions = Literal["room", "moderators", "none"]


class Sender:
    def __init__(self, client: AsyncClient, rooms: Rooms, calls: Calls, *, moderator_room: str,
                 page_mentions: PageMentions, moderator_level: int) -> None:
        self._client = client
        self._rooms = rooms
        self._calls = calls
        self._moderator_room = moderator_room
        self._page_mentions = page_mentions
        self._moderator_level = moderator_level

    async def send(self, message: OutgoingMessage) -> Sent:
        priority = message.priority
        room_id = await self._room_for(message.target, priority)
        direct = isinstance(message.target, UserRef)
        attachment = message.attachment
        inline = attachment is not None and self._inline(room_id, attachment)
        content = render(message, direct=direct, mentions=await self._mentions(message, room_id),
                         code=attachment.content if inline and attachment else None)
        # The upload first: if it fails, nothing was posted and the retry starts clean.
        file = (await self._upload(room_id, attachment, priority)
                if attachment and not inline else None)
        event_id = await self._post(room_id, "m.room.message", content, priority)
        if file is not None:
            await self._post(room_id, "m.room.message", file, priority)
        if message.mention is not Mention.NONE:
            await self._pre_react(room_id, event_id, len(message.buttons), priority)
        return Sent(event_id)

    async def _room_for(self, target: Target, priority: Priority) -> str:
        if isinstance(target, UserRef):
            return await self._rooms.for_user(target.id, priority)
        if isinstance(target, SpaceRef):
            return await self._rooms.for_space(target, priority)
        assert isinstance(target, RoomRef)
        return await self._rooms.known(target.id)

    async def _post(self, room_id: str, event_type: str, content: dict[str, Any],
                    priority: Priority) -> str:
        txn = str(uuid.uuid4())  # the same on a retry after a 429: never posted twice
        def request() -> Awaitable[object]:
            return self._client.room_send(room_id, event_type, content, tx_id=txn,
                                          ignore_unverified_devices=True)

        resp = await self._calls.run(self._calls.messages, priority, request,
                                     f"send {event_type}")
        assert isinstance(resp, RoomSendResponse)
        return resp.event_id

    async def _pre_react(self, room_id: str, event_id: str, choices: int,
                         priority: Priority) -> None:
        """Best effort: the page is out; a missing reaction only costs a tap."""
        for key in KEYCAPS[:choices]:
            relates = {"rel_type": "m.annotation", "event_id": event_id, "key": key}
            try:
                await self._post(room_id, "m.reaction", {"m.relates_to": relates}, priority)
            except DeliveryError as exc:
                log.info("no pre-reaction on %s: %s", event_id, exc.code)
                return

    async def _mentions(self, message: OutgoingMessage, room_id: str) -> Mentions:
        """Nobody, except on a page to the moderator room: @room, or each moderator."""
        if message.mention is Mention.NONE or room_id != self._moderator_room:
            return Mentions()
        if self._page_mentions == "room":
            return Mentions(room=True)
        if self._page_mentions == "moderators":
            return Mentions(user_ids=tuple(await self._moderators(room_id)))
        return Mentions()

    async def _moderators(self, room_id: str) -> list[str]:
        try:
            resp = await self._client.room_get_state(room_id)
        except NETWORK_ERRORS:
            resp = None
        if not isinstance(resp, RoomGetStateResponse):
            log.warning("could not read the moderators of %s: page without mentions", room_id)
            return []
        return power.moderators(resp.events, self._moderator_level,
                                exclude=self._client.user_id)

    def _inline(self, room_id: str, attachment: Attachment) -> bool:
        room = self._client.rooms.get(room_id)
        encrypted = room is not None and room.encrypted
        return not encrypted and len(attachment.content) <= EVENT_TEXT_LIMIT

    async def _upload(self, room_id: str, attachment: Attachment,
                      priority: Priority) -> dict[str, Any]:
        room = self._client.rooms.get(room_id)
        encrypt = room is not None and room.encrypted
        data = attachment.content.encode("utf-8")
        keys: dict[str, Any] = {}

        async def request() -> object:
            resp, file_keys = await self._client.upload(
                io.BytesIO(data), content_type="application/octet-stream" if encrypt
                else "application/json", filename=attachment.filename, encrypt=encrypt,
                filesize=len(data))
            keys.update(file_keys or {})
            return resp

        resp = await self._calls.run(self._calls.media, priority, request, "upload")
        assert isinstance(resp, UploadResponse)
        encrypted_file = {**keys, "url": resp.content_uri} if encrypt else None
        return file_content(attachment.filename, len(data), resp.content_uri, encrypted_file)
