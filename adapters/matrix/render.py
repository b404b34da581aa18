"""Outgoing messages as Matrix event content: text, choices, content warnings, mentions.

Matrix has no buttons. Choices are a numbered list with keycap emoji; a member answers with a
keycap reaction (1️⃣..🔟) or, in a DM, by replying with the number. Text behind a content
warning becomes an HTML spoiler, and the plain ``body`` (what notifications and plain clients
show) leaves it out. Every event carries ``m.mentions``: empty, so nothing a member wrote can
ping anyone, except on a page.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.events import Button, OutgoingMessage

KEYCAPS = ("1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟")
_VS16 = "\ufe0f"
_KEYCAP_INDEX = {key.replace(_VS16, ""): index for index, key in enumerate(KEYCAPS)}
HTML_FORMAT = "org.matrix.custom.html"
SPOILER_REASON = "content warning"
SPOILER_FALLBACK = "[content warning: hidden here; open the message in a client that shows it]"
EVENT_TEXT_LIMIT = 48_000  # an event may be 64 KiB in all; leave room for HTML and keys


@dataclass(frozen=True, slots=True)
class Mentions:
    """Who a page notifies: ``room`` (@room) or these user ids. Nobody by default."""

    room: bool = False
    user_ids: tuple[str, ...] = ()

    def content(self) -> dict[str, Any]:
        mentions: dict[str, Any] = {}
        if self.room:
            mentions["room"] = True
        if self.user_ids:
            mentions["user_ids"] = list(self.user_ids)
        return mentions


def keycap_index(key: str) -> int | None:
    """0 for 1️⃣ ... 9 for 🔟, with or without the emoji variation selector."""
    return _KEYCAP_INDEX.get(key.replace(_VS16, ""))


def choices_text(buttons: Sequence[Button], *, direct: bool) -> str:
    lines = [f"{_marker(i)} {button.label}" for i, button in enumerate(buttons)]
    reactable = min(len(buttons), len(KEYCAPS))
    keys = KEYCAPS[0] if reactable == 1 else f"{KEYCAPS[0]}-{KEYCAPS[reactable - 1]}"
    lines.append(f"React {keys} or reply with the number." if direct else f"React {keys}.")
    return "\n".join(lines)


def _marker(index: int) -> str:
    return KEYCAPS[index] if index < len(KEYCAPS) else f"{index + 1}."


def render(
    message: OutgoingMessage, *, direct: bool, mentions: Mentions = Mentions(),
    code: str | None = None,
) -> dict[str, Any]:
    """``m.text`` content. ``code`` is an attachment shown inline as a code block."""
    parts = [_mention_prefix(mentions), message.text]
    if message.buttons:
        parts.append(choices_text(message.buttons, direct=direct))
    plain = [p for p in parts if p]
    rich = [_html(p) for p in plain]
    if message.hidden_text is not None:
        plain.append(SPOILER_FALLBACK)
        rich.append(f'<span data-mx-spoiler="{SPOILER_REASON}">'
                    f"{_html(message.hidden_text)}</span>")
    if code is not None:
        plain.append(code)
        rich.append(f"<pre><code>{html.escape(code)}</code></pre>")
    content: dict[str, Any] = {
        "msgtype": "m.text",
        "body": "\n\n".join(plain),
        "m.mentions": mentions.content(),
    }
    if message.hidden_text is not None or code is not None:
        content["format"] = HTML_FORMAT
        content["formatted_body"] = "<br><br>".join(rich)
    return content


def _mention_prefix(mentions: Mentions) -> str:
    if mentions.room:
        return "@room"
    return " ".join(mentions.user_ids)


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def file_content(filename: str, size: int, url: str | None,
                 encrypted_file: dict[str, Any] | None) -> dict[str, Any]:
    """``m.file`` content for an uploaded attachment (``file`` when it is encrypted)."""
    content: dict[str, Any] = {
        "msgtype": "m.file",
        "body": filename,
        "filename": filename,
        "info": {"mimetype": "application/json" if filename.endswith(".json")
                 else "text/plain", "size": size},
        "m.mentions": {},
    }
    if encrypted_file is not None:
        content["file"] = encrypted_file
    else:
        content["url"] = url
    return content
