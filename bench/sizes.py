"""Benchmark sizes and their scaled demo files (written once into the output folder, then reused)."""

from __future__ import annotations

import json
import time
from pathlib import Path

SIZES: dict[str, int] = {"S": 10_000, "M": 1_000_000, "L": 10_000_000}
_MARKER = ".complete.json"


def parse_sizes(text: str) -> list[tuple[str, int]]:
    """`S,M,L` or household counts (`2000`): [(label, households)]."""
    out: list[tuple[str, int]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.upper() in SIZES:
            out.append((part.upper(), SIZES[part.upper()]))
        elif part.isdigit() and int(part) > 0:
            out.append((f"n{int(part)}", int(part)))
        else:
            raise ValueError(f"unknown size {part!r} (S, M, L or a household count)")
    return out


def ensure_files(folder: Path, households: int) -> tuple[list[Path], dict[str, object]]:
    """The scaled files for `households` in `folder`, generated unless a complete set is there."""
    from etl import demo

    marker = folder / _MARKER
    if marker.is_file():
        info = json.loads(marker.read_text())
        paths = [folder / name for name in info["files"]]
        if info.get("households") == households and all(p.is_file() for p in paths):
            return paths, {**info, "reused": True}
    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    started = time.perf_counter()
    paths = demo.write_scaled_files(folder, households)
    seconds = time.perf_counter() - started
    info = {"households": households, "files": [p.name for p in paths], "generate_seconds": round(seconds, 3),
            "bytes": sum(p.stat().st_size for p in paths)}
    marker.write_text(json.dumps(info, ensure_ascii=False))
    return paths, {**info, "reused": False}
