"""From words to a human: scanning, opening escalations, and paging until someone claims.

Detection, the escalation, the page and the member's resource message are written in one
transaction, so a crash at any point either loses nothing or did nothing (and the outbox sends
what was written, at least once, after a restart).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Collection, Mapping
from datetime import datetime

from bot.audit import FORGOTTEN, SYSTEM, AuditLog
from bot.config import CrisisSection
from bot.crisis import texts
from bot.crisis.detection import Detection, Detector, Tier
from bot.crisis.detection.model_stage import CATEGORY as MODEL_CATEGORY
from bot.crisis.detection.model_stage import ModelStage
from bot.crisis.paging import Pager
from bot.crisis.policy import PagePolicy
from bot.crisis.repository import CLAIMED, OPEN, Escalation, Escalations, NewEscalation
from bot.dispatcher import Seen
from bot.events import Button, IncomingMessage, OutgoingMessage, Priority
from bot.identity import RoomRef, UserRef
from bot.ports import Adapter, Clock
from bot.store.db import Database, Tx
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

RESOURCE_KIND = "crisis.resource"
STORED_TEXT_LIMIT = 4000


class CrisisService:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        escalations: Escalations,
        pager: Pager,
        audit: AuditLog,
        clock: Clock,
        detector: Detector,
        settings: CrisisSection,
        adapters: Mapping[str, Adapter],
        scanned_rooms: Collection[RoomRef],
        model_stage: ModelStage | None = None,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._escalations = escalations
        self._pager = pager
        self._audit = audit
        self._clock = clock
        self._detector = detector
        self._model_stage = model_stage
        self._settings = settings
        self._adapters = adapters
        self._scanned_rooms = frozenset(scanned_rooms)

    def scans(self, message: IncomingMessage) -> bool:
        """Private messages, the private spaces Porchlight made (a witness pair's room), and
        only the shared rooms an organiser opted in; never the moderators' room."""
        adapter = self._adapters.get(message.user.platform)
        if adapter is not None and adapter.moderator_room == message.room:
            return False
        return (message.is_direct or message.space is not None
                or message.room in self._scanned_rooms)

    async def observe(self, message: IncomingMessage, seen: Seen) -> bool:
        """True when the message went to moderators: the bot then says nothing else."""
        if not self.scans(message):
            return False
        detection = self._detector.classify(message.text)
        if detection.tier is Tier.NONE and self._model_stage is not None:
            detection = await _second_look(self._model_stage, message.text, detection)
        if detection.tier is Tier.NONE:
            return False
        if detection.tier is Tier.CONCERN and not self._settings.concern_enabled:
            return False
        await self.escalate(message, detection)
        return True

    async def escalate(self, message: IncomingMessage, detection: Detection) -> int | None:
        """Open an escalation (or add to the member's open one); returns its id."""
        now = self._clock.now()
        tier = detection.tier.value
        key = f"{message.user.platform}:{message.room.id}:{message.message_id}"
        text = message.text[:STORED_TEXT_LIMIT]
        async with self._db.transaction() as tx:
            current = await self._escalations.open_for(tx, message.user)
            if current is not None:
                await self._add_to(tx, current, key, tier, text, now)
                return current.id
            escalation_id = await self._escalations.create(tx, NewEscalation(
                member=message.user, tier=tier, dedup_key=key,
                source=_source(message),
                categories=detection.categories, link=message.link,
                policy=PagePolicy.from_config(self._settings),
            ), now)
            if escalation_id is None:
                return None  # this very message was handled before a restart
            await self._escalations.add_message(tx, escalation_id, key, tier, text, now)
            await self._audit.record(tx, now, SYSTEM, f"opened {tier}", message.user,
                                     f"escalation:{escalation_id}")
            esc = await self._get(tx, escalation_id)
            if tier == Tier.CRISIS:
                await self._page_now(tx, esc, now)
            else:
                await self._pager.notice(
                    tx, esc.platform, texts.concern(
                        esc.id, self._pager.handle(esc.member), esc.source, esc.link,
                        by_model=MODEL_CATEGORY in detection.categories), now,
                    buttons=(Button("Claim", f"mod claim {esc.id}"),), subject=esc.member)
        log.info("escalation %d opened: %s on %s", escalation_id, tier, message.user.platform)
        return escalation_id

    async def queue_concern(self, tx: Tx, member: UserRef, source: str, dedup_key: str,
                            now: datetime) -> int | None:
        """A low-priority item in the moderators' queue, no page: for what a member asked
        moderators to notice (missed check-ins). Skipped if one is already open for them."""
        if await self._escalations.open_for(tx, member) is not None:
            return None
        escalation_id = await self._escalations.create(tx, NewEscalation(
            member=member, tier=Tier.CONCERN.value, dedup_key=dedup_key, source=source,
            categories=(), link=None, policy=PagePolicy.from_config(self._settings)), now)
        if escalation_id is None:
            return None
        await self._audit.record(tx, now, SYSTEM, "opened concern", member,
                                 f"escalation:{escalation_id}")
        await self._pager.notice(
            tx, member.platform, texts.concern(escalation_id, self._pager.handle(member),
                                               source, None), now,
            buttons=(Button("Claim", f"mod claim {escalation_id}"),), subject=member)
        return escalation_id

    async def _add_to(
        self, tx: Tx, esc: Escalation, key: str, tier: str, text: str, now: datetime
    ) -> None:
        """Further words from a member with an open escalation are added, not paged again,
        unless they turn a concern into a crisis."""
        if not await self._escalations.add_message(tx, esc.id, key, tier, text, now):
            return
        await self._audit.record(tx, now, SYSTEM, f"appended {tier}", esc.member,
                                 f"escalation:{esc.id}")
        if tier == Tier.CRISIS and esc.tier == Tier.CONCERN:
            await self._escalations.upgrade_to_crisis(tx, esc.id, now)
            await self._audit.record(tx, now, SYSTEM, "upgraded to crisis", esc.member,
                                     f"escalation:{esc.id}")
            upgraded = await self._get(tx, esc.id)
            if upgraded.status == OPEN:
                await self._page_now(tx, upgraded, now)
            else:
                await self._send_resource(tx, upgraded, now)

    async def _page_now(self, tx: Tx, esc: Escalation, now: datetime) -> None:
        await self._pager.page(tx, esc, 0, now)
        await self._send_resource(tx, esc, now)

    async def _send_resource(self, tx: Tx, esc: Escalation, now: datetime) -> None:
        """The one fixed, reviewed message, privately, once per escalation."""
        if not self._settings.send_resource_message:
            return
        await self._outbox.enqueue(tx, now, Enqueue(
            OutgoingMessage(esc.member, self._settings.resource_message,
                            priority=Priority.CRISIS),
            kind=RESOURCE_KIND, subject=esc.member,
            dedup_key=f"crisis-resource:{esc.id}"))

    async def _get(self, tx: Tx, escalation_id: int) -> Escalation:
        esc = await self._escalations.get(tx, escalation_id)
        if esc is None:
            raise LookupError(f"escalation {escalation_id} vanished")
        return esc

    # The re-page job.

    async def page_due(self) -> int:
        """Page again what nobody has claimed; return lapsed claims to the queue."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            due = await self._escalations.due(tx, now)
            for esc in due:
                if esc.status == OPEN:
                    await self._pager.page(tx, esc, esc.level + 1, now)
                elif esc.status == CLAIMED:
                    await self._claim_lapsed(tx, esc, now)
        return len(due)

    async def next_due(self) -> datetime | None:
        async with self._db.read() as tx:
            return await self._escalations.next_due_at(tx)

    async def _claim_lapsed(self, tx: Tx, esc: Escalation, now: datetime) -> None:
        await self._escalations.reopen(tx, esc.id, now)
        await self._audit.record(tx, now, SYSTEM, "claim lapsed", esc.member,
                                 f"escalation:{esc.id}")
        if esc.claimed_by and esc.claimed_by != FORGOTTEN and esc.claimed_at:
            moderator = UserRef.parse(esc.claimed_by)
            await self._outbox.enqueue(tx, now, Enqueue(
                OutgoingMessage(moderator, texts.claim_expired(esc.id, now - esc.claimed_at),
                                priority=Priority.CRISIS),
                kind="crisis.notice", subject=esc.member))
        reopened = await self._get(tx, esc.id)
        if reopened.tier == Tier.CRISIS:
            await self._pager.page(tx, reopened, 0, now, reopened=True)
        else:
            await self._escalations.set_paged(tx, esc.id, -1, None)


def _source(message: IncomingMessage) -> str:
    if message.is_direct:
        return "direct"
    return "space" if message.space is not None else "room"


async def _second_look(stage: ModelStage, text: str, detection: Detection) -> Detection:
    """The model stage, off the event loop (about 10 ms of NumPy); if it fails, the lexicon's
    answer stands and the message is handled as usual."""
    try:
        [detection] = await asyncio.to_thread(stage.review, [text], [detection])
    except Exception as exc:  # a broken model must not stop the scan
        log.error("model stage failed (%s); the lexicon's answer stands", type(exc).__name__)
    return detection
