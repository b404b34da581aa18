"""``help`` and ``help <command>``, built from the registered commands themselves."""

from __future__ import annotations

from collections.abc import Mapping

from bot import texts
from bot.commands import CommandRegistry, CommandSpec, fold
from bot.context import CommandContext
from bot.ports import Adapter
from bot.store.db import Database
from bot.store.outbox import Outbox


class Help:
    def __init__(
        self,
        *,
        db: Database,
        outbox: Outbox,
        registry: CommandRegistry,
        adapters: Mapping[str, Adapter],
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._registry = registry
        self._adapters = adapters

    def commands(self) -> list[CommandSpec]:
        return [CommandSpec("help", "help [command]", "what I can do, or more about one command",
                            self.help)]

    async def help(self, ctx: CommandContext) -> None:
        topic = " ".join(fold(word) for word in ctx.args[:2])
        if not topic:
            adapter = self._adapters.get(ctx.user.platform)
            is_mod = adapter is not None and await adapter.is_moderator(ctx.user)
            text = texts.help_overview(self._registry, for_moderator=is_mod)
        else:
            text = self._topic(topic)
        async with self._db.transaction() as tx:
            await self._outbox.enqueue(tx, ctx.now, ctx.reply(text))

    def _topic(self, topic: str) -> str:
        if spec := self._registry.get(topic):
            return texts.help_for([spec])
        group = topic.split(" ", 1)[0]
        specs = [s for s in self._registry.in_group(group) if not s.hidden]
        return texts.help_for(specs) if specs else texts.help_unknown(topic)
