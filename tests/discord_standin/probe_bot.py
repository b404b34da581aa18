"""A tiny discord.py bot exercising what the Porchlight adapter will use (not the adapter).

It runs the real client library against the stand-in so the smoke tests prove the stand-in
speaks what discord.py expects: commands, autocomplete, deferrals, persistent buttons, modals.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import discord
from discord import app_commands

ACK_ID = "porch:checkin:ack"
NOTE_ID = "porch:note"
NOTE_MODAL_ID = "porch:note:modal"
NOTE_TEXT_ID = "porch:note:text"
MOOD_ID = "porch:mood"


class NoteModal(discord.ui.Modal, title="A note for the stewards"):
    text: discord.ui.TextInput[NoteModal] = discord.ui.TextInput(
        label="Your note", custom_id=NOTE_TEXT_ID, max_length=500
    )

    def __init__(self) -> None:
        super().__init__(custom_id=NOTE_MODAL_ID)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"saved: {self.text.value}", ephemeral=True)


class PanelView(discord.ui.View):
    """Persistent: no timeout, fixed custom ids, registered with ``client.add_view``."""

    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="I'm okay", custom_id=ACK_ID, style=discord.ButtonStyle.success)
    async def ack(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.send_message("noted, thank you", ephemeral=True)

    @discord.ui.button(label="Leave a note", custom_id=NOTE_ID)
    async def note(self, interaction: discord.Interaction, _button: discord.ui.Button) -> None:
        await interaction.response.send_modal(NoteModal())

    @discord.ui.select(
        custom_id=MOOD_ID,
        placeholder="Mood",
        options=[discord.SelectOption(label=str(n), value=str(n)) for n in range(1, 6)],
    )
    async def mood(self, interaction: discord.Interaction, select: discord.ui.Select) -> None:
        await interaction.response.edit_message(content=f"mood {select.values[0]} noted")


class ProbeClient(discord.Client):
    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY (shared-IP etiquette); not here."""


@dataclass
class Probe:
    """The running client plus what its handlers observed."""

    client: discord.Client
    tree: app_commands.CommandTree
    task: asyncio.Task[None]
    moderator_role_id: int
    messages: asyncio.Queue[discord.Message] = field(default_factory=asyncio.Queue)

    def assert_alive(self) -> None:
        """The connect() task must still run: parse errors in the gateway loop kill it."""
        if self.task.done():
            exc = None if self.task.cancelled() else self.task.exception()
            raise AssertionError(f"discord.py connect() task died: {exc!r}")


def _register_commands(probe: Probe) -> None:
    tree = probe.tree

    @tree.command(name="checkin", description="How are you today?")
    async def checkin(interaction: discord.Interaction, mood: int) -> None:
        assert isinstance(interaction.user, discord.Member)
        steward = probe.moderator_role_id in [r.id for r in interaction.user.roles]
        await interaction.response.send_message(
            f"mood {mood} logged; steward={steward}", ephemeral=True
        )

    @tree.command(name="slow", description="Deferred answer")
    async def slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("done thinking", ephemeral=True)

    @tree.command(name="witness", description="Pick a witness")
    async def witness(interaction: discord.Interaction, partner: str) -> None:
        await interaction.response.send_message(f"paired with {partner}", ephemeral=True)

    @witness.autocomplete("partner")
    async def partner_choices(
        _interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        names = ["alice", "bob", "sam"]
        return [app_commands.Choice(name=n, value=n) for n in names if n.startswith(current)]

    _register_more_commands(probe)


def _register_more_commands(probe: Probe) -> None:
    tree = probe.tree

    @tree.command(name="public_slow", description="Public defer, then an 'ephemeral' followup")
    async def public_slow(interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("visible to everyone", ephemeral=True)

    @tree.command(name="steps", description="Answer, edit the answer, then follow up")
    async def steps(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("step 1")
        await interaction.edit_original_response(content="step 2")
        await interaction.followup.send("step 3", ephemeral=True)

    @tree.command(name="panel", description="Post the check-in panel")
    async def panel(interaction: discord.Interaction) -> None:
        await interaction.response.send_message("Check in below", view=PanelView())

    stewards = app_commands.Group(name="stewards", description="Steward tools")

    @stewards.command(name="page", description="Page a steward")
    async def page(interaction: discord.Interaction, who: discord.Member) -> None:
        await interaction.response.send_message(f"paging {who.display_name}", ephemeral=True)

    tree.add_command(stewards)


def _register_events(probe: Probe) -> None:
    client = probe.client

    @client.event
    async def on_message(message: discord.Message) -> None:
        if message.author.id == client.user.id:  # type: ignore[union-attr]
            return
        await probe.messages.put(message)
        if message.content.startswith("!echo "):
            await message.reply(message.content.removeprefix("!echo "))
        elif isinstance(message.channel, discord.DMChannel):
            await message.channel.send("got your DM")


def make_intents(*, members: bool = True, message_content: bool = True) -> discord.Intents:
    intents = discord.Intents.default()
    intents.members = members
    intents.message_content = message_content
    return intents


@contextlib.asynccontextmanager
async def running_probe(
    token: str, moderator_role_id: int, intents: discord.Intents | None = None
) -> AsyncIterator[Probe]:
    """Log in, connect, wait for on_ready; close on exit (the caller checks liveness)."""
    client = ProbeClient(
        intents=intents or make_intents(),
        guild_ready_timeout=0.05,
        allowed_mentions=discord.AllowedMentions.none(),
    )
    tree = app_commands.CommandTree(client)
    await client.login(token)
    client.add_view(PanelView())
    task = asyncio.create_task(client.connect())
    probe = Probe(client, tree, task, moderator_role_id)
    _register_commands(probe)
    _register_events(probe)
    ready = asyncio.create_task(client.wait_until_ready())
    try:
        await asyncio.wait({ready, task}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        probe.assert_alive()
        if not ready.done():
            raise TimeoutError("discord.py did not become ready within 5 s")
        yield probe
    finally:
        ready.cancel()
        await client.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=5)
