"""Load export files into a new snapshot: each file one atomic batch, upserted, with its lineage.

`load_files` is the one entry point, used by the command line and by the dashboard's upload page.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa

from etl import (
    changeset,
    clock,
    derive,
    hh_lookup,
    history,
    keys,
    ledger_registry,
    load_inspection,
    readers,
    schema,
    snapshot,
)
from etl import normalize as nz
from etl.cli_parser import duck_os_text, os_reason
from etl.content_hash import TABLES as CONTENT_TABLES
from etl.content_hash import content_sql
from etl.derived_table import as_of
from etl.duck import interrupted, scalar, table_columns
from etl.fields import (
    FIELDS,
    HHID_MANGLED,
    HOUSEHOLD_FIELDS,
    MEMBER_FIELDS,
    PLACING,
    REJECT_RULE,
    SHAPE_REJECTS,
    kind_of_table,
    rejected_value_sql,
    table_of_kind,
)
from etl.issues import ID_RULES, id_issue_selects, insert_issues, issue_flag, issue_selects
from etl.messages import Finding, finding_lines, read_error_text, skipped_sheet_json, skipped_sheet_text
from etl.owners import OWNERS, Touched, stage_table
from etl.rules import CLAIM_TOLERANCE, POVERTY_LINE, earliest_date
from etl.sqlexpr import claim_gap_sql, income_line_year_sql
from etl.stage import (
    CONTROL_RULE,
    RAW_KEPT,
    STAGE_SCHEMA,
    build_stage,
    drop_stage_schema,
    identified_year_sql,
    q,
    skip_repeated_headers,
    strip_controls,
    use_stage_schema,
)
from labels import LANGS, t

Progress = Callable[[float, str], None]

HEAD_RELATIONS = ("户主", "本人", "户主本人")


@dataclass
class FileResult:
    path: Path
    kind: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    issues: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    unchanged: bool = False
    superseded_by: str | None = None  # unchanged, but a later file of its kind was loaded after it
    # a header and no data row (an export under a wrong filter, most often): nothing loaded, no batch
    no_rows: bool = False
    error: str | None = None
    error_texts: dict[str, str] = field(default_factory=dict)  # `error` in each language (the upload page's)
    batch_id: int | None = None
    sheet: str | None = None  # the sheet read (a workbook); for a workbook of several, see `sheets`
    sheets: list[FileResult] = field(default_factory=list)  # one per sheet loaded, when several
    skipped_sheets: list[tuple[str, str]] = field(default_factory=list)  # (sheet, reason code)
    findings: list[Finding] = field(default_factory=list)  # its first rejected rows and issues, by line
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> the file's own header
    # ledger rows written whose 户编号 no registry file has brought (yet): counted by no figure of a place
    outside_registry: int = 0
    # a population base: the checks' "no population base" issues it resolved (listed by an earlier file)
    resolved_issues: int = 0
    # a registry: (township, village, households) of places the data had no household in before; a
    # rectification ledger: (township, village or None for a township's item, items) of places no household is in
    new_places: list[tuple[str, str | None, int]] = field(default_factory=list)

    def named_parts(self) -> list[tuple[FileResult, str]]:
        """Its batches and their names: each sheet of a workbook of several (`file（sheet）`), else itself."""
        name = Path(self.path).name
        return [(s, sheet_name(name, s.sheet)) for s in self.sheets] or [(self, name)]

    def add_up(self) -> None:
        """A workbook of several sheets: the file's figures are its sheets' sums."""
        self.kind = self.sheets[0].kind
        for name in ("rows_read", "rows_loaded", "rows_rejected", "rows_skipped", "issues", "resolved_issues"):
            setattr(self, name, sum(getattr(s, name) for s in self.sheets))
        self.ignored_columns = list(dict.fromkeys(c for s in self.sheets for c in s.ignored_columns))
        self.unchanged = all(s.unchanged for s in self.sheets)
        self.no_rows = all(s.no_rows for s in self.sheets)
        self.superseded_by = next((s.superseded_by for s in self.sheets if s.superseded_by), None)

    def to_json(self) -> dict[str, object]:
        out: dict[str, object] = {
            "path": str(self.path), "kind": self.kind, "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded, "rows_rejected": self.rows_rejected,
            "rows_skipped": self.rows_skipped, "issues": self.issues,
            "ignored_columns": self.ignored_columns, "unchanged": self.unchanged,
            "superseded_by": self.superseded_by, "no_rows": self.no_rows, "error": self.error, "sheet": self.sheet,
            "outside_registry": self.outside_registry, "resolved_issues": self.resolved_issues,
        }
        if self.sheets:
            out["sheets"] = [{k: v for k, v in s.to_json().items() if k not in ("path", "error")}
                             for s in self.sheets]
        if self.skipped_sheets:
            out["skipped_sheets"] = [skipped_sheet_json(n, r) for n, r in self.skipped_sheets]
        return out


@dataclass
class LoadReport:
    db: Path
    files: list[FileResult]
    published: bool = False
    upgraded: Rebuilt | None = None  # the database was of an older version and was upgraded first
    error: str | None = None  # the database could not be upgraded: nothing was loaded
    retried: bool = False  # a small load ran out of its memory cap and was loaded again at full memory
    # seconds from the start of the load (a retry's failed attempt included) until viewers saw the new
    # data; the load then still makes the other snapshot file ready for the next load
    # (etl.snapshot._prepare_spare)
    published_seconds: float | None = None
    # the data's as-of date before and after the load, when the load moved it: 逾期, 距今天数 and the ages
    # are counted to it, so a visits file alone can make items overdue (a leader asked why)
    as_of_moved: tuple[date, date] | None = None
    created_db: bool = False  # the load made the database: there was none at its path
    # the demo county's name when the files went into the demo's database (schema.demo_county): they mix
    # with its generated households, which a new user did not know (a probe of the first hour)
    into_demo: str | None = None

    @property
    def exit_code(self) -> int:
        """0 when every file was read (even with rejected rows), 1 when any could not be read."""
        return 1 if self.error or any(f.error for f in self.files) else 0

    def to_json(self) -> dict[str, object]:
        return {"files": [f.to_json() for f in self.files], "error": self.error,
                "upgraded_from": self.upgraded.from_version if self.upgraded else None, "retried": self.retried,
                "published_seconds": self.published_seconds,
                "as_of_moved": [str(d) for d in self.as_of_moved] if self.as_of_moved else None,
                "created_db": self.created_db, "into_demo": self.into_demo}

    def summary_lines(self, lang: str = "zh") -> tuple[list[str], list[str]]:
        """Per-file summary lines and the errors, as the upload page shows them (errors apart)."""
        entries = self._entries(lang, notes=False)  # the page shows them among the notices
        return [text for text, error in entries if not error], [text for text, error in entries if error]

    def notices(self, lang: str = "zh") -> list[str]:
        """What the uploader must not miss in the summary: a sheet recognised but not loaded (a township's
        rows left out, exit 0), places new to the data, files loaded into the demo, and the as-of date
        moving (items may turn overdue). The upload page shows them as warnings; a green 入库完成 under a
        grey line of them was read past (a probe)."""
        out = [t("cli.sheets_not_loaded", lang, file=Path(f.path).name, sheets=t("list.sep", lang).join(
                   skipped_sheet_text(n, r, lang) for n, r in f.skipped_sheets if r == "missing_required"))
               for f in self.files if any(r == "missing_required" for _, r in f.skipped_sheets)]
        out += [new_places_text(name, part, lang) for f in self.files for part, name in f.named_parts()
                if part.new_places]
        return out + self._published_notes(lang)

    def _published_notes(self, lang: str) -> list[str]:
        """What a published load changed beyond its files' rows: that they went into the demo's database
        (they mix with its households), and the as-of date's move."""
        if not self.published:
            return []
        out = [t("cli.into_demo", lang, county=self.into_demo, db=self.db)] if self.into_demo else []
        if self.as_of_moved:
            out.append(t("cli.as_of_moved", lang, before=self.as_of_moved[0], after=self.as_of_moved[1]))
        return out

    def summary_in_order(self, lang: str = "zh") -> list[str]:
        """The same lines as the command line prints them: each file's lines or its error in the order the
        files were given (a refused file was printed first)."""
        return [text for text, _ in self._entries(lang)]

    def _entries(self, lang: str, notes: bool = True) -> list[tuple[str, bool]]:
        """(line, is an error): the upgrade's message, the load's own error, then each file's lines or its
        error; no file's when the load as a whole failed (no file's counts came true)."""
        out = [(self.upgraded.message(lang), False)] if self.upgraded else []
        out += [(self.error, True)] if self.error else []
        for f in [] if self.error and not self.published else self.files:
            out += [(f.error_texts.get(lang, f.error), True)] if f.error else [(line, False) for line in _file_lines(f, lang)]
        return out + [(line, False) for line in (self._published_notes(lang) if notes else [])]


def new_places_text(name: str, f: FileResult, lang: str) -> str:
    """`notices`' line for a registry (or sheet) `name` that brought places the data had no household in, or
    a rectification ledger's or population base's places where it has none."""
    items, base = f.kind == "rectifications", f.kind == "population_base"
    place = "cli.new_place_items" if items else "cli.new_place_base" if base else "cli.new_place"
    places = [t(place, lang, township=tw, village=v, n=n)
              if v is not None else t("cli.new_township_items", lang, township=tw, n=n) for tw, v, n in f.new_places]
    shown = t("list.sep", lang).join(places[:10]) + ("…" if len(places) > 10 else "")
    text = "cli.new_places_items" if items else "cli.new_places_base" if base else "cli.new_places"
    return t(text, lang, file=name, n=len(places), places=shown)


def _file_lines(f: FileResult, lang: str) -> list[str]:
    """A loaded file's summary: a line per batch (each sheet of a workbook of several), then its skipped sheets."""
    lines: list[str] = []
    for part, part_name in f.named_parts():
        lines += _summary(part, part_name, lang)
    if f.skipped_sheets:
        lines.append(t("cli.skipped_sheets", lang, sheets=t("list.sep", lang).join(
            skipped_sheet_text(n, r, lang) for n, r in f.skipped_sheets)))
    return lines


def _summary(f: FileResult, name: str, lang: str) -> list[str]:
    """The summary line of one batch (a file, or one sheet of a workbook of several)."""
    if f.no_rows:
        return [t("cli.no_rows", lang, file=name, kind=t(f"kind.{f.kind}", lang), rows_read=f.rows_read,
                  rows_skipped=f.rows_skipped)]
    if f.unchanged:
        line = (t("cli.unchanged_superseded", lang, file=name, later=f.superseded_by) if f.superseded_by
                else t("cli.unchanged", lang, file=name))
        return [line, *([t("cli.unchanged_rejected", lang, rows=f.rows_rejected)] if f.rows_rejected else [])]
    lines = [t("cli.summary", lang, file=name, kind=t(f"kind.{f.kind}", lang), rows_read=f.rows_read,
               rows_loaded=f.rows_loaded, rows_rejected=f.rows_rejected, rows_skipped=f.rows_skipped, issues=f.issues)]
    if f.ignored_columns:
        lines.append(t("cli.ignored", lang, columns=t("list.sep", lang).join(f.ignored_columns)))
    if f.outside_registry:
        lines.append(t("cli.outside_registry", lang, rows=f.outside_registry))
    if f.new_places:
        lines.append("  " + new_places_text(name, f, lang))
    if f.resolved_issues:
        lines.append(t("cli.resolved_issues", lang, n=f.resolved_issues))
    return lines + finding_lines(f.findings, f.rows_rejected + f.issues, name, f.headers, lang)


# A load that touches more than this share of the households rebuilds the derived tables whole (faster
# than replacing most of their rows, and it leaves them sorted).
FULL_BUILD_SHARE = 0.25
# Files of fewer bytes than this in all make a small load: DuckDB gets SMALL_LOAD_MEMORY, not the full
# cap (etl.snapshot.etl_memory_limit), so a township's upload stays small beside the dashboard.
SMALL_LOAD_BYTES = 64 << 20
BIG_FILE_ROWS = 1_000_000  # after a file this big, a checkpoint frees its staging tables' blocks
SMALL_LOAD_MEMORY = "512MB"
# What a small load needs grows with the database, not with its file (DuckDB holds the tables' row-group
# metadata and reads the touched households' rows out of tables of that size). At L (8.4 GB snapshot) a
# 1,000-visit load or a 100-household update ran out of 256MB 4 times in 4 and of 384MB never; at N
# (27.5 GB) 512MB ran out for 2 of 3 visits loads, and their retry copied the file twice (116-140 s). So
# the cap is a share of the snapshot file, never below SMALL_LOAD_MEMORY nor above the full limit.
SMALL_LOAD_SNAPSHOT_SHARE = 1 / 16
_MEMORY_UNITS = {"": 1, "K": 10**3, "M": 10**6, "G": 10**9, "T": 10**12,
                 "KI": 2**10, "MI": 2**20, "GI": 2**30, "TI": 2**40}


def memory_bytes(text: str) -> int:
    """A DuckDB memory setting ('512MB', '8GB', '1.5GiB') in bytes (DuckDB's units: GB = 10^9, GiB = 2^30)."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([KMGT]I?)?B?\s*", text.upper())
    if m is None:
        raise ValueError(f"not a memory size: {text!r}")
    return int(float(m.group(1)) * _MEMORY_UNITS[m.group(2) or ""])


def small_load_memory(snapshot_bytes: int, floor: str, full: str) -> str | None:
    """The memory cap of a small load on a snapshot of `snapshot_bytes`: its share, at least `floor`;
    None when that reaches the full limit `full` (the load then runs at full memory, once). A full limit
    this cannot read (DuckDB's own forms) leaves the floor."""
    try:
        limit = memory_bytes(full)
    except ValueError:
        return floor
    cap = max(memory_bytes(floor), int(snapshot_bytes * SMALL_LOAD_SNAPSHOT_SHARE))
    return None if cap >= limit else f"{max(1, cap // 10**6)}MB"


def load_files(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    lang: str = "zh",
    progress: Progress | None = None,
    *,
    display_names: Sequence[str] | None = None,
    max_bytes: int | None = None,
    fresh: bool = False,
    reload: bool = False,
    on_published: Callable[[LoadReport], None] | None = None,
) -> LoadReport:
    """Load files in order into the next snapshot of `db` and publish it if anything changed.

    `display_names` names the files in messages and lineage (uploads arrive under temp names).
    `max_bytes` caps a file's size (uploads); the command line has no cap: a national registry is GBs.
    `fresh` starts from an empty database instead of the current one (the demo replaces everything).
    `reload` loads a file already loaded again instead of calling it unchanged (its data current again
    after a later file of its kind changed it).
    `on_published` gets the report as soon as viewers see the new data, complete but for `created_db` and
    `retried`, before the other snapshot file is made ready for the next load (etl.snapshot.writer): an
    upload's summary need not wait for that (1.4 s at 10M households).
    """
    started = time.perf_counter()
    paths = [Path(p) for p in paths]
    created = snapshot.current_snapshot(db) is None
    report = _load_capped(paths, db, lang, progress, display_names, max_bytes, fresh, started, reload, on_published)
    report.created_db = created and report.published
    return report


def _load_capped(paths: list[Path], db: str | Path | None, lang: str, progress: Progress | None,
                 display_names: Sequence[str] | None, max_bytes: int | None, fresh: bool, started: float,
                 reload: bool, on_published: Callable[[LoadReport], None] | None) -> LoadReport:
    """`_load_files` under a small load's memory cap, again at the full limit if the cap runs out."""
    small = not fresh and sum(p.stat().st_size for p in paths if p.is_file()) < SMALL_LOAD_BYTES
    cap = None  # a small load's memory cap; None: the loader's full limit
    if small:
        current = snapshot.current_snapshot(db)
        cap = small_load_memory(current.stat().st_size if current else 0, SMALL_LOAD_MEMORY,
                                snapshot.etl_memory_limit())
    if cap is None:
        return _load_files(paths, db, lang, progress, display_names, max_bytes, fresh, None, started, reload,
                           on_published)
    try:
        return _load_files(paths, db, lang, progress, display_names, max_bytes, fresh, cap, started, reload,
                           on_published)
    except duckdb.OutOfMemoryException:
        pass
    # A small load's memory cap ran out (another load's changeset to replay, a school check moved for
    # ten thousand households): the failed attempt published nothing, so the load runs again, whole,
    # at the loader's full memory.
    report = _load_files(paths, db, lang, progress, display_names, max_bytes, fresh, None, started, reload,
                         on_published)
    report.retried = True
    return report


def file_name_text(name: str) -> str:
    """A file's name as text: a name whose bytes are not UTF-8 (Python keeps them as surrogates) is read as
    GB18030, as Windows writes Chinese names (a zip unpacked on Linux keeps them so), else each bad byte
    is �. Such a name failed its whole load with DuckDB's English "cannot encode str as UTF-8"."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        raw = name.encode("utf-8", "surrogateescape") if not any("\ud800" <= c < "\udc80" for c in name) else b""
    try:
        return raw.decode("gb18030") if raw else name.encode("utf-8", "replace").decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def _load_files(paths: list[Path], db: str | Path | None, lang: str, progress: Progress | None,
                display_names: Sequence[str] | None, max_bytes: int | None, fresh: bool,
                memory_limit: str | None, started: float, reload: bool = False,
                on_published: Callable[[LoadReport], None] | None = None) -> LoadReport:
    report = LoadReport(snapshot.db_path(db), [])
    names = [file_name_text(n) for n in (display_names or [p.name for p in paths])]
    tick = progress or (lambda _f, _s: None)

    def published() -> None:
        report.published = True
        report.published_seconds = time.perf_counter() - started
        tick(0.99, t("progress.published", lang))
        if on_published is not None:
            on_published(report)
    version = None if fresh else schema_version(report.db)
    if version is not None and version != schema.SCHEMA_VERSION:  # never load into an older layout
        tick(0.0, t("cli.upgrading", lang, old=version, new=schema.SCHEMA_VERSION))
        try:
            report.upgraded = rebuild(report.db, lang=lang)
        except UpgradeError as exc:
            report.error = str(exc)
            return report
    try:
        with snapshot.writer(report.db, fresh=fresh, memory_limit=memory_limit, on_published=published) as w:
            con = w.con
            schema.create_all(con)
            use_stage_schema(con)
            # the places before this load: a workbook's second township sheet brings no "new" place
            con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.{_KNOWN_AREAS} AS SELECT township, village FROM area_keys")
            touched = Touched(con)
            changed = False
            for i, (path, name) in enumerate(zip(paths, names, strict=True)):
                res = FileResult(path)
                report.files.append(res)
                n = len(paths)
                tick(i / n, t("progress.reading", lang, file=name))
                changed |= _load_file(con, path, name, res, lang, max_bytes, touched,
                                      lambda done, key, i=i, n=n, name=name: tick((i + done) / n * 0.95,
                                                                                    t(key, lang, file=name)),
                                      reload)
            if not changed:
                raise snapshot.Unchanged
            _count_outside_registry(con, report.files)
            tick(0.95, t("progress.deriving", lang))
            before = None if fresh else as_of(con)
            finish(w, report.db, touched, full=fresh)
            after = as_of(con)
            report.as_of_moved = (before, after) if before and after and before != after else None
            report.into_demo = schema.demo_county(con)
    except snapshot.Unchanged:
        pass
    except (duckdb.InterruptException, RuntimeError) as exc:  # Ctrl-C inside a statement (a file's: _load_file)
        if not interrupted(exc):
            raise
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:  # out of memory in a file, or the derived tables failed: nothing was published
        if memory_limit is not None and isinstance(exc, duckdb.OutOfMemoryException):
            raise  # load_files tries again at the full memory
        report.error = (t("load.out_of_memory", lang, limit=snapshot.etl_memory_limit())
                        if isinstance(exc, duckdb.OutOfMemoryException) else
                        t("load.disk_full", lang) if any(m in str(exc) for m in _DISK_FULL) else
                        duck_os_text(exc, lang) or
                        t("load.failed", lang, detail=f"{type(exc).__name__}: {str(exc).splitlines()[0]}"[:300]))
        if not report.published:  # no file's counts came true: --json said every file loaded
            for part in (p for f in report.files for p in (f, *f.sheets)):
                part.rows_loaded = part.rows_rejected = part.issues = part.outside_registry = 0
    tick(1.0, t("progress.done", lang))
    return report


def _count_outside_registry(con: duckdb.DuckDBPyConnection, files: list[FileResult]) -> None:
    """How many ledger rows each batch wrote for a 户编号 that no registry file has brought, after every
    file of the load (a registry later in the same load places them). They load, but only the registry
    places a household, so no figure by township or village counts them (data management lists them):
    the summary says so, since a mistyped 户编号 takes a claim's money out of every total."""
    for part in (p for f in files for p, _ in f.named_parts()):
        if part.batch_id is None or part.unchanged or part.kind not in schema.LEDGER_TABLES:
            continue
        table = schema.LEDGER_TABLES[part.kind]
        # an outer join, not NOT IN: the planner builds on the smaller side (L: 0.02 s for a small
        # batch, 1.5 s for 40M measures, against 0.11 and 3.2 s)
        part.outside_registry = int(scalar(con, f"""
            SELECT count(*) FROM {table} t LEFT JOIN households h ON h.hk = t.hk
            WHERE t.batch_id = $batch AND t.hk IS NOT NULL AND h.hk IS NULL""", {"batch": part.batch_id}) or 0)  # noqa: S608
    for f in files:
        if f.sheets:
            f.outside_registry = sum(s.outside_registry for s in f.sheets)


# what DuckDB says when the disk (or the process's file-size limit) is full
_DISK_FULL = ("No space left on device", "File too large", "Disk quota exceeded")


def finish(w: snapshot.Writer, db: Path, touched: Touched, *, full: bool = False) -> None:
    """Bring the derived tables up to date (for what the load touched, or whole), write the changeset
    for the other snapshot file, and drop the staging schema."""
    con = w.con
    batch = history.last_batch(con)
    most = int(FULL_BUILD_SHARE * int(scalar(con, "SELECT count(*) FROM households") or 0))
    before_load = None if w.how == "fresh" else snapshot.current_snapshot(db)  # nobody writes it
    if full or not _has_derived(con) or not derive.update(con, touched, most, before_load):
        derive.build_all(con)
        w.full = True
    history.record(con, batch)  # inside the snapshot being built: a killed load leaves no row
    write_meta(con)
    touched.table("meta")
    if not w.full and w.from_current:  # else the other file is a copy of this one (etl.snapshot)
        changeset.write(con, touched, snapshot.changeset_path(w, db))
    drop_stage_schema(con)


def _has_derived(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the derived tables of this version are there (else the load builds them whole)."""
    return _has_table(con, "hh_facts")


def _has_table(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(scalar(con, "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND schema_name = 'main' AND database_name = current_database()", [name]))


def _load_file(
    con: duckdb.DuckDBPyConnection, path: Path, name: str, res: FileResult, lang: str, max_bytes: int | None,
    touched: Touched, step: Callable[[float, str], None], reload: bool = False,
) -> bool:
    """Load one file as one transaction; each table in it (a workbook's sheets) is one batch, named
    `file（sheet）` when there are several. True when the database changed."""
    sink = readers.DuckDBSink(con)
    try:
        book = readers.read_book(path, max_bytes=max_bytes or 2**62, sink=sink)
    except readers.ReadError as exc:
        sink.drop()
        _failed(res, lambda lg, e=exc: read_error_text(e, name, lg), lang)
        return False
    except Exception as exc:  # any other failure to read: the file changes nothing
        sink.drop()
        if interrupted(exc):
            raise KeyboardInterrupt from None
        # a file the system would not give (no permission, an unplugged share) said only (PermissionError)
        _failed(res, lambda lg, e=exc: t("read.os_error", lg, file=name, reason=os_reason(e, lg))
                if isinstance(e, OSError) else t("read.load_failed", lg, file=name, detail=type(e).__name__), lang)
        return False
    res.skipped_sheets = list(book.skipped_sheets)
    several = len(book.parts) > 1
    parts: list[tuple[readers.RawFile, FileResult, str]] = []
    for raw in book.parts:
        if several:
            part = FileResult(path, sheet=raw.sheet)
            res.sheets.append(part)
            # a sheet's own identity: loading the workbook again changes nothing, sheet by sheet
            raw.sha256 = hashlib.sha256(f"{raw.sha256}:{raw.sheet}".encode()).hexdigest()
            parts.append((raw, part, sheet_name(name, raw.sheet)))
        else:
            parts.append((raw, res, name))
    flags: list[dict[str, object]] = []
    big = False
    con.begin()
    try:
        registry_sheets = sum(raw.kind == "registry" for raw, _, _ in parts) > 1
        if registry_sheets:
            con.execute(f"CREATE TABLE {STAGE_SCHEMA}.{_SHEET_HOUSEHOLDS} "
                        "(household_id VARCHAR, sheet VARCHAR, members VARCHAR[])")
        for i, (raw, part, part_name) in enumerate(parts):
            if i:
                sink(None)  # an empty table for this sheet
            readers.hand_over(raw, sink)
            sink.ensure(raw.table.column_names)
            source, repeats = skip_repeated_headers(con, sink.ref, raw.columns, PLACING[raw.kind])
            if raw.kind == "population_base":  # a township's total written as a village: skipped, as 合计 rows
                source, totals = load_inspection.skip_township_totals(con, source)
                repeats += totals
            raw.skipped, raw.data_rows = raw.skipped + repeats, raw.data_rows - repeats
            big |= raw.data_rows >= BIG_FILE_ROWS
            part.kind, part.ignored_columns = raw.kind, list(raw.ignored_columns)
            part.rows_read, part.rows_skipped = raw.rows_read, raw.skipped
            if raw.data_rows == 0:  # nothing to load: no batch, no point in the figure history
                part.no_rows = True
                continue
            previous = None if reload else _loaded_before(con, raw.sha256, raw.kind, [p[0].sha256 for p in parts])
            if previous:  # the same file (sheet) again changes nothing
                part.unchanged = True
                (part.rows_loaded, part.rows_rejected, part.issues), part.superseded_by = previous
                continue
            step((i + 0.4) / len(parts), "progress.validating")
            columns = [c for c in raw.table.column_names if c != "_line"]
            controls = strip_controls(con, source, columns if raw.controls else [], columns)
            flags.append(_load_raw(con, raw, part_name, part, touched, controls,
                                   lambda done, key, i=i: step((i + done) / len(parts), key), registry_sheets))
            con.execute("DROP VIEW IF EXISTS raw")
            con.execute("DROP VIEW IF EXISTS base_body")
            con.execute("DROP VIEW IF EXISTS body")
            con.execute("DROP TABLE IF EXISTS header_lines")
            con.execute("DROP TABLE IF EXISTS total_lines")
        con.commit()
    except Exception as exc:
        # an interrupted statement may have ended the transaction already ("no transaction is active"
        # then replaced the interrupt, and the load said it failed)
        with contextlib.suppress(duckdb.TransactionException):
            con.rollback()
        if isinstance(exc, duckdb.OutOfMemoryException):
            raise  # not the file's fault: the load is tried again with more memory (load_files)
        if interrupted(exc):
            raise KeyboardInterrupt from None
        _failed(res, lambda lg, e=exc: read_error_text(e, name, lg) if isinstance(e, readers.ReadError)
                else t("read.load_failed", lg, file=name, detail=f"{type(e).__name__}: {e}"[:300]), lang)
        for part in [res, *res.sheets]:
            part.rows_loaded = part.rows_rejected = part.issues = 0
        return False
    finally:
        con.execute("DROP VIEW IF EXISTS raw")
        con.execute("DROP VIEW IF EXISTS base_body")
        con.execute("DROP VIEW IF EXISTS body")
        con.execute("DROP TABLE IF EXISTS header_lines")
        con.execute("DROP TABLE IF EXISTS total_lines")
        con.execute(f"DROP TABLE IF EXISTS {STAGE_SCHEMA}.{_SHEET_HOUSEHOLDS}")
        sink.drop()
        if big:
            con.execute("CHECKPOINT")  # frees the staging tables' blocks for the next file's tables
    for f in flags:
        touched.nohk |= bool(f.get("nohk", False))
        touched.all_tables |= f.get("tables", set())  # type: ignore[operator]
        touched.base |= f.get("base", set())  # type: ignore[operator]
    if several:
        res.add_up()
    return bool(flags)


def sheet_name(file: str, sheet: str | None) -> str:
    """How a sheet of a workbook of several is named in batches, rejected rows and issues."""
    return f"{file}（{sheet}）"


def _load_raw(
    con: duckdb.DuckDBPyConnection, raw: readers.RawFile, name: str, res: FileResult, touched: Touched,
    controls: list[str], step: Callable[[float, str], None], registry_sheets: bool = False,
) -> dict[str, object]:
    """Write one file's rows (inside its transaction). Returns what `touched` learns after the commit
    (flags that a rollback must not leave behind); the owner keys go to its tables right away.
    `registry_sheets`: the file is a workbook of several registry sheets (`_one_sheet_per_household`)."""
    batch_id = scalar(con, "SELECT coalesce(max(batch_id), 0) + 1 FROM load_batches")
    res.batch_id = batch_id
    touched.add_values("batch", [int(batch_id)])
    present = [c for c in raw.table.column_names if c != "_line"]
    checks = build_stage(con, raw.kind, present, raw.data_rows, controls)
    if raw.kind == "registry" and registry_sheets:
        _one_sheet_per_household(con, str(raw.sheet))
    # the same file loaded again (--reload): its rows are replaced, and so are the rows it rejected, which
    # were listed twice (each line once per load of the file; a probe)
    earlier = [r[0] for r in con.execute("SELECT batch_id FROM load_batches WHERE sha256 = ? AND kind = ?",
                                         [raw.sha256, raw.kind]).fetchall()]
    if earlier:
        con.execute("DELETE FROM rejected_rows WHERE list_contains(?, batch_id)", [earlier])
        touched.add_values("batch", earlier)
    rejected = _reject(con, raw, batch_id, name)
    if raw.kind in NEW_PLACE_COUNTS:
        res.new_places = _new_places(con, raw.kind)
    step(0.7, "progress.writing")
    if raw.kind == "registry":
        loaded, flags = _load_registry(con, batch_id, name, checks, touched, present)
    elif raw.kind in ("household_checks", "population_base"):  # data-spec §1.4: small tables, own loader

        loaded, flags = load_inspection.load(con, raw.kind, batch_id, name, checks, touched)
    else:
        loaded, flags = _load_ledger(con, raw.kind, batch_id, name, checks, touched, present)
    issues = scalar(con, "SELECT count(*) FROM data_issues WHERE batch_id = ?", [batch_id])
    res.rows_loaded, res.rows_rejected, res.issues = loaded, rejected, issues
    res.resolved_issues = int(flags.get("resolved", 0))  # type: ignore[call-overload]
    res.headers, res.findings = dict(raw.columns), _findings(con, raw.kind, batch_id) if rejected or issues else []
    con.execute(
        "INSERT INTO load_batches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [batch_id, name, raw.sha256, raw.kind, clock.now(), raw.rows_read, loaded, rejected,
         raw.skipped, issues, list(raw.ignored_columns), raw.encoding, raw.header_line, present],
    )
    for view in ("m", "mk", "kept"):
        con.execute(f"DROP VIEW IF EXISTS {view}")
    for tmp in ("ctl_issues", "stg", "k", "keys", "rep", "rep_hk", "hh", "ordinal", "dups", "todo", "todo_placed", "old_pos", "id_hits",
                "dup_ids_before", "dup_other", "dup_gone", "dup_cleared"):
        con.execute(f"DROP TABLE IF EXISTS {tmp}")
    return flags


_KNOWN_AREAS = "known_areas"  # the places (area_keys) at the start of a load


# What a file's places where the data has no household are counted in: a registry's households, a
# rectification ledger's items (a township's item: its township alone), a population base's figures (years).
NEW_PLACE_COUNTS = {"registry": "count(DISTINCT household_id)", "rectifications": "count(*)",
                    "population_base": "count(*)"}
# A population base's village without a household is only named where its township has a village with
# households that the file leaves out, or is unknown itself: a village without a poor household is no slip
# (the demo's 黄河村), but 联丰村委会 beside a missing 联丰村 is one: a village of rural people and no
# registered people in the incidence, while 联丰村's people count in none (a probe, 2026-12-06).
_NEW_PLACE_ALSO = {"population_base": """AND (NOT EXISTS (SELECT 1 FROM {known} a WHERE a.township = s.township)
    OR EXISTS (SELECT 1 FROM {known} a WHERE a.township = s.township AND a.village IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM stg o WHERE o.rejected_rule IS NULL AND o.township = a.township AND o.village = a.village)))"""}


def _new_places(con: duckdb.DuckDBPyConnection, kind: str) -> list[tuple[str, str | None, int]]:
    """The staged rows' places (township, village or None) where the data had no household before, with
    what they hold (NEW_PLACE_COUNTS); none before a first registry. A typo (德岭山 for 德岭山镇) moved a
    household, or a ledger's items, into a township of its own, in every chart and out of the township's
    filter, with nothing said (probes): the uploader is told (`notices`)."""
    # a population base against the places as they are now: a registry earlier in the same load counts
    known = "area_keys" if kind == "population_base" else f"{STAGE_SCHEMA}.{_KNOWN_AREAS}"
    if not scalar(con, f"SELECT count(*) FROM {known}"):  # noqa: S608 - ours
        return []
    rows = con.execute(f"""
        SELECT township, village, {NEW_PLACE_COUNTS[kind]} FROM stg s
        WHERE rejected_rule IS NULL AND township IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM {known} a WHERE a.township = s.township AND (s.village IS NULL OR a.village = s.village))
            {_NEW_PLACE_ALSO.get(kind, "").format(known=known)}
        GROUP BY township, village ORDER BY township, village NULLS FIRST""").fetchall()  # noqa: S608 - ours
    return [(str(t_), None if v is None else str(v), int(n)) for t_, v, n in rows]


def _failed(res: FileResult, text: Callable[[str], str], lang: str) -> None:
    """The file could not be read or loaded: why, in `lang` and in each language (`error_texts`: the upload
    page shows a load's summary in its user's language of the moment)."""
    res.error_texts = {lg: text(lg) for lg in LANGS}
    res.error = res.error_texts.get(lang) or text(lang)


_SHEET_HOUSEHOLDS = "sheet_households"  # a workbook of several sheets: each registry sheet's households


# A household's member rows on one sheet, to tell a household cut across sheets from one listed twice
_SHEET_MEMBERS = ("list_sort(list(concat_ws('|', coalesce(id_number, ''), coalesce(name, ''), "
                  "coalesce(relation, ''))))")


def _one_sheet_per_household(con: duckdb.DuckDBPyConnection, sheet: str) -> None:
    """A registry file replaces each listed household's members by its rows (data-spec §5), and each
    sheet of a workbook is its own batch: a household on two registry sheets would keep the later
    sheet's members only. Such a workbook is refused (ReadError), naming the household and both
    sheets, rather than a household cut in two. A household whose member rows are the same on both
    sheets (a 汇总 sheet repeating the township sheets, as county reports are laid out) is not cut: the
    later sheet lists the same members, and the workbook loads (it was refused, with advice to move the
    rows to one sheet that would have doubled every member)."""
    stage = f"{STAGE_SCHEMA}.{_SHEET_HOUSEHOLDS}"
    con.execute(f"""CREATE OR REPLACE TEMP TABLE sheet_members AS
                    SELECT household_id, {_SHEET_MEMBERS} AS members FROM stg WHERE rejected_rule IS NULL
                    GROUP BY household_id""")  # noqa: S608 - our names
    hit = con.execute(f"""SELECT household_id, s.sheet FROM {stage} s JOIN sheet_members m USING (household_id)
                          WHERE s.members IS DISTINCT FROM m.members
                          ORDER BY household_id LIMIT 1""").fetchall()  # noqa: S608 - our names
    if hit:
        raise readers.ReadError("household_split_sheets", household=hit[0][0], first=hit[0][1], second=sheet)
    con.execute(f"INSERT INTO {stage} SELECT household_id, ?, members FROM sheet_members", [sheet])  # noqa: S608
    con.execute("DROP TABLE sheet_members")


FINDINGS_SHOWN = 10  # rejected rows and issues quoted in a file's load summary; the pages list them all


def _findings(con: duckdb.DuckDBPyConnection, kind: str, batch_id: int) -> list[Finding]:
    """The batch's first rejected rows and data issues, in line order (rejections first on a line)."""
    rows = con.execute(f"""
        -- a rejected row's value is the field that rejected it (a mangled 户编号; none for a missing one),
        -- taken from the raw row of the first rows only
        SELECT rule, line, field, coalesce(value, {rejected_value_sql()}), record, tb FROM (
            SELECT rule, line, field, NULL::VARCHAR AS value, raw, NULL::VARCHAR AS record, $table AS tb, 0 AS o
            FROM rejected_rows WHERE batch_id = $batch
            UNION ALL
            SELECT rule, line, field, raw_value, NULL, household_id, table_name, 1 FROM data_issues WHERE batch_id = $batch
            ORDER BY line NULLS LAST, o, rule, field LIMIT $n)
        ORDER BY line NULLS LAST, o, rule, field""",
        {"batch": batch_id, "table": table_of_kind(kind), "n": FINDINGS_SHOWN}).fetchall()
    return [Finding(*r) for r in rows]


def _whole_row(raw: readers.RawFile, text: str) -> dict[str, str]:
    """A row kept whole: its text, and the names its name columns hold when it splits that far (so the
    data page can mask them inside the text too: etl.quality_checks.rejected_masked_sql)."""
    out = {"row": text[:2000]}
    if raw.name_cells:
        try:
            cells = next(csv.reader([text], delimiter=raw.delimiter), [])
        except csv.Error:
            cells = []
        for field_name, i in raw.name_cells.items():
            if i < len(cells) and cells[i].strip():
                out[field_name] = cells[i].strip()
    return out


def _reject(con: duckdb.DuckDBPyConnection, raw: readers.RawFile, batch_id: int, name: str) -> int:
    """Keep rows that cannot be placed, with their raw values, in rejected_rows."""
    fields = FIELDS[raw.kind]
    obj = ", ".join(f"'{c}', r.{q('raw_' + c)}" for c in fields)
    field_case = "CASE s.rejected_rule " + " ".join(
        [f"WHEN '{HHID_MANGLED}' THEN 'household_id'", *(f"WHEN '{REJECT_RULE[c]}' THEN '{c}'" for c in PLACING[raw.kind])]
    ) + " END"
    con.execute(
        f"""INSERT INTO rejected_rows
            SELECT ?, ?, s.source_line, s.rejected_rule, {field_case}, json_object({obj})::VARCHAR
            FROM stg s JOIN raw_named r ON r._line = s.source_line
            WHERE s.rejected_rule IS NOT NULL""",
        [batch_id, name],
    )
    # rows the reader could not take apart (another shape) or decode: their raw text, escaped bytes
    for rule, rows in zip(SHAPE_REJECTS, (raw.malformed, raw.undecodable, raw.unclosed_quote), strict=True):
        if not rows:
            continue
        bad = pa.table({
            "line": pa.array([line for line, _ in rows], pa.int32()),
            "text": pa.array([json.dumps(_whole_row(raw, text), ensure_ascii=False) for _, text in rows]),
        })
        con.register("unread_arrow", bad)
        con.execute("INSERT INTO rejected_rows SELECT ?, ?, line, ?, 'row', text FROM unread_arrow",
                    [batch_id, name, rule])
        con.unregister("unread_arrow")
    n = scalar(con, "SELECT count(*) FROM stg WHERE rejected_rule IS NOT NULL")
    return int(n) + len(raw.malformed) + len(raw.undecodable) + len(raw.unclosed_quote)


def _poverty_line_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE OR REPLACE TEMP TABLE poverty_line (year INTEGER, line DOUBLE)")
    con.executemany("INSERT INTO poverty_line VALUES (?, ?)", list(POVERTY_LINE.items()))


def _load_registry(con: duckdb.DuckDBPyConnection, batch_id: int, name: str, checks: list[tuple[str, str]],
                   touched: Touched, present: Sequence[str]) -> tuple[int, dict[str, object]]:
    heads = ", ".join(f"'{h}'" for h in HEAD_RELATIONS)
    present = _columns_said(present)
    _file_household_keys(con)
    _keep_absent_household_fields(con, present)
    # data-spec §2: a post-2020 attribute (一般脱贫户, 01–08) says the household exited; with no exit status
    # (the monitoring system's exports of 脱贫户 often have no 脱贫状态 column) it is 已脱贫
    con.execute("UPDATE stg SET exit_status = '已脱贫' WHERE exited_attribute AND raw_exit_status IS NULL "
                "AND rejected_rule IS NULL")
    if "exit_status" not in present:
        # A stored 未脱贫 kept for the column the file lacks is older than the file's hint: after a 2019
        # registry, the monitoring system's 脱贫户 export (一般脱贫户, 脱贫年度 2020, no 脱贫状态) left its
        # exits 未脱贫, out of every exit figure. A stored 返贫 stays (a 脱贫户 that fell back); whether
        # an exited household still enjoys policy support is then unknown.
        # Every row of the household: the stored status was copied onto each, and a member's row without
        # the attribute (household fields on the head's row only) left at 未脱贫 would differ from it.
        con.execute("UPDATE stg SET exit_status = '已脱贫', enjoys_policy = NULL WHERE exit_status = '未脱贫' "
                    "AND rejected_rule IS NULL AND household_id IN (SELECT household_id FROM stg "
                    "WHERE exited_attribute AND rejected_rule IS NULL)")
    # Each kept row's member key within its household: its ID number, else 人编号, else the household
    # number + the row's order in it. The order is numbered only in households with a row lacking both
    # (few), so no window sorts every row by household (30M rows by text at 10M households).
    own_key = "coalesce(id_key, member_id)"  # an ID that tells a person apart (`nz.sql_id_key_of`)
    con.execute(f"""
        CREATE OR REPLACE TABLE {STAGE_SCHEMA}.ordinal AS
        SELECT source_line, row_number() OVER (PARTITION BY household_id ORDER BY source_line) AS n
        FROM stg WHERE rejected_rule IS NULL AND household_id IN (
            SELECT household_id FROM stg WHERE rejected_rule IS NULL AND {own_key} IS NULL)""")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW mk AS
        SELECT s.*, coalesce({own_key}, s.household_id || '#' || o.n::VARCHAR) AS member_key,
               -- 户 主 spaced to line up with 配 偶 is the head too (a relation has no space in it)
               coalesce(replace(s.relation, ' ', '') IN ({heads}), false) AS is_head
        FROM stg s LEFT JOIN ordinal o USING (source_line) WHERE s.rejected_rule IS NULL""")
    # A key repeated in its household: every row after its first is a duplicate. Candidates are found
    # by grouping one 64-bit hash of (household, key), then checked exactly: a window partitioned by
    # the two texts sorted every row. other_name: the repeat's 姓名 when it is not its first row's (two
    # people given one ID number, a son keyed in under his father's: no repeat of a row to delete).
    con.execute(f"""
        CREATE OR REPLACE TABLE {STAGE_SCHEMA}.dups AS
        SELECT source_line, CASE WHEN name <> first_name THEN name END AS other_name FROM (
            SELECT source_line, name,
                   min(source_line) OVER (PARTITION BY household_id, member_key) AS first_line,
                   arg_min(name, source_line) OVER (PARTITION BY household_id, member_key) AS first_name
            FROM mk WHERE hash(household_id, member_key) IN (
                SELECT h FROM (SELECT hash(household_id, member_key) AS h FROM mk) GROUP BY h HAVING count(*) > 1))
        WHERE source_line > first_line""")
    # source_line alone identifies a row: integer joins with the small tables only
    con.execute("CREATE OR REPLACE TEMP VIEW m AS SELECT mk.*, d.source_line IS NOT NULL AS dup "
                "FROM mk LEFT JOIN dups d USING (source_line)")
    # fields_hash: one hash of the row's household fields, so that only households whose rows differ
    # are joined back for the household_fields_differ check (two differing rows with equal 64-bit hashes
    # would go unreported: odds ~1e-12 at 30M rows)
    # (and of the 识别年度 of a 识别时间 without a day, that a blank one on the head's row may take)
    fields_hash = "hash(" + ", ".join([*(_as_compared(c) for c in HOUSEHOLD_FIELDS), "identified_year"]) + ")"
    con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.keys AS "
                f"SELECT source_line, household_id, member_key, is_head, dup, {fields_hash} AS fields_hash FROM m")
    _keep_absent_member_fields(con, present)
    con.execute("CREATE OR REPLACE TEMP VIEW kept AS SELECT * FROM stg WHERE rejected_rule IS NULL")
    # One representative row per household: its head's (first head if several), else its first row.
    # Its members are its distinct keys: the rows that are not repeats.
    con.execute(f"""
        CREATE OR REPLACE TABLE {STAGE_SCHEMA}.rep AS
        SELECT household_id,
               min_by(source_line, (CASE WHEN is_head THEN 0 ELSE 1 END)::BIGINT * 4294967296 + source_line)
                   AS rep_line,
               count(*) FILTER (WHERE NOT dup) AS n_members,
               count(*) FILTER (WHERE is_head AND NOT dup) AS n_heads,
               min(fields_hash) <> max(fields_hash) AS fields_vary
        FROM keys GROUP BY household_id""")
    # Only what the household inserts and checks read: the member columns would be copied for nothing.
    hh_read = ["source_line", "household_id", *HOUSEHOLD_FIELDS, "name", "id_number", "enjoys_policy", "identified_year",
               *(f"raw_{c}" for c in RAW_KEPT if c in HOUSEHOLD_FIELDS),
               *(f"bad__{r}__{c}" for r, c in checks if c in HOUSEHOLD_FIELDS)]
    con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.hh AS SELECT {', '.join(f'stg.{q(c)}' for c in hh_read)}, "
                "rep.n_members, rep.n_heads, rep.fields_vary FROM stg JOIN rep ON stg.source_line = rep.rep_line")
    _fill_blank_household_fields(con, [(r, c) for r, c in checks if c in HOUSEHOLD_FIELDS])
    _poverty_line_table(con)
    tables = _key_households(con, touched)

    hh_cols = ", ".join(f"hh.{q(c)}" for c in HOUSEHOLD_FIELDS if c != "household_size")
    load_inspection.places_before(con, "SELECT hk FROM rep_hk")
    # The rows the file's households will have. When some of them are stored already, these are staged
    # first: a household whose rows would not change (and that has no data issue) is left as stored and
    # not touched (`_same_households`). A file of new households alone is written straight from them.
    rows = {
        "households": f"""
            SELECT hh.household_id, {hh_cols},
                   household_size AS household_size_declared, n_members AS household_size,
                   CASE WHEN n_heads > 0 THEN name END AS head_name,
                   CASE WHEN n_heads > 0 THEN id_number END AS head_id_number,
                   CASE WHEN exit_status = '已脱贫' THEN enjoys_policy END AS enjoys_policy,
                   hh.identified_year,
                   monitoring_type IS NOT NULL AS monitored,
                   exit_status IS NOT NULL AS registered,
                   {int(batch_id)} AS batch_id, hh.source_line, r.hk,
                   coalesce(p.area, o.area) AS area, coalesce(p.seq, o.seq) AS seq
            FROM hh JOIN rep_hk r USING (household_id)
            LEFT JOIN todo_placed p USING (hk) LEFT JOIN old_pos o USING (hk)""",  # noqa: S608 - ours
        "members": f"""
            SELECT household_id, member_key, {", ".join(q(c) for c in MEMBER_FIELDS if c not in ("sex",))},
                   -- the sex a valid ID holds wins (data-spec §1.1); an invalid ID's is not trusted over
                   -- the file's 性别 (a probe: 女 stored as 男 from an ID with a wrong check digit)
                   id_valid, CASE WHEN id_valid THEN coalesce(id_sex, sex) ELSE coalesce(sex, id_sex) END AS sex,
                   id_birth_date AS birth_date, is_head,
                   {int(batch_id)} AS batch_id, source_line, r.hk
            FROM m JOIN rep_hk r USING (household_id) WHERE NOT dup""",  # noqa: S608 - ours
        "household_income": f"""
            SELECT household_id, income_year, income_per_capita, {int(batch_id)} AS batch_id, r.hk
            FROM hh JOIN rep_hk r USING (household_id)
            WHERE income_year IS NOT NULL AND income_per_capita IS NOT NULL""",  # noqa: S608 - ours
    }
    if scalar(con, "SELECT count(*) FROM old_pos"):
        rows = {table: _stage_rows(con, table, select) for table, select in rows.items()}
        _same_households(con)
        con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.write_hk AS "
                    "SELECT hk FROM rep_hk EXCEPT SELECT hk FROM same_hh")
        _write_households(con, rows, "write_hk")
    else:
        con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.same_hh (hk INTEGER)")
        con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.write_hk AS SELECT hk FROM rep_hk")
        _write_households(con, rows)

    # Data issues: the file is authoritative for its households, so their old issues go, except those of
    # a cell in a column the file lacks (an unknown 致贫原因 stays through a 健康状况 update), of a household
    # or of a member the file lists again.
    absent = [c for c in (*HOUSEHOLD_FIELDS, *MEMBER_FIELDS) if c not in present and c not in _ALWAYS_PRESENT]
    keep = "" if not absent else f"""AND NOT ({_cell_issue('data_issues', absent)} AND (table_name = 'households'
        OR (household_id, record_key) IN (SELECT household_id, member_key FROM keys WHERE NOT dup)))"""
    # the ID numbers the file's households shared with another household before this load
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.dup_ids_before AS
                    SELECT DISTINCT raw_value AS id_number FROM data_issues
                    WHERE rule = 'id_duplicate' AND hk IN (SELECT hk FROM rep_hk) AND raw_value IS NOT NULL""")
    con.execute(f"""DELETE FROM data_issues WHERE table_name IN ('households', 'members')
                   AND hk IN (SELECT hk FROM rep_hk) {keep}""")  # noqa: S608 - our column names
    others_filter = _other_ids_filter(con, touched)
    member_checks = [(r, c) for r, c in checks if c not in HOUSEHOLD_FIELDS]
    household_checks = [(r, c) for r, c in checks if c in HOUSEHOLD_FIELDS]
    differ = ", ".join(
        f"CASE WHEN m.{q(c)} IS NOT NULL AND {_as_compared(c, 'm')} IS DISTINCT FROM {_as_compared(c, 'hh')} "
        f"THEN '{c}' END" for c in HOUSEHOLD_FIELDS
    )
    differs = " OR ".join(f"(m.{q(c)} IS NOT NULL AND {_as_compared(c, 'm')} IS DISTINCT FROM {_as_compared(c, 'hh')})"
                          for c in HOUSEHOLD_FIELDS)
    selects = issue_selects("kept", member_checks, "members", "NULL::VARCHAR")
    selects += issue_selects("hh", household_checks, "households", "household_id")
    # a household field's cell that fails its check on a row other than the representative one (an
    # unknown 致贫原因, an income that is no number): its value is in no household and, being no value, is
    # no difference either, so it went unreported. Reported on its own line unless the representative
    # row's cell fails the same check (the household's issue already says it). Not a stripped control
    # character: what is left is a value, compared as any other (household_fields_differ).
    lost = [(r, c) for r, c in household_checks if r != CONTROL_RULE]
    if lost:
        cases = ", ".join(
            f"CASE WHEN m.{issue_flag(r, c)} AND NOT hh.{issue_flag(r, c)} THEN {{'field': '{c}', 'rule': '{r}'}} END"
            for r, c in lost)
        any_bad = " OR ".join(f"m.{issue_flag(r, c)}" for r, c in lost)
        selects.append(f"""
            SELECT source_line, 'households', household_id, household_id, b.field, NULL::VARCHAR, b.rule
            FROM (SELECT m.source_line, m.household_id, unnest([{cases}]) AS b
                  FROM kept m JOIN hh USING (household_id)
                  WHERE m.source_line <> hh.source_line AND ({any_bad}))
            WHERE b IS NOT NULL""")
    selects += [
        # ID number rules (GB 11643)
        "SELECT source_line, 'members', NULL, household_id, 'id_number', raw_id_number, "
        "'id_missing' FROM kept WHERE raw_id_number IS NULL",
        *id_issue_selects("kept", "members", "NULL"),
        # (the 姓名 of a repeat naming another person than its first row, whose message says so)
        "SELECT source_line, 'members', member_key, household_id, "
        "CASE WHEN other_name IS NULL THEN 'id_number' ELSE 'name' END, coalesce(other_name, member_key), "
        "'member_duplicate' FROM keys JOIN dups USING (source_line)",
        # 性别 against the sex a valid ID number holds: the ID wins (data-spec §1.1), the archive is flagged
        "SELECT source_line, 'members', NULL, household_id, 'sex', NULL, 'sex_mismatch' FROM kept "
        "WHERE id_valid AND NOT id_mangled AND sex IS NOT NULL AND id_sex IS NOT NULL AND sex <> id_sex",
        # the same ID number in another household, in this file or already loaded: more than one
        # household (never NULL here; cheaper than UNION + count(DISTINCT)), grouped by the ID's 64-bit
        # hash, not its text (30M texts to group at 10M households); a hash shared by two IDs only
        # adds a candidate, which the outer IN on the text then drops
        f"""WITH ids AS NOT MATERIALIZED (
               SELECT id_number, household_id FROM kept WHERE id_key IS NOT NULL
               UNION ALL
               SELECT id_number, household_id FROM members
               WHERE id_number IS NOT NULL AND hk NOT IN (SELECT hk FROM rep_hk){others_filter})
           SELECT m.source_line, 'members', NULL, m.household_id, 'id_number', m.id_number, 'id_duplicate'
           FROM kept m WHERE m.id_key IS NOT NULL AND m.id_number IN (
               SELECT id_number FROM ids WHERE hash(id_number) IN (
                   SELECT hash(id_number) FROM ids GROUP BY hash(id_number)
                   HAVING min(household_id) <> max(household_id))
               GROUP BY id_number HAVING min(household_id) <> max(household_id))""",
        # household rules
        "SELECT source_line, 'households', household_id, household_id, 'household_size', "
        "raw_household_size, 'size_mismatch' FROM hh WHERE household_size <> n_members",
        "SELECT source_line, 'households', household_id, household_id, 'relation', NULL, 'no_head' "
        "FROM hh WHERE n_heads = 0",
        "SELECT source_line, 'households', household_id, household_id, 'relation', n_heads::VARCHAR, "
        "'multiple_heads' FROM hh WHERE n_heads > 1",
        "SELECT source_line, 'households', household_id, household_id, 'exit_year', NULL, "
        "'exit_without_year' FROM hh WHERE exit_status = '已脱贫' AND raw_exit_year IS NULL",
        # exited before it was first identified (脱贫年度 2015, 首次识别时间 2016-05-01): one of the two is wrong
        "SELECT source_line, 'households', household_id, household_id, 'exit_year', exit_year::VARCHAR, "
        "'exit_before_identified' FROM hh WHERE exit_year < identified_year",
        f"""SELECT hh.source_line, 'households', household_id, household_id, 'income_per_capita',
                  raw_income_per_capita, 'exit_income_below_line'
           FROM hh JOIN poverty_line pl ON pl.year = {income_line_year_sql('hh')}
           WHERE exit_status = '已脱贫' AND income_per_capita < pl.line""",
        "SELECT source_line, 'households', household_id, household_id, 'monitoring_type', NULL, "
        "'monitored_without_type' FROM hh WHERE raw_exit_status IS NULL AND exit_status IS NULL "
        "AND raw_monitoring_type IS NULL",
        "SELECT source_line, 'households', household_id, household_id, 'main_cause', NULL, "
        "'missing_cause' FROM hh WHERE exit_status IS NOT NULL AND raw_main_cause IS NULL",
        # household fields that differ between member rows; the representative row wins
        f"""SELECT source_line, 'households', household_id, household_id, field, NULL::VARCHAR,
                   'household_fields_differ'
            FROM (SELECT m.source_line, m.household_id, unnest([{differ}]) AS field
                  FROM kept m JOIN hh USING (household_id)
                  WHERE hh.fields_vary AND m.source_line <> hh.source_line
                    AND ({differs}))  -- unnest only rows that differ
            WHERE field IS NOT NULL""",
    ]
    insert_issues(con, "registry", selects, batch_id, name)
    _other_side_of_duplicates(con, batch_id, others_filter, touched)
    # a household left as stored that this file raised an issue for is written after all, so that the
    # issue's line is its stored row's
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.late_hk AS SELECT hk FROM same_hh
                    WHERE hk IN (SELECT hk FROM data_issues WHERE batch_id = ? AND hk IS NOT NULL)""", [batch_id])
    _write_households(con, rows, "late_hk")
    touched.add("hk", "SELECT hk FROM write_hk UNION ALL SELECT hk FROM late_hk")
    # the exit inspection's checks and population figures are judged against the registry as it is now
    checks_flags = load_inspection.recheck(con, touched, "SELECT hk FROM rep_hk",
                                           "SELECT id_number FROM kept WHERE id_number IS NOT NULL",
                                           "SELECT township, village FROM hh", name)
    # so are the claims and rectification items of its households and ID numbers
    ledger_flags = ledger_registry.recheck(con, touched, "SELECT hk FROM rep_hk",
                                           "SELECT id_number FROM kept WHERE id_key IS NOT NULL", name)
    return int(scalar(con, "SELECT count(*) FROM keys")), {
        "tables": tables | checks_flags.get("tables", set()),
        "nohk": bool(checks_flags.get("nohk", False) or ledger_flags["nohk"]),
        "base": {"households", "members", "household_income", "data_issues", "household_keys"}}


# Registry columns every registry file has (etl.headers.REQUIRED): never absent.
_ALWAYS_PRESENT = ("household_id", "township", "village", "name", "id_number", "relation")
# The rules the registry loader judges again from each file's rows (with the stored value of a column the
# file lacks). Every other rule of a household or member is about a cell as the file that wrote it had
# it (an unknown code, a date that is none, control characters, rows that differ): it stays as long as
# the files after it lack that column.
REGISTRY_RULES = (*ID_RULES, "id_missing", "member_duplicate", "id_duplicate", "size_mismatch", "no_head",
                  "multiple_heads", "exit_without_year", "exit_before_identified", "exit_income_below_line",
                  "monitored_without_type", "missing_cause")


def _other_side_of_duplicates(con: duckdb.DuckDBPyConnection, batch_id: int, others_filter: str,
                              touched: Touched) -> None:
    """An ID number registered in two households is a defect of both archives (data-spec §3). The file's
    rows were flagged above; the other household, loaded by an earlier file, is flagged too, on its own
    row, batch and line (as if its own load had found it). Where the file's households no longer hold
    an ID number they shared, the other side's flag goes once no second household holds it."""
    if scalar(con, "SELECT count(*) FROM data_issues WHERE batch_id = ? AND rule = 'id_duplicate'", [batch_id]):
        con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.dup_other AS
            SELECT m.batch_id, b.file_name, m.source_line, m.member_key, m.household_id, m.id_number, m.hk
            FROM members m JOIN load_batches b USING (batch_id)
            WHERE m.hk NOT IN (SELECT hk FROM rep_hk){others_filter}
              AND m.id_number IN (SELECT raw_value FROM data_issues WHERE batch_id = ? AND rule = 'id_duplicate')
              AND (m.hk, m.id_number) NOT IN (SELECT hk, raw_value FROM data_issues
                                              WHERE rule = 'id_duplicate' AND hk IS NOT NULL)""",  # noqa: S608
                    [batch_id])
        # keyed by the member, as the file's own side is (its record was empty: a problem list's row
        # without its person)
        con.execute("""INSERT INTO data_issues SELECT batch_id, file_name, source_line, 'members', member_key,
                       household_id, 'id_number', id_number, 'id_duplicate', hk FROM dup_other""")
        touched.add("hk", "SELECT hk FROM dup_other")
    if scalar(con, "SELECT count(*) FROM dup_ids_before"):
        con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.dup_gone AS
            SELECT id_number FROM dup_ids_before
            EXCEPT SELECT id_number FROM members WHERE id_number IN (SELECT id_number FROM dup_ids_before)
                   GROUP BY id_number HAVING count(DISTINCT hk) > 1""")
        con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.dup_cleared AS
            SELECT DISTINCT hk FROM data_issues WHERE rule = 'id_duplicate' AND hk NOT IN (SELECT hk FROM rep_hk)
            AND raw_value IN (SELECT id_number FROM dup_gone)""")
        con.execute("""DELETE FROM data_issues WHERE rule = 'id_duplicate' AND hk IN (SELECT hk FROM dup_cleared)
                       AND raw_value IN (SELECT id_number FROM dup_gone)""")
        touched.add("hk", "SELECT hk FROM dup_cleared")


def _fill_blank_household_fields(con: duckdb.DuckDBPyConnection, household_checks: list[tuple[str, str]]) -> None:
    """A household field left blank on the representative (head's) row takes the value of the household's
    first row that has one (data-spec §3: a row is loaded as far as it can be). Some exports fill the
    household columns on one member's row only: the head's blank 脱贫属性 made a registered household
    unregistered, with a wrong 未填写监测类型 and seven 户内字段不一致 issues. A value on the head's row,
    valid or not (an invalid one is its issue), still wins; only households whose rows differ are read."""
    raws = {c: f"raw_{c}" for c in RAW_KEPT if c in HOUSEHOLD_FIELDS}

    def blank(c: str) -> str:
        flags = [f"NOT coalesce(hh.{issue_flag(r, c)}, false)" for r, col in household_checks if col == c]
        return " AND ".join([f"hh.{q(c)} IS NULL", *([f"hh.{q(raws[c])} IS NULL"] if c in raws else []), *flags])

    gaps = " OR ".join(f"({blank(c)})" for c in HOUSEHOLD_FIELDS)
    con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.hh_gap AS "  # noqa: S608 - ours
                f"SELECT household_id FROM hh WHERE fields_vary AND ({gaps})")
    if not scalar(con, f"SELECT count(*) FROM {STAGE_SCHEMA}.hh_gap"):  # noqa: S608 - ours
        con.execute(f"DROP TABLE {STAGE_SCHEMA}.hh_gap")
        return
    first = [f"arg_min(k.{q(c)}, k.source_line) FILTER (WHERE k.{q(c)} IS NOT NULL) AS {q(c)}" for c in HOUSEHOLD_FIELDS]
    first += [f"arg_min(k.{q(r)}, k.source_line) FILTER (WHERE k.{q(c)} IS NOT NULL) AS {q(r)}"
              for c, r in raws.items()]
    # the year a blank 识别时间 takes with it: of the first row that gives one (a year without a day too)
    first.append("arg_min(k.identified_year, k.source_line) FILTER (WHERE k.identified_year IS NOT NULL) "
                 "AS identified_year")
    # only from rows that agree with the head's on every field both have: a member's 2019 beside its
    # 已脱贫 made the head's 未脱贫 household one with an exit year (a probe); left blank, the differing
    # rows are flagged (household_fields_differ) for that field too
    agree = " AND ".join(f"(k.{q(c)} IS NULL OR hh.{q(c)} IS NULL OR {_as_compared(c, 'k')} = {_as_compared(c, 'hh')})"
                         for c in HOUSEHOLD_FIELDS)
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.hh_fill AS
                    SELECT k.household_id, {", ".join(first)} FROM kept k JOIN hh USING (household_id)
                    WHERE k.household_id IN (SELECT household_id FROM {STAGE_SCHEMA}.hh_gap) AND {agree}
                    GROUP BY k.household_id""")  # noqa: S608 - ours
    sets = [f"{q(c)} = CASE WHEN {blank(c)} THEN f.{q(c)} ELSE hh.{q(c)} END" for c in HOUSEHOLD_FIELDS]
    sets += [f"{q(r)} = CASE WHEN {blank(c)} THEN f.{q(r)} ELSE hh.{q(r)} END" for c, r in raws.items()]
    sets.append(f"identified_year = CASE WHEN {blank('identified_date')} THEN f.identified_year "
                "ELSE hh.identified_year END")
    con.execute(f"UPDATE hh SET {', '.join(sets)} FROM {STAGE_SCHEMA}.hh_fill f "  # noqa: S608 - ours
                "WHERE hh.household_id = f.household_id")
    con.execute(f"DROP TABLE {STAGE_SCHEMA}.hh_fill")
    con.execute(f"DROP TABLE {STAGE_SCHEMA}.hh_gap")


def _as_compared(field: str, alias: str = "") -> str:
    """A household field as member rows are compared on it: a list of codes (其他致贫原因) as a set, so
    `因残、缺水` on one row and `缺水,因残` on another agree."""
    col = f"{alias}.{q(field)}" if alias else q(field)
    return f"list_sort({col})" if FIELDS["registry"][field].type == "codelist" else col


def _cell_issue(alias: str, columns: Sequence[str]) -> str:
    """An issue (of table `alias`) about a cell of one of `columns` as its file had it."""
    names = ", ".join(f"'{c}'" for c in columns)
    rules = ", ".join(f"'{r}'" for r in REGISTRY_RULES)
    return f"({alias}.field IN ({names}) AND {alias}.rule NOT IN ({rules}))"


# The income years a registry file gives, per household: of income, a file replaces those alone.
_FILE_YEARS = """(t.hk, t.income_year) IN (SELECT (r.hk, h.income_year) FROM hh h JOIN rep_hk r USING (household_id)
                                           WHERE h.income_per_capita IS NOT NULL)"""
# The registry's tables of a household, each with the stored rows `t` a file replaces.
_REPLACED = {"households": "TRUE", "members": "TRUE", "household_income": _FILE_YEARS}


def _staged(table: str) -> str:
    return f"{STAGE_SCHEMA}.new_{table}"


def _stage_rows(con: duckdb.DuckDBPyConnection, table: str, select: str) -> str:
    """`select`'s rows as `table` would store them (its columns, their defaults), staged; a SELECT of them."""
    con.execute(f"CREATE OR REPLACE TABLE {_staged(table)} AS SELECT * FROM {table} LIMIT 0")  # noqa: S608
    con.execute(f"INSERT INTO {_staged(table)} BY NAME {select}")  # noqa: S608 - ours
    return f"SELECT * FROM {_staged(table)}"  # noqa: S608 - ours


def _same_households(con: duckdb.DuckDBPyConnection) -> None:
    """`same_hh`: the file's households whose rows it would write exactly as stored (every column but
    where a row came from, compared by one 64-bit hash per row summed per household, table and income
    year: `etl.content_hash`), that stay in their place and have no data issue stored. They are left as
    they are and not touched: a registry exported again whole with a few households changed costs what
    those households cost (issue 12). The stored side is the derived table `hh_content`; without it (a
    snapshot without derived tables) every household is written."""
    if not _has_table(con, "hh_content"):
        con.execute(f"CREATE OR REPLACE TABLE {STAGE_SCHEMA}.same_hh (hk INTEGER)")
        return
    new = " UNION ALL ".join(content_sql(con, table, _staged(table)) for table in CONTENT_TABLES)
    old = f"""SELECT * FROM hh_content t WHERE t.hk IN (SELECT hk FROM rep_hk)
              AND (t.tb <> 'household_income' OR {_FILE_YEARS})"""  # noqa: S608 - ours
    # every listed household has a staged households row: one without a stored one is new (differs)
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.same_hh AS
        SELECT coalesce(o.hk, n.hk) AS hk FROM ({old}) o FULL JOIN ({new}) n
            ON o.tb = n.tb AND o.hk = n.hk AND o.income_year IS NOT DISTINCT FROM n.income_year
        GROUP BY ALL HAVING NOT bool_or(o.h IS DISTINCT FROM n.h OR o.n IS DISTINCT FROM n.n)
        EXCEPT SELECT hk FROM todo_placed
        EXCEPT SELECT hk FROM data_issues WHERE hk IN (SELECT hk FROM rep_hk)
        -- an earlier file of this load wrote them: hh_content still holds them as they were before the
        -- load, so a later file that restores that state looked "unchanged" and was not applied
        EXCEPT SELECT hk FROM {stage_table("hk")}""")  # noqa: S608 - ours


def _write_households(con: duckdb.DuckDBPyConnection, rows: dict[str, str], households: str | None = None) -> None:
    """Replace the registry rows of the households in `stage.households` (None: all the file lists) by
    their new `rows` (a SELECT per table)."""
    if households and not scalar(con, f"SELECT count(*) FROM {STAGE_SCHEMA}.{households}"):  # noqa: S608
        return
    which = f"hk IN (SELECT hk FROM {STAGE_SCHEMA}.{households or 'rep_hk'})"
    for table, replaced in _REPLACED.items():
        con.execute(f"DELETE FROM {table} t WHERE t.{which} AND {replaced}")  # noqa: S608 - ours
        only = f" WHERE s.{which}" if households else ""
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM ({rows[table]}) s{only}")  # noqa: S608 - ours


# A column whose value is about another column's: a file that has the other one says this one too, blank
# when it lacks it. 收入年度 is the year of 人均纯收入: a later export's income without its year kept the
# stored year, so the new income was filed under the old year (2019's income history read the 2020
# figure, no file said so) and judged by the old year's line.
_SAID_WITH: dict[str, str] = {"income_year": "income_per_capita"}


def _columns_said(present: Sequence[str]) -> list[str]:
    """The columns a registry file says something about: the ones it has, and each column of
    `_SAID_WITH` whose companion it has (the blank is what it says)."""
    return [*present, *(c for c, with_ in _SAID_WITH.items() if with_ in present and c not in present)]


def _keep_absent_household_fields(con: duckdb.DuckDBPyConnection, present: Sequence[str]) -> None:
    """A registry file that lacks a column says nothing about it (a 健康状况 update from the health
    bureau has no 脱贫状态): the households it lists are upserted with the columns it has, and keep their
    stored value of every household column it does not have (docs/DECISIONS.md, "Households and
    members"). The stored values go into the staged rows before the household is built, so the household
    rules (exited without a year, below the line, …) judge the household as it will be stored."""
    absent = [c for c in HOUSEHOLD_FIELDS if c not in present and c not in _ALWAYS_PRESENT]
    if not absent:
        return
    stored = {c: ("household_size_declared" if c == "household_size" else c) for c in absent}
    sets = [f"{q(c)} = o.{q(stored[c])}" for c in absent]
    # a raw value that was there but not valid (an unknown code: stored NULL, its issue kept) is still
    # there for the rules that ask whether one was written (主要致贫原因 missing, 脱贫年度 missing)
    raw = [c for c in absent if c in RAW_KEPT]
    sets += [f"{q('raw_' + c)} = coalesce(CAST(o.{q(stored[c])} AS VARCHAR), o.{q('was_' + c)})" for c in raw]
    if "exit_status" in absent:
        sets.append("enjoys_policy = o.enjoys_policy")
    if "identified_date" in absent:
        sets.append("identified_year = o.identified_year")
    source = "(SELECT * FROM households WHERE hk IN (SELECT hk FROM rep_hk))"
    if raw:
        was = ", ".join(f"max(d.raw_value) FILTER (WHERE d.field = '{c}') AS {q('was_' + c)}" for c in raw)
        source = f"""(SELECT * FROM {source} LEFT JOIN (
                         SELECT d.household_id, {was} FROM data_issues d
                         WHERE d.table_name = 'households' AND d.hk IN (SELECT hk FROM rep_hk)
                           AND {_cell_issue('d', raw)} GROUP BY ALL
                     ) w USING (household_id))"""
    con.execute(f"""UPDATE stg SET {', '.join(sets)} FROM {source} o
                    WHERE stg.household_id = o.household_id AND stg.rejected_rule IS NULL""")  # noqa: S608 - ours


def _keep_absent_member_fields(con: duckdb.DuckDBPyConnection, present: Sequence[str]) -> None:
    """As `_keep_absent_household_fields`, for the member columns: a member the file lists again (same
    key: ID number, else 人编号; a member keyed by row order, by its name) keeps its stored value of each
    member column the file lacks. The member set is still the file's rows."""
    absent = [c for c in MEMBER_FIELDS if c not in present and c not in _ALWAYS_PRESENT]
    if not absent:
        return
    sets = ", ".join(f"{q(c)} = o.{q(c)}" for c in absent)
    # A member keyed by row order (no ID number, no 人编号) is matched by name instead, when the name is
    # one member's on both sides: the row order is only the file's, and a health update listing two
    # children without IDs in another order gave each the other's 文化程度. One without such a name keeps
    # nothing (a new member takes no one's values).
    con.execute(f"""UPDATE stg SET {sets} FROM (
                        WITH f AS (
                            SELECT k.source_line, k.household_id, k.member_key, s.name,
                                   coalesce(s.id_key, s.member_id) IS NULL AS by_order
                            FROM keys k JOIN stg s USING (source_line)),
                        mm AS (
                            SELECT *, starts_with(member_key, household_id || '#') AS by_order
                            FROM members WHERE hk IN (SELECT hk FROM rep_hk)),
                        f1 AS (SELECT household_id, name FROM f WHERE by_order AND name IS NOT NULL
                               GROUP BY ALL HAVING count(*) = 1),
                        mm1 AS (SELECT household_id, name FROM mm WHERE by_order AND name IS NOT NULL
                                GROUP BY ALL HAVING count(*) = 1)
                        SELECT f.source_line, mm.* EXCLUDE (source_line, by_order) FROM f
                        JOIN mm ON mm.household_id = f.household_id AND mm.member_key = f.member_key
                        WHERE NOT f.by_order
                        UNION ALL BY NAME
                        SELECT f.source_line, mm.* EXCLUDE (source_line, by_order) FROM f
                        JOIN f1 USING (household_id, name) JOIN mm1 USING (household_id, name)
                        JOIN mm ON mm.household_id = f.household_id AND mm.name = f.name AND mm.by_order
                        WHERE f.by_order) o
                    WHERE stg.source_line = o.source_line""")  # noqa: S608 - ours


def _other_ids_filter(con: duckdb.DuckDBPyConnection, touched: Touched) -> str:
    """A condition on `members` for the registry's ID duplicate check: which other households' members
    to compare with the file's ID numbers.

    A big file groups everyone's by hash (no condition; a hash table of its 30M IDs would not fit the
    memory cap). A small one looks up its IDs' hashes in `ix_id_numbers` (etl.hh_lookup) and reads
    only the members of the households they name, plus those this load wrote before this file (the
    index is refreshed when the load finishes); none at all when no hash matches. Without a usable
    index it probes the members' ID column."""
    small = hh_lookup.few_ids(con, int(scalar(con, "SELECT count(*) FROM keys") or 0))
    if not small:
        return ""
    same_ids = " AND id_number IN (SELECT id_number FROM kept WHERE id_key IS NOT NULL)"
    holders = hh_lookup.id_holders_sql(con, "SELECT id_number FROM kept WHERE id_key IS NOT NULL")
    if holders is None:
        return same_ids
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.id_hits AS
        SELECT DISTINCT hk FROM ({holders}) WHERE hk NOT IN (SELECT hk FROM rep_hk)""")  # noqa: S608 - our names
    if not int(scalar(con, "SELECT count(*) FROM id_hits") or 0):
        return " AND FALSE"
    return same_ids + " AND hk IN (SELECT hk FROM id_hits)"


def _file_household_keys(con: duckdb.DuckDBPyConnection) -> None:
    """`rep_hk`: the key of every household the file keeps a row of (new ones get theirs here). First,
    so that reading those households' stored rows is a scan of the integer `hk`, not a join on the
    household number's text over every stored row (3.1 s of a 100-household update at 10M households)."""
    kept = "SELECT household_id FROM stg WHERE rejected_rule IS NULL"
    keys.assign_household_keys(con, kept)
    con.execute(f"DROP TABLE IF EXISTS {STAGE_SCHEMA}.rep_hk")
    con.execute(f"ALTER TABLE {keys.HK_OF} RENAME TO rep_hk")


def _key_households(con: duckdb.DuckDBPyConnection, touched: Touched) -> set[str]:
    """The place order of those new or moved (`todo_placed`;
    a village whose gap was used up is renumbered, and its other households are updated here); their
    old area and seq (`old_pos`) for those that stay. All of them are touched. Returns the small tables
    changed whole (`area_keys` when villages were added or renumbered)."""
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.old_pos AS
                    SELECT hk, township, village, area, seq FROM households WHERE hk IN (SELECT hk FROM rep_hk)""")
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.todo AS
                    SELECT r.hk, hh.township, hh.village, hh.household_id
                    FROM hh JOIN rep_hk r USING (household_id) LEFT JOIN old_pos o USING (hk)
                    WHERE o.hk IS NULL OR o.township <> hh.township OR o.village <> hh.village""")
    areas = con.execute("SELECT count(*), sum(hash(area, base)) FROM area_keys").fetchall()[0]
    keys.place(con, f"{STAGE_SCHEMA}.todo")
    # households of renumbered villages that this file does not list: their new place order
    con.execute("""UPDATE households h SET seq = p.seq FROM stage.todo_placed p
                   WHERE h.hk = p.hk AND h.hk NOT IN (SELECT hk FROM rep_hk)""")
    touched.add("hk", "SELECT hk FROM todo_placed")  # the file's own: by _load_registry, unless unchanged
    after = con.execute("SELECT count(*), sum(hash(area, base)) FROM area_keys").fetchall()[0]
    return {"area_keys"} if after != areas else set()


def ledger_key_sql(kind: str) -> str:
    """A ledger record's key over a staged or a stored row: all its fields (问题编号 alone when a
    rectification item has one). A measure's year is the one stored, from 开始日期 when 实施年度 is blank:
    keyed on the blank, a row without the year and the same row with it were two records. A value stored
    blank though the file wrote something (`2020年6月`, no date: `invalid_date`) keys by that text, kept in
    the row's `unread_text` (`unread_key_part`)."""
    # each text escaped (a backslash or | gets a backslash before it), so that the joined text is one
    # record's alone: `王|`, `情况` and `王`, `|情况` were one key, and the second visit replaced the first
    # (a contract probe, 2026-12-06); a value without either character keys as before. The escape runs
    # only on a text holding one (two replaces on every value were 60% of the key's cost), and a number
    # or a date cannot hold one; concat_ws of non-NULL values is the `||` chain at half its cost.
    def part(c: str, ftype: str, field: str) -> str:
        text = f"coalesce({c}::VARCHAR, '')"
        if ftype not in _UNESCAPED_TYPES:
            text = (f"CASE WHEN contains({c}::VARCHAR, '|') OR contains({c}::VARCHAR, '\\') "
                    f"THEN {_escaped(f'{c}::VARCHAR')} ELSE {text} END")
        return unread_key_part(c, field, text) if ftype in UNREAD_TYPES else text
    parts = [part("coalesce(year, year(start_date))", "year", c) if (kind, c) == ("interventions", "year")
             else part(q(c), spec.type, c) for c, spec in FIELDS[kind].items()]
    key = "md5(concat_ws('|', " + ", ".join(parts) + "))"
    return f"coalesce(issue_id, {key})" if kind == "rectifications" else key


def _escaped(text: str) -> str:
    return f"replace(replace({text}, '\\', '\\\\'), '|', '\\|')"


def unread_key_part(value: str, field: str, text: str) -> str:
    """The key's part of a typed field: `text` (its value's), or, when the value is blank and the row's
    `unread_text` holds what the file wrote there, `?` and that text. Six visits of one household written
    `2020年1月`…`6月` (no day: no date) were one record, the last, while the summary said six loaded (the
    dates probe, 2026-12-07). A row without unread text keys as before, so stored keys stay valid."""
    written = f"json_extract_string(unread_text, '$.{field}')"
    return (f"CASE WHEN {value} IS NULL AND unread_text IS NOT NULL AND {written} IS NOT NULL "
            f"THEN '?' || {_escaped(written)} ELSE {text} END")


# field types whose value can be stored blank though the file wrote something (a date to the month, 约500
# 元, a code not on its list): a ledger row keeps that text in `unread_text`, so rows apart only there
# stay apart
UNREAD_TYPES = frozenset({"int", "months", "number", "amount", "income", "year", "date", "deadline", "yn", "code",
                          "codelist"})


def unread_fields(kind: str) -> list[str]:
    """The fields of ledger `kind` whose text a row keeps when it could not be read (`UNREAD_TYPES`)."""
    return [c for c, spec in FIELDS[kind].items() if spec.type in UNREAD_TYPES]


def unread_taken(mine: str, stored: str, fields: Sequence[str]) -> str:
    """A row's `unread_text` when it takes `fields` (columns its file lacks) from a stored row: its own
    texts and the stored row's of those fields."""
    if not fields:
        return mine
    theirs = ", ".join(f"'{c}', json_extract_string({stored}, '$.{c}')" for c in fields)
    return f"nullif(json_merge_patch(coalesce({mine}, '{{}}'), json_object({theirs}))::VARCHAR, '{{}}')"


def _stage_unread(con: duckdb.DuckDBPyConnection, kind: str, checks: list[tuple[str, str]]) -> bool:
    """Stage `unread`: per staged ledger row whose typed field is blank though a check on it failed (the
    file wrote text it could not read), the texts as written, a JSON object field -> text (`unread_text`).
    Only such rows reach the raw rows: a clean file costs one scan of its flags. True when any row has one."""
    flagged = {c: [issue_flag(rule, col) for rule, col in checks if col == c] for c in unread_fields(kind)}
    conds = {c: f"(s.{q(c)} IS NULL AND ({' OR '.join(f's.{f}' for f in flags)}))"
             for c, flags in flagged.items() if flags}
    if not conds or not scalar(con, f"SELECT count(*) FROM (SELECT 1 FROM stg s WHERE s.rejected_rule IS NULL "
                                    f"AND ({' OR '.join(conds.values())}) LIMIT 1)"):  # noqa: S608 - ours
        return False
    pairs = ", ".join(f"CASE WHEN {cond} THEN '\"{c}\":' || to_json(r.{q('raw_' + c)})::VARCHAR END"
                      for c, cond in conds.items())
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.unread AS
                    SELECT s.source_line AS unread_line, '{{' || concat_ws(',', {pairs}) || '}}' AS unread_text
                    FROM stg s JOIN raw_named r ON r._line = s.source_line
                    WHERE s.rejected_rule IS NULL AND ({' OR '.join(conds.values())})""")  # noqa: S608 - ours
    return True


# field types whose text can hold neither `|` nor a backslash: a key leaves them unescaped
_UNESCAPED_TYPES = frozenset({"int", "months", "number", "amount", "income", "year", "date", "deadline", "yn"})


def _measure_year_sql() -> str:
    """A staged measure's year: 实施年度, else the year of its 开始日期, also of one written to the month
    (`2020年6月`, `2020.6`), which is no date (`invalid_date`: the day is not guessed) but says the year:
    a measure of a ledger that dates its measures so had no year and was left out of every year's
    figures. The year is parsed only where the date was not (DuckDB evaluates a THEN for its rows only);
    a placeholder date's (1900-01-01: `date_too_early`) is no year either."""
    return (f"coalesce(year, year(start_date), CASE WHEN start_date IS NULL AND raw_start_date IS NOT NULL "
            f"THEN {nz.sql_year_not_before('raw_start_date', earliest_date('start_date').year)} END)")


def _load_ledger(
    con: duckdb.DuckDBPyConnection, kind: str, batch_id: int, name: str, checks: list[tuple[str, str]],
    touched: Touched, present: Sequence[str],
) -> tuple[int, dict[str, object]]:
    table = schema.LEDGER_TABLES[kind]
    cols = list(FIELDS[kind])
    absent = [c for c in cols if c not in present]
    key = ledger_key_sql(kind)
    # the key over the measure's year as stored (`_measure_year_sql`), so that a rebuild re-keys it alike
    staged = f"(SELECT * EXCLUDE (year), {_measure_year_sql()} AS year FROM stg)" if kind == "interventions" \
        else "stg"
    # the file's households get their keys first, so that the rows are staged once, with the key (a
    # second copy of the ledgers cost 4% of a full load at M)
    last_key = scalar(con, "SELECT coalesce(max(hk), 0) FROM household_keys") if kind == "rectifications" else 0
    keys.assign_household_keys(con, "SELECT household_id FROM stg WHERE rejected_rule IS NULL")
    unread = (f"LEFT JOIN {STAGE_SCHEMA}.unread u ON u.unread_line = s.source_line"
              if _stage_unread(con, kind, checks) else "LEFT JOIN (SELECT NULL::VARCHAR AS unread_text) u ON FALSE")
    con.execute(f"""
        CREATE OR REPLACE TABLE {STAGE_SCHEMA}.k AS
        SELECT s.*, u.unread_text, {key} AS record_key, hk.hk
        FROM {staged} s LEFT JOIN {keys.HK_OF} hk USING (household_id) {unread} WHERE s.rejected_rule IS NULL""")
    con.execute(f"DROP TABLE IF EXISTS {STAGE_SCHEMA}.unread")
    if kind == "rectifications":  # before the file's own later lines replace its earlier ones
        _reused_issue_ids(con)
    n_rows = load_inspection.dedupe_later_wins(con, "k")
    if kind == "rectifications":
        # The later line of a 问题编号 wins even when it names another household: a household keyed
        # above for the losing line alone has no row, and its key goes (no other table holds it). A
        # content key includes the household, so the other ledgers' dedupe keeps every household.
        con.execute("DELETE FROM household_keys WHERE hk > ? AND hk NOT IN (SELECT hk FROM k WHERE hk IS NOT NULL)",
                    [last_key])
        _keep_absent_item_fields(con, absent)
        if "deadline" in present:  # 立行立改: due the day the problem was found (its 发现日期, stored or sent)
            con.execute(f"""UPDATE k SET deadline = k.found_date FROM raw_named r
                            WHERE r._line = k.source_line AND k.deadline IS NULL
                            AND {nz.sql_immediate_deadline('r.raw_deadline')}""")  # noqa: S608 - ours
    mismatch = f"{claim_gap_sql()} > {CLAIM_TOLERANCE}"
    # the parts can add up only in a file that has the part that closes the sum (个人自付): a list of
    # totals and insurance payments alone flagged every claim; in a file without it, only a claim that
    # took its 个人自付 from the stored record it repeats (`_same_records`) is judged, as that record was
    parts_checked = kind == "medical_claims"
    if parts_checked and "out_of_pocket" not in present:
        mismatch += " AND out_of_pocket IS NOT NULL"
    # an item completed, or due, before it was found: one of its dates is wrong (an archive defect, not a
    # rejection). Judged where the file has 完成日期 (整改时限), against the stored 发现日期 when the file
    # lacks it (a status update); a file without the column keeps the stored issue, as any issue of a
    # column a file lacks. 立行立改 is due the day it was found: not before.
    early = [(rule, col, f"{col} < found_date") for rule, col in
             (("completed_before_found", "completed_date"), ("deadline_before_found", "deadline"))
             if kind == "rectifications" and col in present]
    issue_rules = [issue_flag(rule, col) for rule, col in checks]
    if parts_checked:
        issue_rules.append(mismatch)
    issue_rules += [cond for _, _, cond in early]
    if kind == "rectifications":  # a 问题编号 another township's item had (in this file or stored)
        _reused_issue_ids(con, stored=True)
        issue_rules.append(f"record_key IN (SELECT record_key FROM {STAGE_SCHEMA}.reused)")
    if "id_number" in FIELDS[kind]:
        issue_rules += list(ID_RULES.values())
    # The rows this file replaces. A content key includes the household, so the same key means the same
    # household: the integer key finds the candidates (one integer column scanned, not 40M texts).
    # 问题编号 may move an item to another household: the (small) ledger is searched by key alone.
    same_household = "" if kind == "rectifications" else "t.hk IN (SELECT hk FROM k) AND "
    covered = _same_records(con, table, cols, present, key) if kind in CONTENT_KEYED else ""
    _drop_unchanged_rows(con, table, cols, issue_rules, same_household)
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.gone AS
                    SELECT t.rowid AS r, t.hk, t.record_key FROM {table} t
                    WHERE {same_household}t.record_key IN (SELECT record_key FROM k){covered}""")
    con.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT r FROM gone)")
    col_list = ", ".join(q(c) for c in cols)
    con.execute(
        f"INSERT INTO {table} BY NAME SELECT record_key, {col_list}, unread_text, ? AS batch_id, source_line, hk FROM k",
        [batch_id],
    )
    touched.add("hk", "SELECT hk FROM k UNION SELECT hk FROM gone")
    if any(part.kind == "item" for part in OWNERS[table]):  # the items of no household written or replaced
        touched.add("item", "SELECT record_key FROM k WHERE hk IS NULL UNION SELECT record_key FROM gone WHERE hk IS NULL")
    nohk = bool(scalar(con, "SELECT (SELECT count(*) FROM k WHERE hk IS NULL) + "
                             "(SELECT count(*) FROM gone WHERE hk IS NULL)"))
    # an item's issues on a column the file lacks stay: the item keeps that column's stored value
    con.execute("""DELETE FROM data_issues WHERE table_name = ?
                   AND (hk IN (SELECT hk FROM k UNION SELECT hk FROM gone) OR hk IS NULL)
                   AND record_key IN (SELECT record_key FROM k)
                   AND (field IS NULL OR NOT list_contains(?, field))""", [table, absent])
    if covered:  # a record this file completes or repeats under another key: its issues go with it
        con.execute("""DELETE FROM data_issues WHERE table_name = ? AND hk IN (SELECT hk FROM gone)
                       AND record_key IN (SELECT record_key FROM gone EXCEPT SELECT record_key FROM k)""", [table])
    con.execute("DROP TABLE IF EXISTS covered")
    con.execute("DROP TABLE gone")
    selects = issue_selects("k", checks, table, "record_key")
    if parts_checked:
        selects.append(f"""
            SELECT source_line, '{table}', record_key, household_id, 'total_cost', raw_total_cost,
                   'claim_parts_mismatch' FROM k
            WHERE {mismatch}""")
    for rule, col, cond in early:  # the raw value (the date as written) is filled in from the file's row
        selects.append(f"""
            SELECT source_line, '{table}', record_key, household_id, '{col}', NULL::VARCHAR, '{rule}' FROM k
            WHERE {cond}""")
    if kind == "rectifications":
        selects.append(f"""
            SELECT source_line, '{table}', record_key, household_id, 'issue_id', issue_id,
                   '{REUSED_ISSUE_ID}' FROM k WHERE record_key IN (SELECT record_key FROM {STAGE_SCHEMA}.reused)""")
    if "id_number" in FIELDS[kind]:
        selects += id_issue_selects("k", table, "record_key")
    insert_issues(con, kind, selects, batch_id, name)
    con.execute(f"DROP TABLE IF EXISTS {STAGE_SCHEMA}.reused")
    if table in ledger_registry.TABLES:  # the rows against the registry as it is now
        nohk |= ledger_registry.apply(con, touched, table, "r.record_key IN (SELECT record_key FROM k)", name)
    return n_rows, {"nohk": nohk, "base": {table, "data_issues", "household_keys"}}


def _same_records(con: duckdb.DuckDBPyConnection, table: str, cols: Sequence[str], present: Sequence[str],
                  key: str) -> str:
    """A record of a ledger keyed by its fields (CONTENT_KEYED) that a file without one of its columns
    lists again is that record: data-spec §5 keys such a record by all its fields, and a file that lacks
    a column says nothing about it. A measure sent in a ledger with 责任单位 and in one without it was two
    records, and its money counted twice.

    Two rows are one record when they belong to one household and agree on every column that both of
    their files have (`load_batches.contract_columns`; a batch loaded before they were recorded counts as
    having every column). A staged row first takes, for each column its file lacks, the value of the first
    stored record it so agrees with (and so its key: the record repeated is left as stored); then every
    stored record it still agrees with under another key, one whose file lacked a column this one has, is
    replaced by it. Returns the condition (`OR …`) that adds those to the rows the file replaces, or ''
    when neither the file nor a stored batch of its kind lacks a column (the common case costs one query)."""
    absent = [c for c in cols if c not in present]
    partial = scalar(con, "SELECT count(*) FROM load_batches WHERE kind = ? AND NOT list_has_all(contract_columns, ?)",
                     [kind_of_table(table), list(cols)])
    if not absent and not partial:
        return ""

    unread = set(unread_fields(kind_of_table(table)))

    def same(c: str) -> str:  # equal values, and equal texts as written where a value was not read
        written = f"IS NOT DISTINCT FROM json_extract_string(t.unread_text, '$.{c}')"
        return f"k.{q(c)} IS NOT DISTINCT FROM t.{q(c)}" + (
            f" AND json_extract_string(k.unread_text, '$.{c}') {written}" if c in unread else "")

    def agree(columns: Sequence[str]) -> str:
        # a stored row's value counts only where its file had the column (its batch's `done` list)
        return " AND ".join(f"({same(c)} OR NOT coalesce(list_contains(t.done, '{c}'), TRUE))"
                            for c in columns if c != "household_id") or "TRUE"

    def pairs(where: str, stored: str) -> str:
        return (f"FROM {STAGE_SCHEMA}.k JOIN (SELECT t.*, t.rowid AS r, b.contract_columns AS done FROM {table} t "
                f"LEFT JOIN load_batches b ON b.batch_id = t.batch_id WHERE {stored}) t ON t.hk = k.hk WHERE {where}")

    if absent:
        taken = ", ".join([f"{q(c)} = m.{q(c)}" for c in absent] + [
            f"unread_text = {unread_taken('k.unread_text', 'm.unread_text', [c for c in absent if c in unread])}"])
        picked = ", ".join([f"t.{q(c)}" for c in absent] + ["t.unread_text"])
        con.execute(f"""UPDATE {STAGE_SCHEMA}.k SET {taken}, record_key = NULL FROM (
                            SELECT DISTINCT ON (k.source_line) k.source_line AS line, {picked}
                            {pairs(agree([c for c in cols if c in present]), 't.hk IN (SELECT hk FROM k)')}
                            ORDER BY k.source_line, t.batch_id, t.source_line) m
                        WHERE k.source_line = m.line""")  # noqa: S608 - our names
        con.execute(f"UPDATE {STAGE_SCHEMA}.k SET record_key = {key} WHERE record_key IS NULL")  # noqa: S608
    # only a record whose file lacked a column can be covered under another key: the search is among those
    con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.covered AS SELECT DISTINCT t.r
                    {pairs(agree(cols) + ' AND t.record_key <> k.record_key',
                           'NOT list_has_all(b.contract_columns, $cols)')}""", {"cols": list(cols)})  # noqa: S608
    return " OR t.rowid IN (SELECT r FROM covered)"


REUSED_ISSUE_ID = "issue_id_other_place"


def _reused_issue_ids(con: duckdb.DuckDBPyConnection, *, stored: bool = False) -> None:
    """The 问题编号 of the staged items `k` that name another 乡(镇) than another row of the same number:
    first (`stored=False`, before the file's later lines replace its earlier ones) among the file's
    own rows, then (`stored=True`) against the item stored under it, which the row replaces. An item is
    its 问题编号 (data-spec §5), so the later row still wins; but townships that number their items
    each from 1 lost every item of one township but the last to another, with nothing said (a probe's
    workbook of a sheet per township): the row that replaced it carries `issue_id_other_place`."""
    if not stored:
        con.execute(f"""CREATE OR REPLACE TABLE {STAGE_SCHEMA}.reused AS
                        SELECT record_key FROM {STAGE_SCHEMA}.k WHERE issue_id IS NOT NULL AND township IS NOT NULL
                        GROUP BY record_key HAVING count(DISTINCT township) > 1""")  # noqa: S608 - our names
        return
    con.execute(f"""INSERT INTO {STAGE_SCHEMA}.reused
                    SELECT DISTINCT k.record_key FROM {STAGE_SCHEMA}.k JOIN rectifications o
                        ON o.record_key = k.record_key AND o.township <> k.township
                    WHERE k.issue_id IS NOT NULL""")  # noqa: S608 - our names


def _keep_absent_item_fields(con: duckdb.DuckDBPyConnection, absent: Sequence[str]) -> None:
    """A rectification ledger that lacks a column says nothing about it (a status update of 问题编号,
    整改状态 and 完成日期 only): an item it lists again by its 问题编号 keeps its stored value of each
    column the file does not have (its 整改时限 above all: without it the item could not be overdue),
    as a registry file keeps the household columns it lacks."""
    if not absent:
        return
    sets = [f"{q(c)} = o.{q(c)}" for c in absent] + (["hk = o.hk"] if "household_id" in absent else []) + [
        f"unread_text = {unread_taken('k.unread_text', 'o.unread_text', [c for c in absent if c in unread_fields('rectifications')])}"]
    con.execute(f"""UPDATE {STAGE_SCHEMA}.k SET {', '.join(sets)} FROM rectifications o
                    WHERE k.issue_id IS NOT NULL AND o.issue_id = k.issue_id""")  # noqa: S608 - our names


def _loaded_before(con: duckdb.DuckDBPyConnection, sha256: str, kind: str,
                   own: list[str]) -> tuple[tuple[int, int, int], str | None] | None:
    """The counts of this file's (sheet's) last load, and the name of the latest file of its kind that
    loaded rows after it (the other sheets of the same workbook aside), if any; None when never loaded.

    The same file again changes nothing (data-spec §5), even after another file of its kind: a folder
    of exports chosen again, the older ones last, must not roll the newer data back. The summary names
    that later file, and `reload` loads the file again when its data should be current again. Not for a
    ledger whose records are all their fields (`CONTENT_KEYED`): no later file can change a value its rows
    brought (one only fills in a column the file lacked, `_same_records`). Nor such a ledger's batch an
    upgrade to version 30 found rows of that it had keyed as one (`schema.UNREAD_BATCHES`)."""
    redo = scalar(con, "SELECT value FROM meta WHERE key = ?", [schema.UNREAD_BATCHES]) \
        if kind in CONTENT_KEYED else None
    row = con.execute(
        """SELECT b.rows_loaded, b.rows_rejected, b.issues,
                  (SELECT l.file_name FROM load_batches l WHERE l.kind = b.kind AND l.batch_id > b.batch_id
                     AND l.rows_loaded > 0 AND NOT list_contains(?, l.sha256)
                   ORDER BY l.batch_id DESC LIMIT 1)
           FROM load_batches b WHERE b.sha256 = ? AND b.kind = ?
             AND NOT list_contains(?, b.batch_id::VARCHAR)
           ORDER BY b.batch_id DESC LIMIT 1""",
        [own, sha256, kind, redo.split(",") if redo else []],
    ).fetchone()
    if not row:
        return None
    return (int(row[0]), int(row[1]), int(row[2])), None if kind in CONTENT_KEYED else row[3]


# Ledgers without a record id: a record is all its fields (ledger_key_sql), so a later file adds records,
# repeats them or fills in a column another file lacked (`_same_records`), and never changes a value
# another file brought.
CONTENT_KEYED = ("interventions", "visits", "medical_claims")


def _drop_unchanged_rows(con: duckdb.DuckDBPyConnection, table: str, cols: Sequence[str],
                         issue_rules: Sequence[str], candidates: str) -> None:
    """Take out of the staged ledger rows `k` those the table already holds as they are: same record,
    same household, every field equal, and no data issue, neither stored nor raised by the new row.
    They stay as stored (with the file and line that first delivered them), and their households are
    not touched: a ledger exported again with one item changed costs what that item costs (issue 12).
    A row with an issue goes the full way, so its issue rows always name the latest file and line.
    `candidates`: a condition (and AND) on the stored rows `t` that narrows the search first."""
    equal = " AND ".join(f"k.{q(c)} IS NOT DISTINCT FROM t.{q(c)}" for c in (*cols, "unread_text"))
    clean = f"NOT coalesce({' OR '.join(f'({r})' for r in issue_rules)}, false)" if issue_rules else "TRUE"
    con.execute(f"""
        DELETE FROM {STAGE_SCHEMA}.k WHERE record_key IN (
            SELECT k.record_key FROM (SELECT * FROM {STAGE_SCHEMA}.k WHERE {clean}) k JOIN {table} t
                ON t.record_key = k.record_key AND t.hk IS NOT DISTINCT FROM k.hk AND {equal}
            WHERE {candidates}k.record_key NOT IN (
                SELECT record_key FROM data_issues WHERE table_name = ? AND record_key IS NOT NULL))""",
        [table])  # noqa: S608 - our names


def schema_version(db: str | Path | None = None) -> str | None:
    """The schema version of the current snapshot (None when there is no database)."""
    try:
        con, _ = snapshot.connect_read(db)
    except FileNotFoundError:
        return None
    try:
        return schema.recorded_version(con)
    finally:
        con.close()


class UpgradeError(RuntimeError):
    """A snapshot this version cannot rebuild without losing loaded data; nothing was changed."""


@dataclass
class Rebuilt:
    """What `rebuild` did: the version it upgraded from, and the rows of every base table it kept."""

    db: Path
    from_version: str
    rows: dict[str, int]
    reload_files: list[str] = field(default_factory=list)  # ledgers to load again (`_unread_from_issues`)

    def message(self, lang: str = "zh") -> str:
        kept = t("list.sep", lang).join(f"{table} {n:,}" for table, n in self.rows.items() if n)
        if self.from_version == schema.SCHEMA_VERSION:
            return t("cli.refreshed", lang, db=self.db, rows=kept or "0")
        text = t("cli.upgraded", lang, db=self.db, old=self.from_version, new=schema.SCHEMA_VERSION, rows=kept or "0")
        if self.reload_files:
            text += "\n" + t("cli.upgraded_reload", lang, files=t("list.sep", lang).join(self.reload_files))
        return text


def rebuild(db: str | Path | None = None, source: Path | None = None, lang: str = "zh",
            before: Callable[[Path | None], None] | None = None, meta: dict[str, str] | None = None) -> Rebuilt:
    """A new snapshot with the same base tables (and keys) and every derived table built whole by this
    version's code, published like a load. This is also the upgrade: a snapshot of an older schema
    version (or `source`, a backup file) has its base tables copied by column name into this version's
    tables (rows without keys get them, etl.keys) and its derived tables built anew. It never loses a
    loaded row: a base column this version has no place for (not in `schema.DROPPED_COLUMNS`), a
    snapshot of a newer version, or a row count that differs after the copy raises `UpgradeError` and
    leaves the current snapshot as it was. `before`: as `snapshot.writer`'s (a restore's backup of the
    current data); `meta`: keys recorded in `meta` besides (a restore's, `schema.RESTORED_FROM`)."""
    target = snapshot.db_path(db)
    with snapshot.writer(target, fresh=True, before=before) as w:
        old = source or snapshot.current_snapshot(target)  # under the write lock: no load publishes meanwhile
        if old is None:
            raise FileNotFoundError(f"no database at {target}")
        con = w.con
        schema.create_all(con)
        con.execute("ATTACH ? AS old (READ_ONLY)", [str(old)])
        from_version = schema.recorded_version(con, "old")
        if int(from_version) > int(schema.SCHEMA_VERSION):
            raise UpgradeError(t("cli.schema_newer", lang, version=from_version, mine=schema.SCHEMA_VERSION))
        rows = {table: _copy_base_table(con, table, lang) for table in schema.TABLES_DDL}
        con.execute("DETACH old")
        if int(from_version) < 22:
            _rekey_measures(con)
        if int(from_version) < 29:
            _identified_years(con)
        reload_files = _unread_from_issues(con) if int(from_version) < 30 else []
        if int(from_version) < 31:
            _negative_incomes_from_issues(con)
        derive.build_all(con)
        write_meta(con)
        if meta:
            set_meta(con, meta)
        w.full = True
    del rows["meta"]
    return Rebuilt(target, from_version, rows, reload_files)


def _identified_years(con: duckdb.DuckDBPyConnection) -> None:
    """Versions before 29 kept no 识别年度 of their own: each household's is its 识别时间's year, or, for one
    stored without a date, the year its raw value (kept by its `invalid_date` issue) gives (`2014年`)."""
    con.execute("UPDATE households SET identified_year = year(identified_date) WHERE identified_date IS NOT NULL")
    year = identified_year_sql("d.raw_value")
    con.execute(f"""UPDATE households h SET identified_year = y.year FROM (
                        SELECT d.household_id, max({year}) AS year FROM data_issues d
                        WHERE d.table_name = 'households' AND d.field = 'identified_date' AND d.rule = 'invalid_date'
                        GROUP BY d.household_id) y
                    WHERE h.household_id = y.household_id AND h.identified_date IS NULL AND y.year IS NOT NULL""")  # noqa: S608 - ours


def _negative_incomes_from_issues(con: duckdb.DuckDBPyConnection) -> None:
    """Versions before 31 stored a negative 人均纯收入 as no figure (`negative_amount`, its text kept by the
    issue), so an exited household at -200 was no 疑似错退. Each such income is set from its issue's raw
    value (the issue of the stored row's batch), the issue becomes `negative_income`, the household's
    income of that year joins its history, and an exited household gets the `exit_income_below_line`
    issue a load now gives it."""
    number = nz.sql_number("d.raw_value")
    for table, key in (("households", "household_id"), ("household_checks", "record_key")):
        con.execute(f"""UPDATE {table} t SET income_per_capita = i.income FROM (
                            SELECT d.record_key, d.batch_id, min({number}) AS income FROM data_issues d
                            WHERE d.table_name = ? AND d.field = 'income_per_capita' AND d.rule = 'negative_amount'
                            GROUP BY ALL) i
                        WHERE t.{key} = i.record_key AND t.batch_id = i.batch_id
                          AND t.income_per_capita IS NULL AND i.income < 0""", [table])  # noqa: S608 - ours
    con.execute("""UPDATE data_issues SET rule = 'negative_income'
                   WHERE table_name IN ('households', 'household_checks') AND field = 'income_per_capita'
                     AND rule = 'negative_amount'""")
    con.execute("""INSERT INTO household_income
                   SELECT h.household_id, h.income_year, h.income_per_capita, h.batch_id, h.hk FROM households h
                   WHERE h.income_per_capita < 0 AND h.income_year IS NOT NULL AND NOT EXISTS (
                       SELECT 1 FROM household_income i WHERE i.household_id = h.household_id
                         AND i.income_year = h.income_year AND i.batch_id = h.batch_id)""")
    con.execute(f"""INSERT INTO data_issues (batch_id, file_name, line, table_name, record_key, household_id, field,
                                             raw_value, rule, hk)
                    SELECT d.batch_id, d.file_name, d.line, 'households', h.household_id, h.household_id,
                           'income_per_capita', d.raw_value, 'exit_income_below_line', h.hk
                    FROM households h JOIN data_issues d
                      ON d.table_name = 'households' AND d.record_key = h.household_id AND d.batch_id = h.batch_id
                         AND d.field = 'income_per_capita' AND d.rule = 'negative_income'
                    WHERE h.exit_status = '已脱贫' AND h.income_per_capita < 0
                      AND list_contains($years, {income_line_year_sql('h')}) AND NOT EXISTS (
                          SELECT 1 FROM data_issues e WHERE e.table_name = 'households' AND e.record_key = h.household_id
                            AND e.rule = 'exit_income_below_line')""",  # noqa: S608 - ours
                {"years": sorted(POVERTY_LINE)})


def _unread_from_issues(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Versions before 30 kept no text of a ledger value they could not read (`unread_text`), and keyed
    rows apart only there as one record (the last line won). A stored row's text is its issue's raw value
    (`invalid_date` … keep it): it is set, and the row and its issues keyed as this version keys them, so
    that the file loaded again adds the rows it lost instead of repeating the one it kept. The batches of
    such rows are recorded (`schema.UNREAD_BATCHES`): a file of a record ledger (`CONTENT_KEYED`) they
    loaded is no longer taken for one loaded already (`_loaded_before`), so loading it again does that.
    Returns their files' names, for the upgrade's message."""
    batches: set[int] = set()
    for kind, table in schema.LEDGER_TABLES.items():
        fields = unread_fields(kind)
        blank = "CASE d.field " + " ".join(f"WHEN '{c}' THEN t.{q(c)} IS NULL" for c in fields) + " END"
        con.execute(f"""CREATE OR REPLACE TEMP TABLE unread_old AS
                        SELECT t.rowid AS r, '{{' || string_agg('"' || d.field || '":' || to_json(d.raw)::VARCHAR, ','
                                                      ORDER BY list_position($fields, d.field)) || '}}' AS unread_text
                        FROM {table} t JOIN (SELECT record_key, field, max(raw_value) AS raw FROM data_issues
                                             WHERE table_name = $table AND list_contains($fields, field)
                                               AND raw_value IS NOT NULL GROUP BY ALL) d
                          ON d.record_key = t.record_key AND {blank}
                        GROUP BY t.rowid""", {"fields": fields, "table": table})  # noqa: S608 - ours
        con.execute(f"UPDATE {table} t SET unread_text = u.unread_text FROM unread_old u WHERE t.rowid = u.r")  # noqa: S608
        if kind in CONTENT_KEYED:
            batches |= {r[0] for r in con.execute(f"SELECT DISTINCT batch_id FROM {table} "  # noqa: S608 - ours
                                                  "WHERE rowid IN (SELECT r FROM unread_old)").fetchall()}
        _key_again(con, kind, "rowid IN (SELECT r FROM unread_old)")
        con.execute("DROP TABLE unread_old")
    if not batches:
        return []
    set_meta(con, {schema.UNREAD_BATCHES: ",".join(map(str, sorted(batches)))})
    return [r[0] for r in con.execute("SELECT DISTINCT file_name FROM load_batches WHERE list_contains(?, batch_id) "
                                      "ORDER BY ALL", [sorted(batches)]).fetchall()]


def _rekey_measures(con: duckdb.DuckDBPyConnection) -> None:
    """Versions before 22 keyed a measure without 实施年度 on the blank (ledger_key_sql): key every
    measure, and its issues, as this version does. Rows that were two records of one measure now share
    a key, and the next file that lists the measure replaces both; no row is dropped here."""
    _key_again(con, "interventions")


def _key_again(con: duckdb.DuckDBPyConnection, kind: str, rows: str = "TRUE") -> None:
    """Key the stored rows of ledger `kind` that `rows` (a condition of ours) selects, and their issues,
    as this version keys them (ledger_key_sql): the upgrades' step when a key's definition changed."""
    table, key = schema.LEDGER_TABLES[kind], ledger_key_sql(kind)
    con.execute(f"CREATE OR REPLACE TEMP TABLE rekey AS SELECT DISTINCT record_key AS old, {key} AS new "
                f"FROM {table} WHERE {rows}")  # noqa: S608 - ours
    con.execute("""UPDATE data_issues d SET record_key = r.new FROM rekey r
                   WHERE d.table_name = ? AND d.record_key = r.old AND r.old <> r.new""", [table])
    con.execute(f"UPDATE {table} SET record_key = {key} WHERE {rows}")  # noqa: S608 - ours
    con.execute("DROP TABLE rekey")


def _copy_base_table(con: duckdb.DuckDBPyConnection, table: str, lang: str) -> int:
    """Copy a base table of the attached snapshot `old` by column name; its row count (checked)."""
    cols = table_columns(con, table, "old")
    if not cols:
        return 0  # an older version without this table
    mine = set(table_columns(con, table))
    lost = [c for c in cols if c not in mine and c not in schema.DROPPED_COLUMNS.get(table, ())]
    if lost:
        raise UpgradeError(t("cli.upgrade_lost", lang, table=table, columns=t("list.sep", lang).join(lost)))
    shared = ", ".join(q(c) for c in cols if c in mine)
    con.execute(f"INSERT INTO {table} ({shared}) SELECT {shared} FROM old.{table}")
    n_old = int(scalar(con, f"SELECT count(*) FROM old.{table}") or 0)
    n_new = int(scalar(con, f"SELECT count(*) FROM {table}") or 0)
    if n_new != n_old:
        raise UpgradeError(t("cli.upgrade_rows", lang, table=table, old=n_old, new=n_new))
    return n_new


refresh = rebuild  # the name `make run` used before (python -m etl refresh)


def record_meta(db: str | Path | None, values: dict[str, str]) -> None:
    """Record `values` in the current data's `meta` as a snapshot of its own (the demo's marker). The
    other snapshot file is made a copy of this one (no changeset): for the demo's 20 MB, nothing."""
    with snapshot.writer(db) as w:
        set_meta(w.con, values)


def set_meta(con: duckdb.DuckDBPyConnection, values: dict[str, str]) -> None:
    """`values` written into `meta`, replacing those keys."""
    con.executemany("DELETE FROM meta WHERE key = ?", [[k] for k in values])
    con.executemany("INSERT INTO meta VALUES (?, ?)", list(values.items()))


def write_meta(con: duckdb.DuckDBPyConnection) -> None:
    """When the snapshot was built. The data's as-of date is derived with the other tables (facts_meta)."""
    # the county's clock, as load_batches.loaded_at (the server's zone is often UTC)
    set_meta(con, {"built_at": clock.now().isoformat(timespec="seconds"), "schema_version": schema.SCHEMA_VERSION})
