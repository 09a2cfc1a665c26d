"""Uploads in S3-compatible object storage (AWS S3, MinIO, Ceph, R2...), through boto3.

    UPLOAD_STORAGE_URL=s3://BUCKET[/PREFIX][?endpoint_url=URL][&region=REGION][&addressing_style=path]

Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, a
profile, an instance role). A chunk is one object, `PREFIX/<stored name>/<kind>/<seq, 10 digits>`:
the digits make the listing's order the chunks' order, and a chunk written again replaces itself.
"""

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import boto3
from botocore.config import Config

from config import SettingsError

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
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else "", options


class S3Store:
    def __init__(self, url: str):
        self.bucket, self.prefix, options = parse(url)
        self.client = boto3.client(
            "s3",
            endpoint_url=options.get("endpoint_url"),
            region_name=options.get("region"),
            config=Config(s3={"addressing_style": options.get("addressing_style", "auto")}),
        )

    def _folder(self, name: str, kind: str) -> str:
        return f"{self.prefix}{name}/{kind}/"

    def put(self, name: str, kind: str, seq: int, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=f"{self._folder(name, kind)}{seq:010d}", Body=data)

    def _keys(self, name: str, kind: str) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._folder(name, kind)
        )
        for page in pages:  # a thousand keys a page, fetched as they are needed
            for item in page.get("Contents", []):
                yield item["Key"]

    def chunks(self, name: str, kind: str) -> Iterator[bytes]:
        for key in self._keys(name, kind):
            yield self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()

    def delete(self, name: str, kind: str) -> None:
        keys = list(self._keys(name, kind))  # a file's: one a megabyte of MAX_UPLOAD_MB
        for start in range(0, len(keys), 1000):
            batch = [{"Key": key} for key in keys[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
