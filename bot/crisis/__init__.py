"""Crisis language reaches a human moderator, fast, every time.

``install`` wires detection (``bot.crisis.detection``), escalations, paging and the moderators'
commands into the core.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from apscheduler.triggers.interval import IntervalTrigger

from bot.app import Core
from bot.config import ConfigError, Settings
from bot.crisis import texts
from bot.crisis.detection import Detector, LexiconError
from bot.crisis.detection.model_stage import ModelStage, ModelUnavailable
from bot.crisis.escalation import RESOURCE_KIND, CrisisService
from bot.crisis.moderation import ModeratorDesk
from bot.crisis.paging import PAGE_KIND, ROOM_TARGET, Pager
from bot.crisis.repository import OPEN, Escalations, OnCall
from bot.crisis.unreadable import UnreadableNotice
from bot.identity import RoomRef, UserRef
from bot.ports import Sent
from bot.privacy import RetentionRule
from bot.store.db import Tx
from bot.store.outbox import OutboxItem
from schedules import crisis_jobs
from schedules.scheduler import JobSpec


def scanned_rooms(settings: Settings) -> set[RoomRef]:
    """The shared rooms an organiser opted in to crisis scanning, on every platform."""
    return (
        {RoomRef("console", f"#{name}") for name in settings.console.scan_rooms}
        | {RoomRef("discord", str(cid)) for cid in settings.discord.scan_channel_ids}
        | {RoomRef("matrix", rid) for rid in settings.matrix.scan_room_ids}
    )


def load_detector(settings: Settings) -> Detector:
    crisis = settings.crisis
    try:
        return Detector.load(extra_lexicon=crisis.extra_lexicon,
                             disabled=crisis.disabled_entries,
                             concern_enabled=crisis.concern_enabled)
    except LexiconError as exc:
        raise ConfigError([f"crisis.extra_lexicon: {exc}"]) from None


def load_model_stage(settings: Settings) -> ModelStage | None:
    """The optional second look, when configured; a ConfigError says what to install."""
    crisis = settings.crisis
    if not crisis.model_stage:
        return None
    if not crisis.concern_enabled:
        raise ConfigError(["crisis.model_stage: it only ever queues messages as concern, so it "
                           "needs crisis.concern_enabled = true"])
    try:
        return ModelStage.load()
    except ModelUnavailable as exc:
        raise ConfigError([f"crisis.model_stage: {exc}"]) from None


def install(core: Core) -> None:
    settings = core.settings.crisis
    escalations, on_call = Escalations(), OnCall()
    pager = Pager(outbox=core.outbox, escalations=escalations, on_call=on_call,
                  audit=core.audit, adapters=core.adapters, settings=settings)
    service = CrisisService(
        db=core.db, outbox=core.outbox, escalations=escalations, pager=pager, audit=core.audit,
        clock=core.clock, detector=load_detector(core.settings),
        model_stage=load_model_stage(core.settings), settings=settings,
        adapters=core.adapters, scanned_rooms=scanned_rooms(core.settings),
    )
    desk = ModeratorDesk(db=core.db, outbox=core.outbox, escalations=escalations,
                         on_call=on_call, pager=pager, audit=core.audit)
    core.provide(service)
    core.routes.observers.insert(0, service.observe)  # before anything else sees the message
    core.routes.unreadable_handlers.append(UnreadableNotice(
        db=core.db, outbox=core.outbox, clock=core.clock, settings=settings).tell)
    for spec in desk.commands():
        core.routes.commands.add(spec)
    core.rights.sources += [escalations, on_call]
    core.rights.retention.append(RetentionRule(
        "escalation text", timedelta(days=core.settings.retention.escalation_text_days),
        escalations.purge_texts))

    async def kept_while_open(tx: Tx, user: UserRef, now: datetime) -> str | None:
        return texts.FORGET_KEPT if await escalations.open_for(tx, user) else None

    async def page_delivered(tx: Tx, item: OutboxItem, sent: Sent) -> None:
        await escalations.mark_page(tx, _send_log_key(item), "delivered_at", core.clock.now())

    async def page_failed(tx: Tx, item: OutboxItem, error: str) -> None:
        """A moderator room that keeps rejecting pages: go to the backup level privately."""
        now = core.clock.now()
        key = _send_log_key(item)
        await escalations.mark_page(tx, key, "failed_at", now)
        escalation_id, _, level, target = key.split(":", 3)
        esc = await escalations.get(tx, int(escalation_id))
        if target == ROOM_TARGET and esc is not None and esc.status == OPEN:
            await pager.page(tx, esc, max(2, int(level) + 1, esc.level + 1), now, room=False)

    async def resource_failed(tx: Tx, item: OutboxItem, error: str) -> None:
        """Moderators must know when the member could not be reached by the bot."""
        if item.dedup_key is None or item.subject is None:
            return
        escalation_id = int(item.dedup_key.rsplit(":", 1)[1])
        await pager.notice(tx, item.platform, texts.resource_undelivered(escalation_id, error),
                           core.clock.now(), subject=UserRef.parse(item.subject))

    core.rights.before_forget.append(kept_while_open)
    core.hooks.on_failed(RESOURCE_KIND, resource_failed)
    core.hooks.on_delivered(PAGE_KIND, page_delivered)
    core.hooks.on_failed(PAGE_KIND, page_failed)
    core.scheduler.add(JobSpec(
        id="crisis.repage",
        trigger=IntervalTrigger(seconds=settings.check_interval_seconds),
        run=lambda: crisis_jobs.page_unclaimed(service),
        misfire_grace_seconds=settings.check_interval_seconds * 4,
        next_due=service.next_due,
    ))


def _send_log_key(item: OutboxItem) -> str:
    if item.dedup_key is None:
        raise ValueError("a page without a send-log key")
    return item.dedup_key.removeprefix("crisis-page:")
