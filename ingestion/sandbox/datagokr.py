"""What every data.go.kr (공공데이터포털) fake shares: the portal's gateway and its answer shape.

The gateway checks the service key and the traffic quota before the service sees a call,
and answers XML ``OpenAPI_ServiceResponse/cmmMsgHeader`` errors (usually with HTTP 200)
whatever was asked for: ``12`` no such service, ``30`` key not registered, ``31`` key
expired (fault ``expire_token``), ``22``/``23`` traffic limits, ``04`` HTTP error. The key
is compared with the query decoded once, so a key encoded twice does not match, as at the
real gateway. A service answers
``{"response": {"header": {"resultCode", "resultMsg"}, "body": {"items", ...}}}`` where
``items`` is ``{"item": [..]}`` for several items, ``{"item": {..}}`` for exactly one and
``""`` for none.
"""

from __future__ import annotations

import threading
from typing import Any

from ingestion.sandbox.faults import Faults
from ingestion.sandbox.http import FakeApi, Reply, Request

XML_TYPE = "text/xml;charset=UTF-8"
#: Gateway codes and their ``returnAuthMsg`` names.
GATEWAY_ERRORS = {
    "04": "HTTP_ERROR",
    "10": "INVALID_REQUEST_PARAMETER_ERROR",
    "12": "NO_OPENAPI_SERVICE_ERROR",
    "22": "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR",
    "23": "LIMITED_NUMBER_OF_SERVICE_REQUESTS_PER_SECOND_EXCEEDS_ERROR",
    "30": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
    "31": "DEADLINE_HAS_EXPIRED_ERROR",
}


def gateway_error(code: str, status: int = 200) -> Reply:
    """The portal gateway's XML error (whatever the call asked for)."""
    body = (
        "<OpenAPI_ServiceResponse>\n\t<cmmMsgHeader>\n\t\t<errMsg>SERVICE ERROR</errMsg>\n"
        f"\t\t<returnAuthMsg>{GATEWAY_ERRORS[code]}</returnAuthMsg>\n"
        f"\t\t<returnReasonCode>{code}</returnReasonCode>\n"
        "\t</cmmMsgHeader>\n</OpenAPI_ServiceResponse>"
    )
    return Reply(status, body.encode(), content_type=XML_TYPE)


class DataGoKrFake(FakeApi):
    """A data.go.kr service behind the portal's gateway (subclasses answer one operation).

    Args:
        faults: Fault switches (see :class:`~ingestion.sandbox.faults.Faults`).
        service_key: The valid key in decoded form.
        gateway_status: HTTP status of gateway errors (data.go.kr: usually 200).
    """

    #: The operation's path (``<prefix>/<operation>``).
    path = ""

    def __init__(self, faults: Faults | None, service_key: str, gateway_status: int) -> None:
        super().__init__(faults, secret_params=("serviceKey", "ServiceKey"))
        self.service_key = service_key
        self.gateway_status = gateway_status
        #: Fields overridden in the first item of every page (a malformed answer).
        self.bad_item: dict[str, Any] | None = None
        #: Pages served by shape of ``items``: ``list``, ``object`` (one item), ``empty``.
        self.shapes: dict[str, int] = {"list": 0, "object": 0, "empty": 0}
        self._lock = threading.Lock()

    def refused(self, request: Request) -> Reply | None:
        """The gateway's error for a call it does not pass on (``None``: it passes it on)."""
        if request.method != "GET" or request.path != self.path:
            return gateway_error("12", self.gateway_status)
        key = request.query.get("serviceKey", request.query.get("ServiceKey"))
        if key != self.service_key:
            return gateway_error("30", self.gateway_status)
        if self.faults.token_expired:
            return gateway_error("31", self.gateway_status)
        return None

    def page_of(self, everything: list[dict[str, Any]], rows: int, page: int) -> list[Any]:
        """Page ``page`` of ``everything`` (``rows`` a page), with :attr:`bad_item` applied."""
        items = [dict(i) for i in everything[(page - 1) * rows : page * rows]]
        if items and self.bad_item:
            items[0].update(self.bad_item)
        with self._lock:
            self.shapes["empty" if not items else "object" if len(items) == 1 else "list"] += 1
        return items

    @staticmethod
    def answer(message: str, **body: Any) -> Reply:
        """The service's JSON answer of one page: ``body`` in order, its ``items`` shaped."""

        def shaped(items: list[dict[str, Any]]) -> Any:
            return "" if not items else {"item": items[0] if len(items) == 1 else items}

        fields = {k: shaped(v) if k == "items" else v for k, v in body.items()}
        return Reply(
            200,
            {"response": {"header": {"resultCode": "00", "resultMsg": message}, "body": fields}},
        )

    def platform_rate_limit(self, request: Request, code: int) -> Reply:
        """The gateway's traffic errors: 22 (daily quota, the default) or 23 (per second)."""
        return gateway_error("23" if code == 23 else "22", self.gateway_status)

    def throttled(self, request: Request, retry_after: int) -> Reply:
        """HTTP 429 with ``Retry-After`` and the gateway's per-second error body."""
        reply = gateway_error("23", 429)
        reply.headers["Retry-After"] = str(retry_after)
        return reply

    def server_error(self, request: Request, status: int) -> Reply:
        """A 5xx with the gateway's HTTP_ERROR body."""
        return gateway_error("04", status)
