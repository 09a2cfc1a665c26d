"""Uploads in S3-compatible object storage (AWS S3, MinIO, Ceph, R2...), through boto3.

    UPLOAD_STORAGE_URL=s3://BUCKET[/PREFIX][?endpoint_url=URL][&region=REGION][&addressing_style=path]

Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a
profile, an instance role). A chunk is one object, `PREFIX/<stored name>/<kind>/<seq, 10 digits>`:
the digits make the listing's order the chunks' order, and a chunk written again replaces itself.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from config import SettingsError

from .storage import StorageUnavailable

log = logging.getLogger(__name__)

OPTIONS = ("endpoint_url", "region", "addressing_style")


def parse(url: str) -> tuple[str, str, dict[str, str]]:
    """(bucket, key prefix, options) of an s3:// URL; raises SettingsError saying what is wrong."""
    form = "s3://BUCKET[/PREFIX][?endpoint_url=URL&region=REGION&addressing_style=path|virtual]"
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise SettingsError(f"UPLOAD_STORAGE_URL must look like {form} (got {url!r}).")
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        raise SettingsError(f"UPLOAD_STORAGE_URL: unknown option {', '.join(unknown)}; the form is {form}.")
    if options.get("addressing_style", "auto") not in ("auto", "path", "virtual"):
        raise SettingsError("UPLOAD_STORAGE_URL: addressing_style is auto, path or virtual.")
    if options.get("endpoint_url", "https://").partition("://")[0].lower() not in ("http", "https"):
        raise SettingsError("UPLOAD_STORAGE_URL: endpoint_url must be an http:// or https:// URL.")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else "", options


@contextmanager
def _answering(what: str) -> Iterator[None]:
    """boto3's errors (no answer, no such bucket, credentials refused) as StorageUnavailable; the
    detail is for the operator's log, not the person uploading."""
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        log.warning("Upload storage failed to %s: %s", what, exc)
        raise StorageUnavailable(f"the upload storage failed to {what}") from exc


class S3Store:
    def __init__(self, url: str):
        self.bucket, self.prefix, options = parse(url)
        try:
            self.client = self._client(options)
        except (ValueError, BotoCoreError) as exc:  # what boto3 can't use: an endpoint, a region
            raise SettingsError(f"UPLOAD_STORAGE_URL: {exc}") from None

    @staticmethod
    def _client(options: dict[str, str]):
        return boto3.client(
            "s3",
            endpoint_url=options.get("endpoint_url"),
            region_name=options.get("region"),
            # boto3's defaults (60 s timeouts, 3 tries) wait three minutes on a server that takes the
            # connection and never answers; these give up in about 10 s, well before gunicorn's 30 s
            # timeout kills the web process mid-upload. The import job is tried again by RQ.
            config=Config(
                s3={"addressing_style": options.get("addressing_style", "auto")},
                connect_timeout=5,
                read_timeout=5,
                retries={"mode": "standard", "total_max_attempts": 2},
            ),
        )

    def _folder(self, name: str, kind: str) -> str:
        return f"{self.prefix}{name}/{kind}/"

    def put(self, name: str, kind: str, seq: int, data: bytes) -> None:
        with _answering("store a chunk"):
            self.client.put_object(Bucket=self.bucket, Key=f"{self._folder(name, kind)}{seq:010d}", Body=data)

    def _keys(self, name: str, kind: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._folder(name, kind)
        )
        for page in pages:  # a thousand keys a page, fetched as they are needed
            for item in page.get("Contents", []):
                yield item["Key"]

    def chunks(self, name: str, kind: str) -> Iterator[bytes]:
        with _answering("read a chunk"):
            for key in self._keys(name, kind):
                yield self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, name: str, kind: str) -> None:
        with _answering("delete a file"):
            keys = list(self._keys(name, kind))  # a file's: one a megabyte of MAX_UPLOAD_MB
            for start in range(0, len(keys), 1000):
                batch = [{"Key": key} for key in keys[start : start + 1000]]
                self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
