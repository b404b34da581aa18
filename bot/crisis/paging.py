"""Composing and queueing pages: to the moderator room, and at the backup level also to each
on-call moderator privately. Every page is recorded on the send log (escalation, cycle, level,
target) and carries the same key into the outbox, so a restart never sends a level twice."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from bot.audit import SYSTEM, AuditLog
from bot.config import CrisisSection
from bot.crisis import texts
from bot.crisis.repository import Escalation, Escalations, OnCall
from bot.events import Button, Mention, OutgoingMessage, Priority
from bot.identity import Target, UserRef
from bot.ports import Adapter, handle_of
from bot.safety import defang
from bot.store.db import Tx
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

PAGE_KIND = "crisis.page"
NOTICE_KIND = "crisis.notice"
ROOM_TARGET = "room"
FULL_TEXT_LIMIT = 1800


def page_key(esc: Escalation, level: int, target: str) -> str:
    return f"crisis-page:{esc.id}:{esc.cycle}:{level}:{target}"


class Pager:
    def __init__(
        self,
        *,
        outbox: Outbox,
        escalations: Escalations,
        on_call: OnCall,
        audit: AuditLog,
        adapters: Mapping[str, Adapter],
        settings: CrisisSection,
    ) -> None:
        self._outbox = outbox
        self._escalations = escalations
        self._on_call = on_call
        self._audit = audit
        self._adapters = adapters
        self._settings = settings

    def handle(self, user: UserRef) -> str:
        return handle_of(self._adapters, user)

    async def page(
        self, tx: Tx, esc: Escalation, level: int, now: datetime, *, reopened: bool = False,
        room: bool = True,
    ) -> int:
        """Queue ``level`` of this cycle; returns how many messages were newly queued."""
        text = texts.page(esc.id, self.handle(esc.member), esc.source, esc.link, level,
                          now - esc.cycle_started_at, reopened)
        hidden = await self._excerpt(tx, esc)
        backup = esc.policy.is_backup(level)
        mention = Mention.BACKUP if backup else Mention.MODERATORS
        targets: list[tuple[str, Target]] = []
        mod_room = self._moderator_room(esc.platform)
        if room and mod_room is not None:
            targets.append((ROOM_TARGET, mod_room))
        if backup or mod_room is None:
            on_call = await self._on_call.on_platform(tx, esc.platform)
            targets += [(f"user {user}", user) for user in on_call]
        queued = 0
        for name, target in targets:
            if not await self._escalations.record_page(tx, esc, level, name, now):
                continue  # this level already went there: never twice
            message = OutgoingMessage(target, text, buttons=(self._claim_button(esc),),
                                      hidden_text=hidden, mention=mention,
                                      priority=Priority.CRISIS)
            queued += await self._outbox.enqueue(tx, now, Enqueue(
                message, kind=PAGE_KIND, subject=esc.member,
                dedup_key=page_key(esc, level, name)))
        if not targets:
            log.error("escalation %d: no moderator room and nobody on call on %s",
                      esc.id, esc.platform)
        next_at = esc.policy.next_page_after(esc.cycle_started_at, level)
        await self._escalations.set_paged(tx, esc.id, level, next_at)
        await self._audit.record(tx, now, SYSTEM, f"paged level {level}", esc.member,
                                 f"escalation:{esc.id}")
        log.info("escalation %d: level %d queued to %d places", esc.id, level, queued)
        return queued

    async def notice(self, tx: Tx, platform: str, text: str, now: datetime,
                     buttons: tuple[Button, ...] = (), subject: UserRef | None = None) -> None:
        """A quiet message in the moderator room: no mention, not a page."""
        room = self._moderator_room(platform)
        if room is None:
            return
        await self._outbox.enqueue(tx, now, Enqueue(
            OutgoingMessage(room, text, buttons=buttons, priority=Priority.CRISIS),
            kind=NOTICE_KIND, subject=subject))

    def _moderator_room(self, platform: str) -> Target | None:
        adapter = self._adapters.get(platform)
        return adapter.moderator_room if adapter else None

    @staticmethod
    def _claim_button(esc: Escalation) -> Button:
        return Button("Claim", f"mod claim {esc.id}")

    async def _excerpt(self, tx: Tx, esc: Escalation) -> str | None:
        if self._settings.page_text == "none":
            return None
        messages = await self._escalations.messages(tx, esc.id)
        latest = next((text for _, text in reversed(messages) if text), None)
        if latest is None:
            return None
        limit = (self._settings.excerpt_chars if self._settings.page_text == "excerpt"
                 else FULL_TEXT_LIMIT)
        shown = defang(latest)
        return shown if len(shown) <= limit else shown[:limit].rstrip() + "…"
