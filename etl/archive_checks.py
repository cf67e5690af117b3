"""Containers checked before a parser sees their contents: an xlsx (a zip) is refused when it is not a
zip, when it would inflate past MAX_UNCOMPRESSED or at a bomb's ratio, or when a member fails its CRC;
a `.csv.gz` is opened as the text it holds, and its damage (GZIP_ERRORS) is told apart."""

from __future__ import annotations

import gzip
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from etl import file_types
from etl.raw_file import ReadError, mb_text

# What a damaged, cut off or not-gzip `.gz` raises while it is read.
GZIP_ERRORS = (gzip.BadGzipFile, EOFError, zlib.error)
MAX_UNCOMPRESSED = 1 << 30  # xlsx: total uncompressed size
MAX_RATIO = 200  # xlsx: compression ratio of one member (zip bomb)
RATIO_MIN_BYTES = 16 << 20  # small members cannot hurt, whatever their ratio
# A text export compressed with gzip (`.csv.gz`): a national registry is ~50 GB as text, ~10 GB so.
GZIP_SUFFIX = file_types.GZIP_SUFFIX
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_zip(path: Path) -> None:
    """Reject what is not a zip, and zip bombs, before the xlsx parser sees the file."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise ReadError("corrupt_xlsx", path, reason=f"解压后 {mb_text(total)}，超过上限")
            for info in infos:
                if info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ReadError("corrupt_xlsx", path, reason=f"压缩比异常（{info.filename}）")
            # Checks every CRC; zipfile never inflates past the declared size, so a lying
            # directory fails here instead of exhausting memory in the parser.
            bad = zf.testzip()
            if bad is not None:
                raise ReadError("corrupt_xlsx", path, reason=f"校验失败（{bad}）")
    except ReadError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
        raise ReadError("corrupt_xlsx", path, reason=type(exc).__name__) from None


def open_bytes(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is a .gz (DuckDB's read_csv decompresses by suffix too)."""
    if path.suffix.lower() == GZIP_SUFFIX:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")  # noqa: SIM115 - the caller's `with` closes it
