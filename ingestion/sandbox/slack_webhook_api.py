"""A fake of Slack's incoming webhooks on 127.0.0.1: where the digest is posted in tests.

``with SlackWebhookFake() as slack: url = slack.hook()`` gives a webhook URL shaped like
Slack's (``/services/T.../B.../<secret>``). A POST of a message answers as Slack does:

========================================  =====  ==========================================
what was posted                           HTTP   body (text/plain)
========================================  =====  ==========================================
a valid message                           200    ``ok``
a body that is not a JSON object          400    ``invalid_payload``
  (``application/json``, or form field
  ``payload``), or another content type
neither ``text`` nor ``blocks``           400    ``no_text``
blocks outside Block Kit's shape/limits   400    ``invalid_blocks``
a revoked webhook (``revoke``)            403    ``invalid_token``
a workspace restriction (``prohibit``)    403    ``action_prohibited``
a URL that is no webhook / ``remove``     404    ``no_service``
a deleted channel (``delete_channel``)    404    ``channel_not_found``
an archived channel (``archive``)         410    ``channel_is_archived``
``faults.throttle_next``, or faster than  429    ``rate_limited`` with ``Retry-After``
  ``min_interval`` seconds apart
``faults.fail_next``                      5xx    ``rollup_error``
========================================  =====  ==========================================

The Block Kit check is as strict as Slack's for the blocks a digest uses: at most 50
blocks; ``block_id`` at most 255 characters and unique; ``header`` with a ``plain_text``
of 1-150 characters; ``section`` with ``text`` (1-3,000) and/or ``fields`` (1-10, each
1-2,000); ``context`` with 1-10 text or image elements; ``divider`` with nothing else;
text objects ``plain_text`` (``emoji``) or ``mrkdwn`` (``verbatim``) with no other key.
Other block types Slack knows are accepted as they are. Every accepted message is kept
in :attr:`SlackWebhookFake.received`; every attempt in :attr:`SlackWebhookFake.posts`.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from ingestion import clock
from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request

MAX_BLOCKS = 50
HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
FIELDS_MAX = 10
CONTEXT_ELEMENTS_MAX = 10
BLOCK_ID_MAX = 255
#: Block types Slack knows; the ones a digest uses are checked in full.
KNOWN_BLOCKS = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "markdown",
        "rich_text",
        "section",
        "video",
    }
)
#: A webhook's state -> Slack's answer to a post.
STATES = {
    "ok": (200, "ok"),
    "revoked": (403, "invalid_token"),
    "prohibited": (403, "action_prohibited"),
    "removed": (404, "no_service"),
    "channel_deleted": (404, "channel_not_found"),
    "archived": (410, "channel_is_archived"),
}


class BlockError(ValueError):
    """A message's blocks are not what Slack takes."""


@dataclass
class Post:
    """One POST the fake answered."""

    hook: str
    status: int
    answer: str
    payload: dict[str, Any] | None


def _text_object(value: Any, where: str, limit: int, kinds: tuple[str, ...]) -> None:
    if not isinstance(value, dict):
        raise BlockError(f"{where} is not a text object")
    kind = value.get("type")
    if kind not in kinds:
        raise BlockError(f"{where}.type {kind!r} is not one of {kinds}")
    allowed = {"type", "text", "emoji"} if kind == "plain_text" else {"type", "text", "verbatim"}
    if set(value) - allowed:
        raise BlockError(f"{where} has unknown keys {sorted(set(value) - allowed)}")
    text = value.get("text")
    if not isinstance(text, str) or not text:
        raise BlockError(f"{where}.text must be a non-empty string")
    if len(text) > limit:
        raise BlockError(f"{where}.text is {len(text)} characters, more than {limit}")


def check_blocks(blocks: Any) -> None:
    """Raises :class:`BlockError` unless ``blocks`` is a list Slack would take."""
    if not isinstance(blocks, list):
        raise BlockError("blocks is not a list")
    if len(blocks) > MAX_BLOCKS:
        raise BlockError(f"{len(blocks)} blocks, more than {MAX_BLOCKS}")
    seen: set[str] = set()
    for number, block in enumerate(blocks):
        where = f"blocks[{number}]"
        if not isinstance(block, dict) or block.get("type") not in KNOWN_BLOCKS:
            raise BlockError(f"{where} has no known type")
        block_id = block.get("block_id")
        if block_id is not None:
            if not isinstance(block_id, str) or not block_id or len(block_id) > BLOCK_ID_MAX:
                raise BlockError(f"{where}.block_id must be 1-{BLOCK_ID_MAX} characters")
            if block_id in seen:
                raise BlockError(f"{where}.block_id {block_id!r} is not unique")
            seen.add(block_id)
        kind = block["type"]
        keys = set(block) - {"type", "block_id"}
        if kind == "header":
            if keys != {"text"}:
                raise BlockError(f"{where}: a header takes text only")
            _text_object(block["text"], f"{where}.text", HEADER_MAX, ("plain_text",))
        elif kind == "divider":
            if keys:
                raise BlockError(f"{where}: a divider takes no {sorted(keys)}")
        elif kind == "section":
            if keys - {"text", "fields", "accessory", "expand"}:
                raise BlockError(f"{where} has unknown keys")
            if "text" not in block and "fields" not in block:
                raise BlockError(f"{where}: a section needs text or fields")
            if "text" in block:
                kinds = ("plain_text", "mrkdwn")
                _text_object(block["text"], f"{where}.text", SECTION_TEXT_MAX, kinds)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not 1 <= len(fields) <= FIELDS_MAX:
                    raise BlockError(f"{where}.fields must hold 1-{FIELDS_MAX} text objects")
                for index, item in enumerate(fields):
                    _text_object(
                        item, f"{where}.fields[{index}]", FIELD_TEXT_MAX, ("plain_text", "mrkdwn")
                    )
        elif kind == "context":
            if keys != {"elements"}:
                raise BlockError(f"{where}: a context takes elements only")
            elements = block["elements"]
            if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS_MAX:
                raise BlockError(f"{where}.elements must hold 1-{CONTEXT_ELEMENTS_MAX} elements")
            for index, element in enumerate(elements):
                if isinstance(element, dict) and element.get("type") == "image":
                    if not element.get("alt_text"):
                        raise BlockError(f"{where}.elements[{index}] needs alt_text")
                    continue
                _text_object(
                    element,
                    f"{where}.elements[{index}]",
                    SECTION_TEXT_MAX,
                    ("plain_text", "mrkdwn"),
                )


class SlackWebhookFake(FakeApi):
    """Slack's incoming webhooks, faithful in answers and in the Block Kit check.

    Args:
        world: Unused (the registry's signature); a webhook serves no ad data.
        faults: Fault switches (``fail_next``: ``rollup_error``; ``throttle_next``: 429).
        min_interval: Seconds a webhook wants between two messages (Slack: about one per
            second); a faster post answers 429 with ``Retry-After``. ``None``: no limit.
    """

    def __init__(
        self, world: Any = None, faults: Faults | None = None, min_interval: float | None = None
    ) -> None:
        super().__init__(faults)
        self.min_interval = min_interval
        self._hooks: dict[str, str] = {}
        self._last_post: dict[str, float] = {}
        self._guard = threading.Lock()
        #: Accepted messages: (webhook path, payload), in order.
        self.received: list[tuple[str, dict[str, Any]]] = []
        #: Every POST and its answer.
        self.posts: list[Post] = []

    def hook(self, name: str = "digest") -> str:
        """Creates a working webhook and returns its URL (the fake must be started)."""
        secret = hashlib.sha256(f"argo-slack-{name}".encode()).hexdigest()[:24]
        team = "T0ARGO" + hashlib.sha256(name.encode()).hexdigest()[:4].upper()
        path = f"/services/{team}/B0{len(self._hooks) + 1:07d}/{secret}"
        self._hooks[path] = "ok"
        return self.root_url + path

    def set_state(self, url: str, state: str) -> None:
        """Puts a webhook in ``state``: one of :data:`STATES` (``revoked``, ``archived``...)."""
        if state not in STATES:
            raise ValueError(f"unknown webhook state {state!r}; one of {sorted(STATES)}")
        self._hooks[url.removeprefix(self.root_url)] = state

    def messages(self, url: str | None = None) -> list[dict[str, Any]]:
        """The messages accepted (by one webhook, if ``url`` is given)."""
        path = url.removeprefix(self.root_url) if url else None
        return [payload for hook, payload in self.received if path in (None, hook)]

    def server_error(self, request: Request, status: int) -> Reply:
        """Slack's answer to an internal error: ``rollup_error`` as text."""
        return self._record(request, status, "rollup_error", None)

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After``."""
        reply = self._record(request, 429, "rate_limited", None)
        reply.headers["Retry-After"] = str(retry_after)
        return reply

    def _record(
        self, request: Request, status: int, answer: str, payload: dict[str, Any] | None
    ) -> Reply:
        with self._guard:
            self.posts.append(Post(request.path, status, answer, payload))
            if status == 200 and payload is not None:
                self.received.append((request.path, payload))
        return Reply(status, answer.encode(), content_type="text/plain; charset=utf-8")

    def handle(self, request: Request) -> Reply:
        """Answers a post to a webhook as Slack does (the table of the module's docstring)."""
        state = self._hooks.get(request.path)
        if request.method != "POST":
            return self._record(request, 405, "invalid_method", None)
        if state is None:
            return self._record(request, 404, "no_service", None)
        if state != "ok":
            status, answer = STATES[state]
            return self._record(request, status, answer, None)
        payload = self._payload(request)
        if payload is None:
            return self._record(request, 400, "invalid_payload", None)
        text, blocks = payload.get("text"), payload.get("blocks")
        has_text = isinstance(text, str) and text.strip() != ""
        if not has_text and not blocks and not payload.get("attachments"):
            return self._record(request, 400, "no_text", payload)
        if blocks is not None:
            try:
                check_blocks(blocks)
            except BlockError:
                return self._record(request, 400, "invalid_blocks", payload)
        if self.min_interval is not None:
            now = clock.monotonic()
            with self._guard:
                last = self._last_post.get(request.path)
                if last is not None and now - last < self.min_interval:
                    reply = Reply(429, b"rate_limited", {"Retry-After": "1"}, "text/plain")
                    self.posts.append(Post(request.path, 429, "rate_limited", payload))
                    return reply
                self._last_post[request.path] = now
        return self._record(request, 200, "ok", payload)

    @staticmethod
    def _payload(request: Request) -> dict[str, Any] | None:
        """The message: a JSON body, or the form field ``payload`` (Slack takes both)."""
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if kind == "application/json":
                loaded = json.loads(request.body.decode("utf-8"))
            elif kind == "application/x-www-form-urlencoded":
                fields = parse_qs(request.body.decode("utf-8"))
                loaded = json.loads(fields["payload"][0])
            else:
                return None
        except (ValueError, KeyError, UnicodeDecodeError):
            return None
        return loaded if isinstance(loaded, dict) else None
