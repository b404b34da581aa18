from __future__ import annotations

from pathlib import Path

from bot.app import Core, install_foundation
from bot.commands import CommandSpec, Scope, UsageError
from bot.context import CommandContext
from bot.dispatcher import Seen
from bot.events import Button, IncomingMessage, MemberLeft
from bot.identity import RoomRef, UserRef
from tests.fakes import FakeAdapter, running_app


def _with_test_commands(calls: list[tuple[str, CommandContext]]):  # type: ignore[no-untyped-def]
    def install(core: Core) -> None:
        install_foundation(core)

        async def record(ctx: CommandContext) -> None:
            calls.append((ctx.spec.name, ctx))
            async with core.db.transaction() as tx:
                await core.outbox.enqueue(tx, ctx.now, ctx.reply(
                    "pick one", buttons=(Button("A", "pick a"), Button("B", "pick b"))))

        async def picky(ctx: CommandContext) -> None:
            calls.append((f"{ctx.spec.name} {ctx.rest}", ctx))
            if ctx.rest not in {"a", "b"}:
                raise UsageError("Pick a or b.")

        async def boom(ctx: CommandContext) -> None:
            raise RuntimeError("handler bug with member text inside: my secret")

        for spec in (
            CommandSpec("ask", "ask", "asks", record),
            CommandSpec("pick", "pick a|b", "picks", picky),
            CommandSpec("mod test", "mod test", "moderators only", record, Scope.MODERATOR),
            CommandSpec("boom", "boom", "fails", boom),
        ):
            core.routes.commands.add(spec)
    return install


async def test_help_lists_commands_and_explains_one(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "help")
        await adapter.say("alice", "help forget me")
        await adapter.say("alice", "help nonsense")
        await app.settle()
        overview, one, unknown = adapter.texts_to("alice")
        assert "mydata" in overview and "forget me" in overview
        assert one.startswith("• forget me –")
        assert "Type help to see every command" in unknown


async def test_unknown_and_malformed_commands_get_a_short_friendly_line(tmp_path: Path) -> None:
    calls: list[tuple[str, CommandContext]] = []
    async with running_app(tmp_path, features=[_with_test_commands(calls)]) as (app, adapter, _):
        await adapter.say("alice", "hlep")
        await adapter.say("alice", "pick c")
        await adapter.say("alice", "forget")
        await app.settle()
        typo, usage, verb = adapter.texts_to("alice")
        assert typo == "I don't know that one. Did you mean help? Type help to see everything."
        assert usage == "Pick a or b.\nUsage: pick a|b"
        assert verb == "forget needs one more word. Try one of: forget me."


async def test_in_rooms_only_prefixed_text_is_a_command_and_answers_go_privately(
    tmp_path: Path,
) -> None:
    async with running_app(tmp_path) as (app, adapter, _):
        await adapter.say("alice", "help", room="general")
        await app.settle()
        assert adapter.sent == []
        await adapter.say("alice", "!help", room="general")
        await app.settle()
        assert [m.target for m in adapter.sent] == [UserRef("fake", "alice")]


async def test_moderator_commands_check_the_platform_at_the_moment_of_use(
    tmp_path: Path,
) -> None:
    calls: list[tuple[str, CommandContext]] = []
    adapter = FakeAdapter(mod_room=RoomRef("fake", "mods"))
    async with running_app(tmp_path, adapters=[adapter],
                           features=[_with_test_commands(calls)]) as (app, adapter, _):
        await adapter.say("Moderator", "mod test")
        await app.settle()
        assert calls == [] and adapter.texts_to("Moderator") == ["That one is for moderators."]
        adapter.moderators.add("carol")
        await adapter.say("carol", "!mod test", room="mods")
        await app.settle()
        assert [name for name, _ in calls] == ["mod test"]
        assert adapter.sent[-1].target == RoomRef("fake", "mods")
        adapter.moderators.discard("carol")
        await adapter.say("carol", "!mod test", room="mods")
        await app.settle()
        assert len(calls) == 1


async def test_buttons_and_bare_numbers_run_their_commands(tmp_path: Path) -> None:
    calls: list[tuple[str, CommandContext]] = []
    async with running_app(tmp_path, features=[_with_test_commands(calls)]) as (app, adapter, _):
        await adapter.say("alice", "ask")
        await app.settle()
        await adapter.say("alice", "2")
        await adapter.press("alice", "pick a")
        await adapter.say("alice", "7")  # no such choice
        await app.settle()
        assert [name for name, _ in calls] == ["ask", "pick b", "pick a"]
        assert all(ctx.origin.via_button for _, ctx in calls[1:])
        assert "I only understand a few commands" in adapter.texts_to("alice")[-1]


async def test_a_failing_handler_is_counted_apologised_for_and_the_loop_goes_on(
    tmp_path: Path, caplog,  # type: ignore[no-untyped-def]
) -> None:
    calls: list[tuple[str, CommandContext]] = []
    async with running_app(tmp_path, features=[_with_test_commands(calls)]) as (app, adapter, _):
        await adapter.say("alice", "boom")
        await adapter.say("alice", "ask")
        await app.settle()
        assert adapter.texts_to("alice")[0].startswith("Something went wrong on my side")
        assert [name for name, _ in calls] == ["ask"]
        assert app.core.errors.counts["dispatch.IncomingMessage"] == 1
    assert "RuntimeError" in caplog.text
    assert "my secret" not in caplog.text


async def test_observers_see_direct_and_room_messages_but_only_direct_ones_count(
    tmp_path: Path,
) -> None:
    seen: list[tuple[str, Seen]] = []

    def install(core: Core) -> None:
        install_foundation(core)

        async def observe(message: IncomingMessage, when: Seen) -> bool:
            seen.append((message.message_id, when))
            return message.text == "quiet please"
        core.routes.observers.append(observe)

    async with running_app(tmp_path, features=[install]) as (app, adapter, _):
        await adapter.say("alice", "hello there", room="general")
        await adapter.say("alice", "help")
        await adapter.say("alice", "quiet please")
        await app.settle()
        assert [w.counted for _, w in seen] == [False, True, True]
        assert seen[1][1].previous is None and seen[2][1].previous is not None
        assert len(adapter.texts_to("alice")) == 1  # an observer acted: no "I don't know"


async def test_member_left_reaches_leave_handlers(tmp_path: Path) -> None:
    left: list[UserRef] = []

    def install(core: Core) -> None:
        install_foundation(core)

        async def on_leave(event: MemberLeft) -> None:
            left.append(event.user)
        core.routes.leave_handlers.append(on_leave)

    async with running_app(tmp_path, features=[install]) as (app, adapter, clock):
        assert adapter._sink is not None
        await adapter._sink(MemberLeft(UserRef("fake", "bob"), clock.now()))
        await app.settle()
        assert left == [UserRef("fake", "bob")]


async def test_a_replayed_event_is_handled_once(tmp_path: Path) -> None:
    async with running_app(tmp_path) as (app, adapter, clock):
        message = IncomingMessage(user=UserRef("fake", "alice"), room=RoomRef("fake", "dm"),
                                  text="help", is_direct=True, message_id="evt-1",
                                  sent_at=clock.now())
        await app.dispatcher.submit(message)
        await app.dispatcher.submit(message)  # e.g. a sync replayed after a crash
        await app.settle()
        assert len(adapter.texts_to("alice")) == 1
