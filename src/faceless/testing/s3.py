"""A local S3 for tests: moto's server mode (it speaks the S3 REST protocol) on 127.0.0.1.

Needs the `dev` extra (`moto[server]`). The AWS credentials it sets are dummies that moto accepts.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def moto_s3() -> Iterator[str]:
    """Run a moto S3 server; yields its endpoint URL. Sets dummy AWS credentials for its lifetime."""
    import os

    from moto.server import ThreadedMotoServer

    saved = {k: os.environ.get(k) for k in (*FAKE_AWS_ENV, "AWS_PROFILE")}
    os.environ.update(FAKE_AWS_ENV)
    os.environ.pop("AWS_PROFILE", None)  # a developer's profile must not point the tests at real AWS
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def bucket(endpoint_url: str, name: str) -> Any:
    """Create bucket `name` on the server; returns a boto3 S3 client for looking into it."""
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint_url, region_name="us-east-1")
    s3.create_bucket(Bucket=name)
    return s3


def keys(s3: Any, bucket_name: str, prefix: str = "") -> list[str]:
    """Every object key in the bucket under `prefix`."""
    out: list[str] = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket_name, Prefix=prefix):
        out += [o["Key"] for o in page.get("Contents", [])]
    return out
