"""Interaction callbacks and interaction webhooks (followups, @original edits).

Discord's rules enforced here, because the adapter's correctness depends on them:
* the first response must arrive within 3 s, else 10062 Unknown interaction;
* only one response per interaction (40060), of a type valid for the interaction;
* after a type 5 defer, the first followup replaces the "thinking" message and keeps the
  defer's visibility (an ``ephemeral=True`` followup after a public defer is public);
* webhook tokens expire after 15 minutes.
"""

from __future__ import annotations

from . import payloads as p
from .messages import LOADING, ApiError
from .records import EPHEMERAL, InteractionCallback, RestCall
from .rest import Endpoint, Result
from .state import PendingInteraction, StandInState

IX_PING, IX_COMMAND, IX_COMPONENT, IX_AUTOCOMPLETE, IX_MODAL = 1, 2, 3, 4, 5
ALLOWED_RESPONSES = {
    IX_PING: {1},
    IX_COMMAND: {4, 5, 9},
    IX_COMPONENT: {4, 5, 6, 7, 9},
    IX_AUTOCOMPLETE: {8},
    IX_MODAL: {4, 5, 6, 7},
}
UNKNOWN_INTERACTION = (404, 10062, "Unknown interaction")


def _interaction(st: StandInState, call: RestCall) -> PendingInteraction:
    ix = st.interactions.get(int(call.params["interaction_id"]))
    if ix is None or ix.token != call.params["interaction_token"]:
        raise ApiError(*UNKNOWN_INTERACTION)
    return ix


def callback(st: StandInState, call: RestCall) -> Result:
    """POST /interactions/{id}/{token}/callback; recorded whether accepted or not."""
    body = call.json or {}
    rtype, data = int(body.get("type", 0)), body.get("data") or {}
    ix = st.interactions.get(int(call.params["interaction_id"]))
    elapsed = st.now() - ix.created if ix else 0.0
    record = InteractionCallback(
        int(call.params["interaction_id"]), ix.type if ix else 0, rtype, data, call.files, elapsed
    )
    try:
        ix = _interaction(st, call)
        result = _respond(st, ix, rtype, data, call)
    except ApiError as exc:
        record.status = exc.status
        st.callbacks.append(record)
        raise
    st.callbacks.append(record)
    return result


def _check_acceptable(st: StandInState, ix: PendingInteraction, rtype: int) -> None:
    if st.now() - ix.created > st.ack_deadline:
        raise ApiError(*UNKNOWN_INTERACTION)
    if ix.acked_type is not None:
        raise ApiError(400, 40060, "Interaction has already been acknowledged.")
    if rtype not in ALLOWED_RESPONSES.get(ix.type, set()):
        error = {"code": "INTERACTION_RESPONSE_TYPE_INVALID", "message": "Invalid type"}
        raise ApiError(400, 50035, "Invalid Form Body", {"type": {"_errors": [error]}})


def _respond(
    st: StandInState, ix: PendingInteraction, rtype: int, data: p.Json, call: RestCall
) -> Result:
    """Apply an accepted response: 4 posts, 5 posts a "thinking" placeholder, 7 edits."""
    _check_acceptable(st, ix, rtype)
    ix.acked_type = rtype
    message = None
    app_id = str(st.world.application_id)
    extra = {"webhook_id": app_id, "application_id": app_id}
    if rtype in (4, 5):
        if rtype == 5:  # only the ephemeral bit of a defer matters; LOADING until replaced
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            data, extra, ix.loading = {}, {**extra, "flags": flags}, True
        sent = st.messages.create(
            ix.channel,
            data,
            call.files,
            source="interaction",
            interaction_id=ix.id,
            extra=extra,
            check=rtype == 4,
        )
        ix.original_id, message = sent.message_id, sent.message
    elif rtype in (6, 7):
        ix.original_id = ix.source_message_id
        if rtype == 7 and ix.source_message_id is not None:
            message = st.messages.edit(
                ix.source_message_id, data, call.files, source="interaction", interaction_id=ix.id
            ).message
    if ix.original_id is not None:
        ix.message_ids.add(ix.original_id)
    return 200, _callback_response(ix, rtype, message)


def _callback_response(ix: PendingInteraction, rtype: int, message: p.Json | None) -> p.Json:
    """The ``with_response=1`` body discord.py parses into InteractionCallbackResponse."""
    inner: p.Json = {"id": str(ix.id), "type": ix.type}
    if message is not None:
        inner["response_message_id"] = message["id"]
        inner["response_message_loading"] = bool(int(message.get("flags", 0)) & LOADING)
        inner["response_message_ephemeral"] = bool(int(message.get("flags", 0)) & EPHEMERAL)
    resource: p.Json = {"type": rtype}
    if message is not None and rtype in (4, 7):
        resource["message"] = message
    return {"interaction": inner, "resource": resource}


def _webhook(st: StandInState, call: RestCall) -> PendingInteraction:
    ix = st.by_token.get(call.params["webhook_token"])
    if ix is None or call.params["webhook_id"] != str(st.world.application_id):
        raise ApiError(404, 10015, "Unknown Webhook")
    if st.now() - ix.created > st.token_lifetime:
        raise ApiError(401, 50027, "Invalid Webhook Token")
    if ix.acked_type is None:
        raise ApiError(404, 10015, "Unknown Webhook")
    return ix


def followup(st: StandInState, call: RestCall) -> Result:
    ix = _webhook(st, call)
    body = dict(call.json or {})
    if ix.loading and ix.original_id is not None:
        ix.loading = False
        sent = st.messages.edit(
            ix.original_id, body, call.files, source="followup", interaction_id=ix.id
        )
    else:
        extra = {
            "webhook_id": str(st.world.application_id),
            "application_id": str(st.world.application_id),
        }
        sent = st.messages.create(
            ix.channel, body, call.files, source="followup", interaction_id=ix.id, extra=extra
        )
        ix.message_ids.add(sent.message_id)
    wait = call.query.get("wait", "false").lower() in ("1", "true")
    return (200, sent.message) if wait else (204, None)


def _webhook_message_id(st: StandInState, call: RestCall) -> tuple[PendingInteraction, int]:
    ix = _webhook(st, call)
    raw = call.params.get("message_id", "@original")
    message_id = ix.original_id if raw == "@original" else int(raw)
    if message_id is None or message_id not in ix.message_ids:
        raise ApiError(404, 10008, "Unknown Message")
    if message_id not in st.messages.by_id:
        raise ApiError(404, 10008, "Unknown Message")
    return ix, message_id


def edit_webhook_message(st: StandInState, call: RestCall) -> Result:
    ix, message_id = _webhook_message_id(st, call)
    source = "original" if message_id == ix.original_id else "followup"
    ix.loading = ix.loading and message_id != ix.original_id
    sent = st.messages.edit(
        message_id, call.json or {}, call.files, source=source, interaction_id=ix.id
    )
    return 200, sent.message


def get_webhook_message(st: StandInState, call: RestCall) -> Result:
    _, message_id = _webhook_message_id(st, call)
    return 200, st.messages.by_id[message_id]


def delete_webhook_message(st: StandInState, call: RestCall) -> Result:
    ix, message_id = _webhook_message_id(st, call)
    source = "original" if message_id == ix.original_id else "followup"
    st.messages.delete(message_id, source=source)
    return 204, None


HOOK = "/webhooks/{webhook_id}/{webhook_token}"
INTERACTION_ENDPOINTS = [
    Endpoint(
        "POST",
        "/interactions/{interaction_id}/{interaction_token}/callback",
        callback,
        public=True,
    ),
    Endpoint("POST", HOOK, followup, public=True),
    Endpoint("GET", HOOK + "/messages/@original", get_webhook_message, public=True),
    Endpoint("PATCH", HOOK + "/messages/@original", edit_webhook_message, public=True),
    Endpoint("DELETE", HOOK + "/messages/@original", delete_webhook_message, public=True),
    Endpoint("GET", HOOK + "/messages/{message_id}", get_webhook_message, public=True),
    Endpoint("PATCH", HOOK + "/messages/{message_id}", edit_webhook_message, public=True),
    Endpoint("DELETE", HOOK + "/messages/{message_id}", delete_webhook_message, public=True),
]
