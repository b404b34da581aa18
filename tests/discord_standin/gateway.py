"""The gateway websocket: HELLO, IDENTIFY/READY/GUILD_CREATE, heartbeats, RESUME, dispatch.

Frames are plain JSON text (discord.py asks for zlib/zstd streams but only decompresses
binary frames). Each session keeps a replay buffer, so events dispatched while the client is
reconnecting are delivered after its RESUME, as on Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from . import payloads as p
from .records import GatewayEvent, SentMessage
from .state import StandInState

OP_DISPATCH, OP_HEARTBEAT, OP_IDENTIFY, OP_RESUME = 0, 1, 2, 6
OP_RECONNECT, OP_REQUEST_MEMBERS, OP_INVALID_SESSION, OP_HELLO, OP_ACK = 7, 8, 9, 10, 11
IGNORED_OPS = {3, 4}  # presence and voice state updates
REPLAY_LIMIT = 2000


@dataclass
class Session:
    id: str
    intents: int
    shard: list[int] | None
    seq: int = 0
    ws: web.WebSocketResponse | None = None
    buffer: deque[tuple[int, str]] = field(default_factory=lambda: deque(maxlen=REPLAY_LIMIT))


# Per-session payload builder: return None to skip this session (e.g. missing intent).
Builder = Callable[[Session], p.Json | None]


class Gateway:
    """Accepts discord.py websocket connections and sends them events."""

    def __init__(self, state: StandInState, heartbeat_ms: int, allowed_intents: int) -> None:
        self.state = state
        self.heartbeat_ms = heartbeat_ms
        self.allowed_intents = allowed_intents
        self.url = ""  # set once the server knows its port (used as resume_gateway_url)
        self.sessions: dict[str, Session] = {}
        self.sockets: set[web.WebSocketResponse] = set()
        self._echo_tasks: set[asyncio.Task[int]] = set()

    def _log(self, kind: str, session: Session | None = None, detail: Any = None) -> None:
        self.state.gateway_events.append(GatewayEvent(kind, session and session.id, detail))

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0)
        await ws.prepare(request)
        self.sockets.add(ws)
        self._log("connect", detail=dict(request.query))
        session: Session | None = None
        try:
            await self._send(ws, {"op": OP_HELLO, "d": {"heartbeat_interval": self.heartbeat_ms}})
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(msg.data)
                session = await self._on_frame(ws, session, frame) or session
        except ConnectionResetError:
            pass  # the client went away mid-send; it will reconnect (or it was closed)
        except Exception as exc:
            self.state.internal_errors.append(f"gateway: {exc!r}")
            raise
        finally:
            self.sockets.discard(ws)
            if session is not None and session.ws is ws:
                session.ws = None
            self._log("close", session, ws.close_code)
        return ws

    async def _on_frame(
        self, ws: web.WebSocketResponse, session: Session | None, frame: p.Json
    ) -> Session | None:
        op, d = frame.get("op"), frame.get("d")
        if op == OP_HEARTBEAT:
            self._log("heartbeat", session, d)
            await self._send(ws, {"op": OP_ACK})
        elif op == OP_IDENTIFY:
            return await self._identify(ws, d)
        elif op == OP_RESUME:
            return await self._resume(ws, d)
        elif op == OP_REQUEST_MEMBERS and session is not None:
            self._log("request_members", session, d)
            if session.intents & p.INTENT_GUILD_MEMBERS:
                await self._dispatch_one(
                    session, "GUILD_MEMBERS_CHUNK", p.members_chunk(self.state.world, d)
                )
        elif op not in IGNORED_OPS:
            self._log("unknown_op", session, op)
            await ws.close(code=4001, message=b"Unknown opcode")
        return None

    async def _identify(self, ws: web.WebSocketResponse, d: p.Json) -> Session | None:
        intents = int(d.get("intents", 0))
        if d.get("token") != self.state.token:
            self._log("auth_failed")
            await ws.close(code=4004, message=b"Authentication failed.")
            return None
        if intents & p.PRIVILEGED_INTENTS & ~self.allowed_intents:
            self._log("disallowed_intents", detail=intents)
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        # A fresh IDENTIFY means the client gave up resuming: drop sessions nobody holds.
        for stale in [s for s in self.sessions.values() if s.ws is None or s.ws.closed]:
            del self.sessions[stale.id]
        session = Session(secrets.token_hex(16), intents, d.get("shard"), ws=ws)
        self.sessions[session.id] = session
        self._log("identify", session, {"intents": intents})
        world = self.state.world
        await self._dispatch_one(
            session, "READY", p.ready(world, session.id, self.url, session.shard)
        )
        await self._dispatch_one(session, "GUILD_CREATE", p.guild_create(world, intents=intents))
        self._log("ready", session)
        return session

    async def _resume(self, ws: web.WebSocketResponse, d: p.Json) -> Session | None:
        session = self.sessions.get(d.get("session_id", ""))
        if session is None or d.get("token") != self.state.token:
            self._log("invalid_session", detail=d.get("session_id"))
            await self._send(ws, {"op": OP_INVALID_SESSION, "d": False})
            return None
        old = session.ws
        session.ws = ws
        if old is not None and old is not ws and not old.closed:
            await old.close(code=4000)
        last_seen = int(d.get("seq") or 0)
        replay = [frame for seq, frame in session.buffer if seq > last_seen]
        for frame in replay:
            await ws.send_str(frame)
        await self._dispatch_one(session, "RESUMED", {"_trace": ["porchlight-standin"]})
        self._log("resumed", session, {"replayed": len(replay)})
        return session

    @staticmethod
    async def _send(ws: web.WebSocketResponse, payload: p.Json) -> None:
        payload.setdefault("s", None)
        payload.setdefault("t", None)
        await ws.send_str(json.dumps(payload))

    async def _dispatch_one(self, session: Session, event: str, data: p.Json) -> None:
        session.seq += 1
        frame = json.dumps({"op": OP_DISPATCH, "t": event, "s": session.seq, "d": data})
        session.buffer.append((session.seq, frame))
        self._log("dispatch", session, {"t": event, "s": session.seq, "d": data})
        ws = session.ws
        if ws is not None and not ws.closed:
            # Closing under us: the event stays buffered for the RESUME.
            with contextlib.suppress(ConnectionResetError):
                await ws.send_str(frame)

    async def dispatch(self, event: str, build: Builder | p.Json, *, required: bool = True) -> int:
        """Send ``event`` to every session (buffered if it is reconnecting); return how many.

        ``required``: a test injecting an event with no client connected is a test bug.
        """
        if not self.sessions and required:
            raise RuntimeError(f"cannot dispatch {event}: no client has identified yet")
        sent = 0
        for session in list(self.sessions.values()):
            data = build(session) if callable(build) else build
            if data is not None:
                await self._dispatch_one(session, event, data)
                sent += 1
        return sent

    async def close_sockets(self, code: int = 4000, message: bytes = b"") -> None:
        """Drop every connection; sessions stay resumable unless forgotten."""
        for ws in list(self.sockets):
            await ws.close(code=code, message=message)

    async def send_op(self, op: int, d: Any = None) -> None:
        """Send a raw opcode (7 RECONNECT, 9 INVALID_SESSION...) to every live session."""
        for session in self.sessions.values():
            if session.ws is not None and not session.ws.closed:
                await self._send(session.ws, {"op": op, "d": d})

    def forget_sessions(self) -> None:
        self.sessions.clear()

    def echo(self, record: SentMessage) -> None:
        """Discord also sends the bot its own non-ephemeral messages, edits and deletions
        (so a bot that answers itself loops here too). Scheduled: handlers are sync."""
        if not self.sessions or record.source == "seed" or record.ephemeral:
            return
        msg, bot_id = record.message, self.state.world.bot.id
        deleted = {k: msg[k] for k in ("id", "channel_id", "guild_id") if k in msg}

        def build(session: Session) -> p.Json | None:
            visible = message_for(session, msg, bot_id)
            return deleted if record.kind == "delete" and visible is not None else visible

        event = {"create": "MESSAGE_CREATE", "edit": "MESSAGE_UPDATE"}.get(
            record.kind, "MESSAGE_DELETE"
        )
        task = asyncio.get_running_loop().create_task(self.dispatch(event, build, required=False))
        self._echo_tasks.add(task)
        task.add_done_callback(self._echo_done)

    def cancel_echoes(self) -> None:
        for task in list(self._echo_tasks):
            task.cancel()

    def _echo_done(self, task: asyncio.Task[int]) -> None:
        self._echo_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            self.state.internal_errors.append(f"echo: {task.exception()!r}")


def message_for(session: Session, msg: p.Json, bot_id: int) -> p.Json | None:
    """What this session receives of a MESSAGE_CREATE, per its intents.

    Without the Message Content intent, guild messages arrive with empty content unless
    they mention the bot or are the bot's own.
    """
    in_guild = "guild_id" in msg
    needed = p.INTENT_GUILD_MESSAGES if in_guild else p.INTENT_DIRECT_MESSAGES
    if not session.intents & needed:
        return None
    if not in_guild or session.intents & p.INTENT_MESSAGE_CONTENT:
        return msg
    mentioned = any(int(u["id"]) == bot_id for u in msg.get("mentions", []))
    if mentioned or int(msg["author"]["id"]) == bot_id:
        return msg
    return {**msg, "content": "", "embeds": [], "attachments": [], "components": []}
