"""The Naver Search Ad API client: signed requests, JSON and TSV answers, report jobs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from requests import PreparedRequest, Response
from requests.auth import AuthBase

from ingestion import clock
from ingestion.sources.errors import SourceApiError, SourceAuthError, SourceError
from ingestion.sources.http import RETRY, HttpApi, Retry, payload, redact_url

SOURCE = "naver_searchad"
log = logging.getLogger("argo.sources.naver_searchad")

#: Statuses of a stat-report job that are final (CHANGED: restated since it was built).
FINAL_STATUSES = frozenset({"BUILT", "NONE", "ERROR", "CHANGED"})
#: Statuses Naver shows while a job is being built.
RUNNING_STATUSES = frozenset({"REGIST", "RUNNING", "WAITING", "AGGREGATING"})
DOWNLOAD_PATH = "/report-download"
#: Naver's code for "too many connections" (retried like HTTP 429).
TOO_MANY_CONNECTIONS = 1016
#: Naver's code for "no permission to access the resource" (HTTP 404).
NO_PERMISSION = 1018
#: The stat-report service's code for "the day's numbers are still being prepared".
NOT_READY = 20007
CREDENTIALS_HINT = (
    "check SOURCES__NAVER_SEARCHAD__API_KEY (the access license) and "
    "SOURCES__NAVER_SEARCHAD__SECRET_KEY (Search Ad Center > Tools > API Manager; Naver "
    "renews secret keys, so copy the current one)"
)
#: What to check for each problem type of the gateway's HTTP 403 answer.
PROBLEM_HINTS = {
    "invalid-apikey": "the access license is wrong or revoked: " + CREDENTIALS_HINT,
    "invalid-signature": "the secret key does not match the license: " + CREDENTIALS_HINT,
    "invalid-timestamp": "the machine's clock is off (the signature carries a timestamp): "
    "synchronise it with NTP and run again",
    "auth-failed": "the license may not act for this customer: link the customer to the "
    "license's manager account in Search Ad Center, or remove it from "
    "SOURCES__NAVER_SEARCHAD__CUSTOMER_IDS",
}


class ReportNotReady(Exception):
    """Naver is still aggregating the day (code 20007): try it on a later run."""


def sign(secret_key: str, timestamp: str, method: str, path: str) -> str:
    """``X-Signature``: base64(HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path}"))."""
    message = f"{timestamp}.{method.upper()}.{path}".encode()
    return base64.b64encode(
        hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    ).decode()


class NaverSignature(AuthBase):
    """Signs one request for one customer (a fresh timestamp on every attempt).

    Args:
        api_key: The access license.
        secret_key: Its secret key.
        customer_id: The customer (advertiser account) the request acts for.
    """

    def __init__(self, api_key: str, secret_key: str, customer_id: str) -> None:
        self.api_key = api_key
        self.secret_key = secret_key
        self.customer_id = customer_id

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        """Adds the four signed headers; the path is signed without its query string."""
        timestamp = str(int(clock.now().timestamp() * 1000))
        path = urlsplit(str(request.url)).path or "/"
        request.headers["X-Timestamp"] = timestamp
        request.headers["X-API-KEY"] = self.api_key
        request.headers["X-Customer"] = self.customer_id
        request.headers["X-Signature"] = sign(self.secret_key, timestamp, str(request.method), path)
        return request


class NaverClient:
    """Signed JSON and TSV requests through dlt's retrying client.

    Retries (with exponential backoff, honouring ``Retry-After``): connection errors,
    timeouts, HTTP 429 (Naver's code 1016 "too many connections" and 429) and 5xx, a JSON
    body that does not parse, and a report download that does not end with a full line
    (a truncated file).

    Args:
        base_url: API root, e.g. ``https://api.searchad.naver.com``.
        api_key: Access license.
        secret_key: Secret key (never logged).
        retry: How a request is retried.
    """

    def __init__(
        self, base_url: str, api_key: str, secret_key: str, *, retry: Retry = RETRY
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._secret_key = secret_key
        self._api = HttpApi(
            SOURCE,
            retry_condition=self._should_retry,
            retry=retry,
            secrets=[secret_key, api_key],
        )

    @staticmethod
    def _should_retry(response: Response | None, exception: BaseException | None) -> bool:
        if response is None:
            return False
        if response.status_code != 200:
            try:
                body = payload(response)
            except ValueError:
                return False
            return isinstance(body, dict) and body.get("code") == TOO_MANY_CONNECTIONS
        if urlsplit(response.url).path == DOWNLOAD_PATH:
            # Every line of a report ends with a newline: a body that does not was cut off.
            return bool(response.content) and not response.content.endswith(b"\n")
        try:
            payload(response)
        except ValueError:
            return True
        return False

    def _send(
        self,
        customer_id: str,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        record: str,
    ) -> Response:
        auth = NaverSignature(self._api_key, self._secret_key, customer_id)
        response = self._api.send(
            method, url, params=params, json=json_body, auth=auth, record=record
        )
        if response.status_code in (200, 204):
            return response
        raise self._error(response, record)

    def _error(self, response: Response, record: str) -> Exception:
        """Naver's three error shapes to a :class:`SourceError` (or :class:`ReportNotReady`).

        The gateway answers ``{"status", "type": "urn:naver:api:problem:...", "title",
        "detail"}``; the API ``{"code", "status", "title"}``; the stat-report service
        ``{"code", "message"}``.
        """
        try:
            body = payload(response)
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = body.get("code")
        problem = str(body.get("type") or "").rsplit(":", 1)[-1]
        title = str(body.get("title") or body.get("message") or "")
        text = f"HTTP {response.status_code}"
        text += f" code {code}" if code is not None else ""
        text += f" {problem}" if problem else ""
        text += f": {title}" if title else ""
        text = self._api.redact(text)
        url = redact_url(response.url)
        if code == NOT_READY:
            return ReportNotReady(text)
        if response.status_code == 403 or problem in PROBLEM_HINTS:
            return SourceAuthError(
                SOURCE,
                f"{url} was refused: {text}",
                record=record,
                hint=PROBLEM_HINTS.get(problem, CREDENTIALS_HINT),
            )
        if code == NO_PERMISSION:
            return SourceAuthError(
                SOURCE,
                f"{url} was refused: {text}",
                record=record,
                hint="the customer does not own this id (deleted, or another customer's), or "
                "the license has no permission for it; check SOURCES__NAVER_SEARCHAD__CUSTOMER_IDS",
            )
        if response.status_code == 429 or code == TOO_MANY_CONNECTIONS:
            return SourceApiError(
                SOURCE,
                f"{url} still rate limited after every retry: {text}",
                record=record,
                hint="Naver limits calls per customer: lower report_workers or run later",
            )
        return SourceApiError(
            SOURCE,
            f"{url} failed: {text}",
            record=record,
            hint="if this persists, check Naver's notices; the run can be repeated safely",
        )

    def get(
        self, customer_id: str, path: str, params: Mapping[str, Any] | None = None, *, record: str
    ) -> Any:
        """``GET`` a JSON resource for one customer."""
        response = self._send(
            customer_id, "GET", self.base_url + path, params=params, record=record
        )
        return payload(response)

    def post(self, customer_id: str, path: str, body: Any, *, record: str) -> Any:
        """``POST`` JSON for one customer and return the JSON answer."""
        response = self._send(
            customer_id, "POST", self.base_url + path, json_body=body, record=record
        )
        return payload(response)

    def delete(self, customer_id: str, path: str, *, record: str) -> None:
        """``DELETE`` a resource (a finished report job)."""
        self._send(customer_id, "DELETE", self.base_url + path, record=record)

    def download(self, customer_id: str, url: str, *, record: str) -> str:
        """A report file from its ``downloadUrl`` (signed over ``/report-download``)."""
        response = self._send(customer_id, "GET", url, record=record)
        return response.content.decode("utf-8")

    def run_report(
        self,
        customer_id: str,
        report_type: str,
        stat_date: str,
        *,
        poll_interval: float,
        timeout: float,
        attempts: int = 3,
    ) -> str | None:
        """Creates a stat-report job, waits for it, downloads its TSV and deletes the job.

        A job that ends in ``ERROR`` (or ``CHANGED``: the day was restated while it was
        built) is replaced by a new one, up to ``attempts`` jobs.

        Args:
            customer_id: The customer.
            report_type: ``AD`` or ``AD_CONVERSION``.
            stat_date: The day, ``YYYYMMDD``.
            poll_interval: Seconds between status polls.
            timeout: Seconds a job may take before the run fails.
            attempts: Jobs tried when Naver ends one in ``ERROR`` or ``CHANGED``.

        Returns:
            The TSV text ("" when Naver says there is no data: status ``NONE``), or
            ``None`` when Naver is still aggregating the day (code 20007).

        Raises:
            SourceApiError: Every job ended in ``ERROR``, a job outran ``timeout``, or an
                answer was unusable.
            SourceAuthError: Naver refused the credentials or the customer.
        """
        record = f"customer {customer_id} {report_type} report for {stat_date}"
        statuses: list[str] = []
        for attempt in range(1, attempts + 1):
            try:
                job = self.post(
                    customer_id,
                    "/stat-reports",
                    {"reportTp": report_type, "statDt": stat_date},
                    record=record,
                )
            except ReportNotReady as exc:
                log.info("naver_searchad: %s: not aggregated yet (%s)", record, exc)
                return None
            job_id = job.get("reportJobId") if isinstance(job, dict) else None
            if job_id is None:
                raise SourceApiError(
                    SOURCE, f"creating the job answered without reportJobId: {job!r}", record=record
                )
            status = self._wait(customer_id, job, poll_interval, timeout, record)
            statuses.append(status)
            try:
                if status == "NONE":
                    return ""
                if status == "BUILT":
                    return self.download(customer_id, job_url(job, record), record=record)
            finally:
                self._forget(customer_id, job_id, record)
            log.warning(
                "naver_searchad: %s: job %s ended %s (try %d of %d)",
                record,
                job_id,
                status,
                attempt,
                attempts,
            )
        raise SourceApiError(
            SOURCE,
            f"{attempts} report jobs did not build (statuses: {', '.join(statuses)})",
            record=record,
            hint="Naver could not build this report; run again later (nothing was loaded)",
        )

    def _wait(
        self, customer_id: str, job: dict[str, Any], interval: float, timeout: float, record: str
    ) -> str:
        """Polls a job until its status is final; returns the status (``job`` is updated)."""
        job_id = job["reportJobId"]
        deadline = clock.monotonic() + timeout
        status = str(job.get("status", ""))
        while status not in FINAL_STATUSES:
            if status and status not in RUNNING_STATUSES:
                raise SourceApiError(
                    SOURCE, f"job {job_id} has an unknown status {status!r}", record=record
                )
            if clock.monotonic() > deadline:
                raise SourceApiError(
                    SOURCE,
                    f"job {job_id} still {status} after {timeout:.0f} s",
                    record=record,
                    hint="Naver is slow to build reports; raise async_timeout or run later",
                )
            clock.sleep(interval)
            answer = self.get(customer_id, f"/stat-reports/{job_id}", record=record)
            job.update(answer if isinstance(answer, dict) else {})
            status = str(job.get("status", ""))
        return status

    def _forget(self, customer_id: str, job_id: Any, record: str) -> None:
        """Deletes a finished job (Naver keeps 100 per customer); a failure only warns."""
        try:
            self.delete(customer_id, f"/stat-reports/{job_id}", record=record)
        except SourceError as exc:
            log.warning("naver_searchad: could not delete job %s: %s", job_id, exc)


def job_url(job: dict[str, Any], record: str) -> str:
    """The ``downloadUrl`` of a built job."""
    url = job.get("downloadUrl")
    if not url:
        raise SourceApiError(SOURCE, "a BUILT job has no downloadUrl", record=record)
    return str(url)
