"""The audit archive file: gzip'd JSON lines, one audit row a line, with a SHA-256 file.

`write_export` writes the rows and returns what it wrote (count, id range, a digest of
the lines); `verify_export` reads the file back — checksum, gzip, JSON, every line — and
raises `ArchiveError` unless it holds exactly those rows. `gigmarket.core.services.audit_archive`
deletes rows only after `verify_export` has passed.

Each line has the model's columns (`created_at` in ISO 8601 with its offset, `changes` as
stored); read an archive with `zcat FILE | jq .` or `gzip.open(FILE, "rt")` line by line.
"""

import dataclasses
import datetime
import gzip
import hashlib
import json
import os
from pathlib import Path

ARCHIVE_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "action",
    "target_type",
    "target_id",
    "target_repr",
    "county_id",
    "city_id",
    "changes",
    "ip_address",
]


class ArchiveError(Exception):
    """The export could not be written or does not hold the rows it should."""


@dataclasses.dataclass
class ExportSummary:
    count: int = 0
    first_id: int | None = None
    last_id: int | None = None
    first_at: str = ""
    last_at: str = ""
    lines_sha256: str = ""


def _line(row):
    plain = {
        name: value.isoformat() if isinstance(value, datetime.datetime) else value
        for name, value in row.items()
        if name in ARCHIVE_FIELDS
    }
    return json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _summarise(summary, row_id, created_at):
    summary.count += 1
    if summary.first_id is None:
        summary.first_id, summary.first_at = row_id, created_at
    summary.last_id, summary.last_at = row_id, created_at


def write_export(rows, path):
    """Write `rows` (dicts with ARCHIVE_FIELDS, in id order) to a new file at `path`.

    The file is created mode 0600 and never overwritten (the audit rows may name people).
    """
    summary = ExportSummary()
    digest = hashlib.sha256()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        for row in rows:
            line = _line(row).encode("utf-8") + b"\n"
            out.write(line)
            digest.update(line)
            created_at = row["created_at"]
            _summarise(summary, row["id"], created_at.isoformat() if created_at else "")
    summary.lines_sha256 = digest.hexdigest()
    return summary


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path_for(path):
    path = Path(path)
    return path.with_name(path.name + ".sha256")


def write_checksum(path):
    """Write `<file>.sha256` in `sha256sum` format (check it with `sha256sum -c`)."""
    checksum = sha256_of(path)
    checksum_path_for(path).write_text(f"{checksum}  {Path(path).name}\n", encoding="utf-8")
    return checksum


def verify_export(path, expected):
    """Raise ArchiveError unless the file at `path` holds exactly the rows of `expected`."""
    path = Path(path)
    try:
        recorded = checksum_path_for(path).read_text(encoding="utf-8").split()[0]
    except (OSError, IndexError) as exc:
        raise ArchiveError(f"校验文件缺失或为空：{checksum_path_for(path).name}") from exc
    if sha256_of(path) != recorded:
        raise ArchiveError(f"导出文件的 SHA-256 与校验文件不符：{path.name}")
    found = ExportSummary()
    digest = hashlib.sha256()
    previous_id = None
    try:
        with gzip.open(path, "rb") as handle:
            for number, line in enumerate(handle, start=1):
                row = json.loads(line)
                if set(row) != set(ARCHIVE_FIELDS) or (previous_id is not None and row["id"] <= previous_id):
                    raise ArchiveError(f"导出文件第 {number} 行内容不完整或顺序错误")
                # Re-encoding must give back the very bytes written: nothing was lost or changed.
                if _line(row).encode("utf-8") + b"\n" != line:
                    raise ArchiveError(f"导出文件第 {number} 行与写入时不同")
                digest.update(line)
                previous_id = row["id"]
                _summarise(found, row["id"], row["created_at"] or "")
    except (OSError, EOFError, ValueError, gzip.BadGzipFile) as exc:
        raise ArchiveError(f"导出文件无法完整读回：{exc}") from exc
    found.lines_sha256 = digest.hexdigest()
    if found != expected:
        raise ArchiveError(f"导出文件有 {found.count} 行，应为 {expected.count} 行，或内容与数据库不符")
    return found
