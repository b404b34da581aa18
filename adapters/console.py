"""A terminal adapter that simulates a small community, so anyone can try Porchlight.

Lines are messages from the current speaker (privately to Porchlight, or in a room); lines
starting with ``/`` drive the simulation (who speaks, who moderates, the demo clock). When stdin
is not a terminal it reads a script, handling each line completely before the next, so tests
can drive whole sessions.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import ClassVar, Protocol, TextIO

from bot.commands import CommandSpec
from bot.events import (
    ButtonPressed,
    Capability,
    Event,
    IncomingMessage,
    MemberLeft,
    Mention,
    OutgoingMessage,
)
from bot.identity import RoomRef, SpaceRef, UserRef
from bot.ports import Clock, EventSink, PermanentDeliveryError, Sent, TransientDeliveryError
from bot.timeparse import parse_duration

PLATFORM = "console"
_NAME = re.compile(r"[a-z0-9_.-]{1,32}")

CONSOLE_HELP = """\
Console commands (anything else is a message from the current speaker):
  /as NAME        speak as someone else (they need not exist yet)
  /dm             write privately to Porchlight (the default)
  /room NAME      write in a room, e.g. /room general
  /press N        press button N on the last message you got with buttons
  /mod NAME       make NAME a moderator      /unmod NAME   take it away
  /alumni NAME    give NAME the alumni role (once anyone has it, only alumni volunteer)
  /closedm NAME   NAME stops accepting private messages (to see failures handled)
  /leave          the current speaker leaves the community
  /offline        the platform can't be reached: messages wait (/online to reconnect)
  /clock [+2h]    show the demo clock, or move it forward (+30m, +2h, +1d, +1w)
  /who            who is here, who moderates
  /quit           leave the demo"""


class Controls(Protocol):
    """What the console needs from the app around it."""

    async def settle(self) -> None: ...

    async def advance(self, delta: timedelta) -> None: ...

    def request_stop(self) -> None: ...


@dataclass
class _Speaker:
    name: str
    room: str | None = None  # None: private messages to Porchlight


class ConsoleAdapter:
    platform = PLATFORM
    capabilities = frozenset({Capability.BUTTONS, Capability.FILES, Capability.SPOILERS,
                              Capability.PRIVATE_ROOMS})

    def __init__(
        self,
        *,
        stdin: TextIO,
        stdout: TextIO,
        clock: Clock,
        start_as: str,
        rooms: list[str],
        moderator_room: str,
        moderators: list[str],
        alumni: list[str],
        demo: bool,
        interactive: bool,
    ) -> None:
        self._in = stdin
        self._out = stdout
        self._clock = clock
        self._speaker = _Speaker(start_as)
        self._rooms = {*rooms, moderator_room}
        self._spaces: dict[str, set[str]] = {}  # private rooms Porchlight made: members
        self._mod_room = RoomRef(PLATFORM, f"#{moderator_room}")
        self._moderators = set(moderators)
        self._alumni = set(alumni)  # empty: anyone may volunteer as a witness
        self._closed_dms: set[str] = set()
        self._offline = False
        self._last_buttons: dict[str, tuple[str, list[str]]] = {}
        self._demo = demo
        self._interactive = interactive
        self._ids = itertools.count(1)
        self._run = uuid.uuid4().hex[:8]  # message ids stay unique across restarts
        self._controls: Controls | None = None
        self._sink: EventSink | None = None
        self._reader: asyncio.Task[None] | None = None

    def use_commands(self, commands: Sequence[CommandSpec]) -> None:
        """The terminal takes typed commands only; nothing to register."""

    def bind(self, controls: Controls) -> None:
        self._controls = controls

    @property
    def moderator_room(self) -> RoomRef:
        return self._mod_room

    async def is_moderator(self, user: UserRef) -> bool:
        return user.platform == PLATFORM and user.id in self._moderators

    async def is_alumnus(self, user: UserRef) -> bool:
        return not self._alumni or (user.platform == PLATFORM and user.id in self._alumni)

    def handle(self, user: UserRef) -> str:
        return user.id

    async def start(self, sink: EventSink) -> None:
        self._sink = sink
        self._print(f"Porchlight console. You are {self._speaker.name}, writing privately to "
                    "Porchlight. Type help to see what it can do, /help for the console.")
        if self._demo:
            self._print(f"Demo clock: {self._stamp()}. Move it with /clock +1d.")
        self._reader = asyncio.create_task(self._read_loop(), name="console.reader")

    async def stop(self) -> None:
        if self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()

    async def send(self, message: OutgoingMessage) -> Sent:
        if self._offline:
            raise TransientDeliveryError("offline", "the simulated platform is unreachable")
        target = message.target
        if isinstance(target, UserRef) and target.id in self._closed_dms:
            raise PermanentDeliveryError("dm_closed", "member does not accept private messages")
        message_id = f"m{next(self._ids)}"
        if isinstance(target, UserRef):
            where = f"{target.id} (private)"
        elif isinstance(target, SpaceRef):
            self._spaces[target.key] = {m.id for m in target.members}
            where = f"#{target.key} (private: {', '.join(sorted(self._spaces[target.key]))})"
        else:
            where = target.id
        lines = [f"[{self._stamp()}] Porchlight → {where}"]
        if message.mention is not Mention.NONE:
            lines.append(f"  @{message.mention.value}")
        lines += [f"  {line}".rstrip() for line in message.text.splitlines()]
        if message.hidden_text is not None:
            lines.append(f"  (content warning, shown on request) {message.hidden_text}")
        if message.attachment is not None:
            lines.append(f"  📎 {message.attachment.filename}:")
            lines += [f"    {line}" for line in message.attachment.content.splitlines()]
        if message.buttons:
            choices = "  ".join(f"[{i}] {b.label}" for i, b in enumerate(message.buttons, 1))
            lines.append(f"  {choices}   (/press N)")
            key = target.id if isinstance(target, UserRef) else f"room:{self._room_name(target)}"
            self._last_buttons[key] = (message_id, [b.command for b in message.buttons])
        self._print("\n".join(lines))
        return Sent(message_id)

    # Reading and the console's own commands.

    async def _read_loop(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self._interactive:
                self._out.write(self._prompt())
                self._out.flush()
            line = await loop.run_in_executor(None, self._in.readline)
            if not line:
                break
            await self._handle_line(line.rstrip("\n"))
        await self._controls_or_fail().settle()
        self._controls_or_fail().request_stop()

    async def _handle_line(self, line: str) -> None:
        if not line.strip():
            return
        if not self._interactive:
            self._print(f"{self._prompt()}{line}")
        if line.startswith("/") and self._is_console_command(line):
            await self._console_command(line)
        else:
            await self._submit(self._message(line))
        await self._controls_or_fail().settle()

    def _is_console_command(self, line: str) -> bool:
        word = line[1:].split(maxsplit=1)[0].lower() if len(line) > 1 else ""
        return word in self._COMMANDS

    def _message(self, text: str) -> IncomingMessage:
        user = UserRef(PLATFORM, self._speaker.name)
        room_name = self._speaker.room
        room = RoomRef(PLATFORM, f"#{room_name}" if room_name else f"dm:{user.id}")
        return IncomingMessage(user=user, room=room, text=text, is_direct=room_name is None,
                               message_id=f"{self._run}-{next(self._ids)}",
                               sent_at=self._clock.now(),
                               space=room_name if room_name in self._spaces else None)

    @staticmethod
    def _room_name(target: RoomRef | SpaceRef) -> str:
        return f"#{target.key}" if isinstance(target, SpaceRef) else target.id

    async def _submit(self, event: Event) -> None:
        if self._sink is None:
            raise RuntimeError("console adapter used before start()")
        await self._sink(event)

    async def _console_command(self, line: str) -> None:
        word, _, arg = line[1:].partition(" ")
        handler = self._COMMANDS[word.lower()]
        result = await handler(self, arg.strip())
        if result:
            self._print(f"  ({result})")

    async def _as(self, arg: str) -> str:
        name = arg.lower()
        if not _NAME.fullmatch(name):
            return "names are lowercase letters, digits, . _ or -, like: /as bob"
        self._speaker = _Speaker(name)
        return f"you are now {name}, writing privately to Porchlight"

    async def _dm(self, arg: str) -> str:
        self._speaker.room = None
        return f"{self._speaker.name} is now writing privately to Porchlight"

    async def _room(self, arg: str) -> str:
        name = arg.lower().lstrip("#")
        if name in self._spaces and self._speaker.name not in self._spaces[name]:
            return f"#{name} is private to {', '.join(sorted(self._spaces[name]))}"
        if name not in self._rooms and name not in self._spaces:
            rooms = sorted(self._rooms) + sorted(
                key for key, members in self._spaces.items() if self._speaker.name in members)
            return f"rooms here: {', '.join('#' + r for r in rooms)}"
        self._speaker.room = name
        return f"{self._speaker.name} is now writing in #{name}"

    async def _press(self, arg: str) -> str:
        key = (f"room:#{self._speaker.room}" if self._speaker.room
               else self._speaker.name)
        message_id, commands = self._last_buttons.get(key, ("", []))
        if not arg.isdigit() or not 1 <= int(arg) <= len(commands):
            return "no button with that number here" if commands else "no buttons here yet"
        user = UserRef(PLATFORM, self._speaker.name)
        room = self._message("").room
        await self._submit(ButtonPressed(user=user, room=room, message_id=message_id,
                                         is_direct=self._speaker.room is None,
                                         sent_at=self._clock.now(),
                                         command=commands[int(arg) - 1]))
        return ""

    async def _mod(self, arg: str) -> str:
        return self._set_role(arg, self._moderators.add, "is now a moderator")

    async def _unmod(self, arg: str) -> str:
        return self._set_role(arg, self._moderators.discard, "is no longer a moderator")

    async def _alumni_cmd(self, arg: str) -> str:
        return self._set_role(arg, self._alumni.add, "has the alumni role")

    async def _closedm(self, arg: str) -> str:
        return self._set_role(arg, self._closed_dms.add, "no longer accepts private messages")

    def _set_role(self, arg: str, change: Callable[[str], None], done: str) -> str:
        name = arg.lower()
        if not _NAME.fullmatch(name):
            return "say who, like: /mod bob"
        change(name)
        return f"{name} {done}"

    async def _leave(self, arg: str) -> str:
        await self._submit(MemberLeft(UserRef(PLATFORM, self._speaker.name), self._clock.now()))
        return f"{self._speaker.name} left the community"

    async def _go_offline(self, arg: str) -> str:
        self._offline = True
        return "the platform is unreachable: messages wait in the outbox (/online to reconnect)"

    async def _go_online(self, arg: str) -> str:
        self._offline = False
        return "the platform is reachable again; waiting messages go out on their next retry"

    async def _clock_cmd(self, arg: str) -> str:
        if not arg:
            return f"it is {self._stamp()}"
        if not self._demo:
            return "the clock only moves in demo mode"
        try:
            delta = parse_duration(arg)
        except ValueError as exc:
            return str(exc)
        await self._controls_or_fail().advance(delta)
        return f"it is now {self._stamp()}"

    async def _who(self, arg: str) -> str:
        mods = ", ".join(sorted(self._moderators)) or "nobody yet (/mod NAME)"
        return f"you are {self._speaker.name}; moderators: {mods}"

    async def _help(self, arg: str) -> str:
        self._print(CONSOLE_HELP)
        return ""

    async def _quit(self, arg: str) -> str:
        self._controls_or_fail().request_stop()
        return "bye"

    _COMMANDS: ClassVar[dict[str, Callable[[ConsoleAdapter, str], Awaitable[str]]]] = {
        "as": _as, "dm": _dm, "room": _room, "press": _press, "mod": _mod, "unmod": _unmod,
        "alumni": _alumni_cmd,
        "closedm": _closedm, "leave": _leave, "offline": _go_offline, "online": _go_online,
        "clock": _clock_cmd, "who": _who,
        "help": _help, "quit": _quit,
    }

    # Output.

    def _prompt(self) -> str:
        room = f" #{self._speaker.room}" if self._speaker.room else ""
        return f"{self._speaker.name}{room}> "

    def _stamp(self) -> str:
        return self._clock.now().strftime("%a %d %b %H:%M UTC")

    def _print(self, text: str) -> None:
        self._out.write(text + "\n")
        self._out.flush()

    def _controls_or_fail(self) -> Controls:
        if self._controls is None:
            raise RuntimeError("console adapter is not bound to an app")
        return self._controls
