"""Moto in server mode on 127.0.0.1, started and stopped by the tests themselves.

Boto3, dlt's filesystem destination (s3fs) and dbt-athena all reach it through
``AWS_ENDPOINT_URL``; the credentials are moto's dummies, so nothing can reach AWS.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
import requests
from moto.server import ThreadedMotoServer

REGION = "ap-northeast-2"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server for the session (each test resets it: see ``aws``)."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def aws(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty moto account in ``REGION``, with ARGO's AWS settings in the environment."""
    requests.post(f"{moto_endpoint}/moto-api/reset", timeout=10).raise_for_status()
    for name, value in {
        "AWS_ENDPOINT_URL": moto_endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "ARGO_S3_LAKE_BUCKET": "acme-argo-lake",
        "ARGO_S3_RESULTS_BUCKET": "acme-argo-results",
        "ARGO_ATHENA_WORKGROUP": "argo",
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    yield moto_endpoint
