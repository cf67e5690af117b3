"""Benchmark sizes and their scaled demo files (written once into the output folder, then reused)."""

from __future__ import annotations

import json
import time
from pathlib import Path

# N: national scale. The 2020 registry held ~29M households and ~99M people; at the demo's 3.0 people
# per household, 99M people take 33M households.
# D: the demo county itself (etl.demo.write_demo_files, 630 households), the size the issue's
# browser figures and the session targets are stated at.
SIZES: dict[str, int] = {"D": 630, "S": 10_000, "M": 1_000_000, "L": 10_000_000, "N": 33_000_000}
DEMO = "D"
_MARKER = ".complete.json"


def parse_sizes(text: str) -> list[tuple[str, int]]:
    """`S,M,L,N` or household counts (`2000`): [(label, households)]."""
    out: list[tuple[str, int]] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.upper() in SIZES:
            out.append((part.upper(), SIZES[part.upper()]))
        elif part.isdigit() and int(part) > 0:
            out.append((f"n{int(part)}", int(part)))
        else:
            raise ValueError(f"unknown size {part!r} (S, M, L, N or a household count)")
    return out


def ensure_files(folder: Path, households: int, compress: bool = False,
                 demo_county: bool = False) -> tuple[list[Path], dict[str, object]]:
    """The scaled files for `households` in `folder` (`.csv.gz` when `compress`; the demo county's own
    files when `demo_county`), generated unless a complete set is there."""
    from etl import demo, scaled_demo

    marker = folder / _MARKER
    if marker.is_file():
        info = json.loads(marker.read_text())
        paths = [folder / name for name in info["files"]]
        if (info.get("households") == households and bool(info.get("compressed")) == compress
                and all(p.is_file() for p in paths)):
            return paths, {**info, "reused": True}
    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    for old in folder.glob("scaled_*"):  # the other form's files: the disk holds one set
        old.unlink()
    started = time.perf_counter()
    paths = (demo.write_demo_files(folder) if demo_county
             else scaled_demo.write_scaled_files(folder, households, compress=compress))
    seconds = time.perf_counter() - started
    info = {"households": households, "files": [p.name for p in paths], "generate_seconds": round(seconds, 3),
            "bytes": sum(p.stat().st_size for p in paths), "compressed": compress}
    marker.write_text(json.dumps(info, ensure_ascii=False))
    return paths, {**info, "reused": False}
