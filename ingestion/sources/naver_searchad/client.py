"""The Naver Search Ad API client: signed requests, JSON and TSV answers, report jobs."""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from dlt.sources.helpers.requests import Client
from requests import PreparedRequest, Response
from requests.auth import AuthBase

from ingestion.sources.errors import SourceApiError, SourceAuthError
from ingestion.sources.http import payload, redact_text, redact_url

SOURCE = "naver_searchad"
log = logging.getLogger("argo.sources.naver_searchad")

#: Statuses of a stat-report job that are final.
FINAL_STATUSES = frozenset({"BUILT", "NONE", "ERROR"})
#: Statuses Naver shows while a job is being built.
RUNNING_STATUSES = frozenset({"REGIST", "RUNNING", "WAITING", "AGGREGATING"})
DOWNLOAD_PATH = "/report-download"
CREDENTIALS_HINT = (
    "check SOURCES__NAVER_SEARCHAD__API_KEY (the access license) and "
    "SOURCES__NAVER_SEARCHAD__SECRET_KEY (Search Ad Center > Tools > API Manager), the "
    "machine's clock (the signature carries a timestamp), and that the license may act for "
    "the customer"
)


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
        timestamp = str(int(time.time() * 1000))
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
        max_attempts: Attempts per request.
        backoff_factor: Exponential backoff multiplier, seconds.
        timeout: Seconds to wait for one answer.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        secret_key: str,
        *,
        max_attempts: int = 8,
        backoff_factor: float = 1.0,
        timeout: float = 120.0,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self._secret_key = secret_key
        self._client = Client(
            request_timeout=timeout,
            raise_for_status=False,
            request_max_attempts=max_attempts,
            request_backoff_factor=backoff_factor,
            request_max_retry_delay=300.0,
            respect_retry_after_header=True,
            retry_condition=self._should_retry,
        )

    @staticmethod
    def _should_retry(response: Response | None, exception: BaseException | None) -> bool:
        if response is None or response.status_code != 200:
            return False
        if urlsplit(response.url).path == DOWNLOAD_PATH:
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
        try:
            response = self._client.session.request(
                method, url, params=params, json=json_body, auth=auth
            )
        except Exception as exc:
            raise SourceApiError(
                SOURCE,
                f"{method} {redact_url(url)} failed after retries: "
                f"{redact_text(type(exc).__name__ + ': ' + str(exc), [self._secret_key])}",
                record=record,
                hint="check the base URL and the network; the run can be repeated safely",
            ) from None
        if response.status_code in (200, 204):
            return response
        raise self._error(response, record)

    def _error(self, response: Response, record: str) -> SourceApiError | SourceAuthError:
        try:
            body = payload(response)
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        code = body.get("code")
        title = str(body.get("title") or body.get("message") or "")
        text = f"HTTP {response.status_code}" + (f" code {code}" if code is not None else "")
        text += f": {title}" if title else ""
        text = redact_text(text, [self._secret_key])
        url = redact_url(response.url)
        if response.status_code in (401, 403) or code in (1006, 1018):
            return SourceAuthError(
                SOURCE, f"{url} was refused: {text}", record=record, hint=CREDENTIALS_HINT
            )
        if response.status_code == 429 or code == 1016:
            return SourceApiError(
                SOURCE,
                f"{url} still rate limited after every retry: {text}",
                record=record,
                hint="Naver limits concurrent calls per license: lower report_workers or run later",
            )
        return SourceApiError(
            SOURCE,
            f"{url} failed: {text}",
            record=record,
            hint="if this persists, check Naver's status page; the run can be repeated safely",
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
    ) -> str:
        """Creates a stat-report job, waits for it, downloads its TSV and deletes the job.

        Args:
            customer_id: The customer.
            report_type: ``AD`` or ``AD_CONVERSION``.
            stat_date: The day, ``YYYYMMDD``.
            poll_interval: Seconds between status polls.
            timeout: Seconds a job may take before the run fails.
            attempts: Jobs tried when Naver ends one in ``ERROR``.

        Returns:
            The TSV text ("" when Naver says there is no data: status ``NONE``).
        """
        record = f"customer {customer_id} {report_type} report for {stat_date}"
        for attempt in range(1, attempts + 1):
            job = self.post(
                customer_id,
                "/stat-reports",
                {"reportTp": report_type, "statDt": stat_date},
                record=record,
            )
            job_id = job.get("reportJobId") if isinstance(job, dict) else None
            if job_id is None:
                raise SourceApiError(
                    SOURCE, f"creating the job answered without reportJobId: {job!r}", record=record
                )
            deadline = time.monotonic() + timeout
            status = str(job.get("status", ""))
            while status not in FINAL_STATUSES:
                if status and status not in RUNNING_STATUSES:
                    raise SourceApiError(
                        SOURCE, f"job {job_id} has an unknown status {status!r}", record=record
                    )
                if time.monotonic() > deadline:
                    raise SourceApiError(
                        SOURCE,
                        f"job {job_id} still {status} after {timeout:.0f} s",
                        record=record,
                        hint="Naver is slow to build reports; raise async_timeout or run later",
                    )
                time.sleep(poll_interval)
                job = self.get(customer_id, f"/stat-reports/{job_id}", record=record)
                status = str(job.get("status", ""))
            try:
                if status == "NONE":
                    return ""
                if status == "BUILT":
                    return self.download(customer_id, str(job["downloadUrl"]), record=record)
            finally:
                self.delete(customer_id, f"/stat-reports/{job_id}", record=record)
            log.warning(
                "naver_searchad: %s: job %s ended in ERROR (try %d)", record, job_id, attempt
            )
        raise SourceApiError(
            SOURCE,
            f"report jobs ended in ERROR {attempts} times",
            record=record,
            hint="Naver could not build this report; run again later (nothing was loaded)",
        )
