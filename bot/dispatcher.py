"""The dispatcher: one queue of inbound events, routed to observers, commands and text handlers.

Order for a message: observers see it first (crisis scanning must never be skipped), then it is
parsed as a command; text that is not a command is offered to text handlers (answers to an open
question), and only if none takes it does the member get a friendly usage line.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot import texts
from bot.commands import CommandRegistry, Invocation, ParseError, Scope, UsageError
from bot.context import CommandContext, Origin
from bot.errors import ErrorHandler
from bot.events import (
    ButtonPressed,
    Event,
    IncomingMessage,
    MemberLeft,
    OutgoingMessage,
    Unreadable,
)
from bot.identity import Target, UserRef
from bot.members import Members
from bot.ports import Adapter, Clock
from bot.store.db import Database
from bot.store.inbound import InboundLog
from bot.store.outbox import Enqueue, Outbox

log = logging.getLogger(__name__)

Observer = Callable[[IncomingMessage, "Seen"], Awaitable[bool]]
"""Sees every message first; returns True if it acted on it (then no "I don't know that")."""
TextHandler = Callable[[IncomingMessage, "Seen"], Awaitable[bool]]
"""Offered text that is not a command (an answer to an open question); True if it took it."""
LeaveHandler = Callable[[MemberLeft], Awaitable[None]]
UnreadableHandler = Callable[[Unreadable], Awaitable[None]]

BUTTON_MEMORY = timedelta(days=2)  # how long a bare number answers the last buttons sent


@dataclass(frozen=True, slots=True)
class Seen:
    """When a member who wrote to us directly was last heard from before this message."""

    now: datetime
    previous: datetime | None
    counted: bool  # False for room chatter we only scan: it never updates "last seen"
    quiet: bool = False  # an earlier observer acted (a crisis went to moderators): add nothing


@dataclass
class Routes:
    """What features plug into the dispatcher."""

    commands: CommandRegistry = field(default_factory=CommandRegistry)
    observers: list[Observer] = field(default_factory=list)
    text_handlers: list[TextHandler] = field(default_factory=list)
    leave_handlers: list[LeaveHandler] = field(default_factory=list)
    unreadable_handlers: list[UnreadableHandler] = field(default_factory=list)


class Dispatcher:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        members: Members,
        inbound: InboundLog,
        clock: Clock,
        errors: ErrorHandler,
        adapters: Mapping[str, Adapter],
        routes: Routes,
        prefix: str = "!",
        queue_size: int = 10_000,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._members = members
        self._inbound = inbound
        self._clock = clock
        self._errors = errors
        self._adapters = adapters
        self._routes = routes
        self._prefix = prefix
        self._queue: asyncio.Queue[tuple[Event, asyncio.Future[None]]] = asyncio.Queue(
            queue_size)
        routes.text_handlers.insert(0, self._numbered_reply)

    async def submit(self, event: Event) -> None:
        """The adapters' inbound callback. Returns once the event has been handled, so an
        adapter may then acknowledge it to its platform (store a sync token): a crash can
        replay an event, never lose one."""
        handled = asyncio.get_running_loop().create_future()
        await self._queue.put((event, handled))
        await handled

    async def join(self) -> None:
        """Wait until every submitted event has been handled."""
        await self._queue.join()

    async def run(self) -> None:
        while True:
            event, handled = await self._queue.get()
            try:
                await self.handle(event)
            except Exception as exc:
                self._errors.handle(exc, f"dispatch.{type(event).__name__}")
                await self._apologise(event)
            finally:
                self._queue.task_done()
                if not handled.done():
                    handled.set_result(None)

    async def handle(self, event: Event) -> None:
        """Handle one event, once: a replayed event id is skipped."""
        event_id = _event_id(event)
        platform = event.user.platform
        if event_id is not None:
            async with self._db.read() as tx:
                if await self._inbound.seen(tx, platform, event_id):
                    log.info("skipped a replayed %s on %s", type(event).__name__, platform)
                    return
        match event:
            case IncomingMessage():
                await self._message(event)
            case ButtonPressed():
                await self._button(event)
            case MemberLeft():
                for handler in self._routes.leave_handlers:
                    await handler(event)
            case Unreadable():
                for unreadable in self._routes.unreadable_handlers:
                    await unreadable(event)
        if event_id is not None:
            async with self._db.transaction() as tx:
                await self._inbound.record(tx, platform, event_id, self._clock.now())

    async def _message(self, message: IncomingMessage) -> None:
        now = self._clock.now()
        command_text = self._command_text(message)
        counted = message.is_direct or command_text is not None
        previous = None
        if counted:
            async with self._db.transaction() as tx:
                previous = await self._members.touch(tx, message.user, now)
        seen = Seen(now, previous, counted)
        for observe in self._routes.observers:
            if await observe(message, seen):
                seen = replace(seen, quiet=True)
        if command_text is None:
            return
        parsed = self._routes.commands.parse(command_text)
        if isinstance(parsed, Invocation):
            await self._run(parsed, Origin.of(message), now)
            return
        for handler in self._routes.text_handlers:
            if await handler(message, seen):
                return
        if not seen.quiet:
            await self._say(message.user, message.reply_token, self._parse_error_text(parsed))

    def _command_text(self, message: IncomingMessage) -> str | None:
        """Direct messages are all commands (a leading / or the prefix is fine); in a room,
        only text starting with the prefix is."""
        text = message.text.lstrip()
        if text.startswith(self._prefix):
            return text[len(self._prefix):]
        if message.is_direct:
            return text.removeprefix("/")
        return None

    async def _button(self, press: ButtonPressed) -> None:
        now = self._clock.now()
        command = press.command
        if command is None and press.choice is not None:
            async with self._db.read() as tx:
                buttons = await self._outbox.buttons_of(tx, press.room.platform, press.message_id)
            if 0 <= press.choice < len(buttons):
                command = buttons[press.choice].command
        if command is None:
            return  # a reaction on something that was not a question: nothing to do
        if press.text:
            # Text typed into a form is read like a private message: observers see it too.
            written = IncomingMessage(user=press.user, room=press.room, text=press.text,
                                      is_direct=True, message_id=press.message_id,
                                      sent_at=press.sent_at, reply_token=press.reply_token)
            for observe in self._routes.observers:
                await observe(written, Seen(now, None, False))
            command = f"{command} {press.text}"
        parsed = self._routes.commands.parse(command)
        if isinstance(parsed, Invocation):
            await self._run(parsed, Origin.of(press), now)

    async def _numbered_reply(self, message: IncomingMessage, seen: Seen) -> bool:
        """A bare number in a DM answers the newest buttons we sent there (plain-text fallback)."""
        now = seen.now
        text = message.text.strip()
        if not message.is_direct or not text.isdigit() or len(text) > 2:
            return False
        async with self._db.read() as tx:
            buttons = await self._outbox.latest_buttons_to(tx, message.user, now - BUTTON_MEMORY)
        index = int(text) - 1
        if not 0 <= index < len(buttons):
            return False
        parsed = self._routes.commands.parse(buttons[index].command)
        if not isinstance(parsed, Invocation):
            return False
        await self._run(parsed, replace(Origin.of(message), via_button=True), now)
        return True

    async def _run(self, invocation: Invocation, origin: Origin, now: datetime) -> None:
        spec, user = invocation.spec, origin.user
        adapter = self._adapters.get(user.platform)
        if spec.scope is Scope.MODERATOR and not (adapter and await adapter.is_moderator(user)):
            log.info("refused %s for a non-moderator", spec.name)
            await self._say(user, origin.reply_token, texts.MODERATORS_ONLY)
            return
        in_mod_room = adapter is not None and adapter.moderator_room == origin.room
        mod_reply = spec.scope is Scope.MODERATOR and in_mod_room
        reply_target: Target = origin.room if mod_reply else user
        ctx = CommandContext(spec=spec, args=invocation.args, rest=invocation.rest, now=now,
                             reply_target=reply_target, origin=origin)
        log.info("command %s on %s", spec.name, user.platform)
        try:
            await spec.handler(ctx)
        except UsageError as exc:
            await self._say(reply_target, origin.reply_token, texts.usage_error(str(exc), spec))

    def _parse_error_text(self, error: ParseError) -> str:
        return texts.parse_error(error, self._routes.commands.in_group(error.group or ""))

    async def _say(self, target: Target, reply_token: str | None, text: str) -> None:
        now = self._clock.now()
        subject = target if isinstance(target, UserRef) else None
        async with self._db.transaction() as tx:
            await self._outbox.enqueue(tx, now, Enqueue(
                OutgoingMessage(target, text, reply_token=reply_token), kind="reply",
                subject=subject,
            ))

    async def _apologise(self, event: Event) -> None:
        if isinstance(event, IncomingMessage | ButtonPressed) and (
            event.is_direct or isinstance(event, ButtonPressed)
        ):
            try:
                await self._say(event.user, event.reply_token, texts.SOMETHING_WENT_WRONG)
            except Exception as exc:
                self._errors.handle(exc, "dispatch.apologise")


def _event_id(event: Event) -> str | None:
    if isinstance(event, IncomingMessage):
        return f"message:{event.message_id}"
    if isinstance(event, ButtonPressed) and event.event_id is not None:
        return f"press:{event.event_id}"
    if isinstance(event, Unreadable):  # apart from the message, which may still come readable
        return f"unreadable:{event.message_id}"
    return None
