"""Buttons and the text form, as persistent items: the custom id carries the core command.

``CommandButton`` and ``FormButton`` are ``DynamicItem``s registered once on the client, so a
click on any message the bot ever sent is understood, even one sent before a restart. Views
are built only to serialise buttons and are stopped before sending, so discord.py does not keep
one in memory per message (a fan-out sends thousands).
Modal submissions are read in ``Client.on_interaction`` instead of ``Modal.on_submit``: a modal
shown before a restart is unknown to the new process, but its custom id still names the command.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any, Protocol

import discord

from adapters.discord.convert import (
    COMMAND_PREFIX,
    COMMAND_TEMPLATE,
    FALLBACK_INPUT_LABEL,
    FORM_PREFIX,
    FORM_SEPARATOR,
    FORM_TEMPLATE,
    MAX_INPUT_LABEL,
    MAX_LABEL,
    button_custom_id,
    modal_custom_id,
)
from bot.events import Button

log = logging.getLogger(__name__)

TEXT_INPUT_ID = "text"
TEXT_MAX = 2000
MAX_BUTTONS = 25
MODAL_TITLE_MAX = 45


class Clicks(Protocol):
    """What a click is handed to (the adapter's inbound side)."""

    async def button(self, interaction: discord.Interaction, command: str) -> None: ...

    async def form(self, interaction: discord.Interaction, command: str, title: str,
                   input_label: str) -> None: ...


def clicks_of(interaction: discord.Interaction) -> Clicks:
    clicks = getattr(interaction.client, "clicks", None)
    if clicks is None:
        raise RuntimeError("a Porchlight button was clicked on a client without the adapter")
    return clicks  # type: ignore[no-any-return]


class CommandButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=COMMAND_TEMPLATE):
    """Runs its command as if the member had typed it."""

    def __init__(self, command: str, label: str) -> None:
        super().__init__(discord.ui.Button(label=label[:MAX_LABEL] or "…",
                                           custom_id=COMMAND_PREFIX + command))
        self.command = command

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> CommandButton:
        return cls(match["command"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await clicks_of(interaction).button(interaction, self.command)


class FormButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=FORM_TEMPLATE):
    """Asks for a line of text in a modal, then runs ``command <text>``."""

    def __init__(self, command: str, input_label: str, label: str) -> None:
        custom_id = f"{FORM_PREFIX}{command}{FORM_SEPARATOR}{input_label}"
        super().__init__(discord.ui.Button(label=label[:MAX_LABEL] or "…", custom_id=custom_id))
        self.command = command
        self.input_label = input_label
        self.label = label

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction,
                             item: discord.ui.Item[Any], match: re.Match[str]) -> FormButton:
        return cls(match["command"], match["label"], getattr(item, "label", None) or "")

    async def callback(self, interaction: discord.Interaction) -> None:
        await clicks_of(interaction).form(interaction, self.command, self.label,
                                          self.input_label)


class TextForm(discord.ui.Modal):
    """One line of text for a command; read in ``on_interaction`` (see the module doc)."""

    def __init__(self, command: str, title: str, input_label: str) -> None:
        super().__init__(title=(title or "Porchlight")[:MODAL_TITLE_MAX],
                         custom_id=modal_custom_id(command), timeout=None)
        self.add_item(discord.ui.TextInput(
            label=(input_label or FALLBACK_INPUT_LABEL)[:MAX_INPUT_LABEL],
            custom_id=TEXT_INPUT_ID, style=discord.TextStyle.paragraph, max_length=TEXT_MAX))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Nothing here: the submission was already handed over by ``on_interaction``."""


def view_for(buttons: Sequence[Button]) -> discord.ui.View | None:
    """A stopped view holding the buttons, or None when there are none to show."""
    view = discord.ui.View(timeout=None)
    for button in buttons[:MAX_BUTTONS]:
        custom_id = button_custom_id(button)
        if custom_id is None:
            log.warning("a button's command does not fit a custom id; it was left out")
        elif custom_id.startswith(FORM_PREFIX):
            label = custom_id.rsplit(FORM_SEPARATOR, 1)[1]
            view.add_item(FormButton(button.command, label, button.label))
        else:
            view.add_item(CommandButton(button.command, button.label))
    view.stop()
    return view if view.children else None


def submitted_text(data: Any) -> str:
    """The text input's value from a modal submission's raw ``data``."""
    stack = list((data or {}).get("components") or [])
    while stack:
        component = stack.pop()
        if component.get("custom_id") == TEXT_INPUT_ID and "value" in component:
            return str(component["value"])
        stack += component.get("components") or []
        if isinstance(component.get("component"), dict):
            stack.append(component["component"])
    return ""
