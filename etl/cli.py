"""Command line: `python -m etl load FILE... [--db PATH] [--json]`, `demo`, `rebuild` (also the upgrade),
`backup DIR`, `restore DIR|FILE`. `python -m etl --help` and `python -m etl COMMAND --help` list the
options; docs/DATA.md documents them (generated from `build_parser`, etl.docs).

Exit codes: 0 every file read (even with rejected rows), 1 a file could not be read, 2 usage error.
Usage errors and `--help` are in the language of `--lang`/$FUPIN_LANG (etl.cli_parser); a usage error
with `--json` on the line is the JSON error object other failures print.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import duckdb

from etl import snapshot
from etl.cli_parser import (
    LabelledParser,
    UsageError,
    add_lang_option,
    argv_lang,
    options,
    path_error_text,
    terminal_text,
)
from etl.duck import interrupted
from etl.file_types import ACCEPTED_SUFFIXES
from etl.load import LoadReport, load_files, record_meta
from etl.schema import DEMO_KEY
from labels import t


def _terminal_progress(enabled: bool):
    def show(fraction: float, text: str) -> None:
        if not enabled:
            return
        width = 30
        filled = int(width * fraction)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {terminal_text(text[:60]):<60}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def _print_report(report: LoadReport, as_json: bool, lang: str) -> None:
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return
    # a load that made the database says so: a mistyped --db would load, unsaid, where nobody reads
    print(terminal_text(t("cli.db_created" if report.created_db else "cli.db", lang, db=report.db)))
    print("\n".join(map(terminal_text, report.summary_in_order(lang))))


def build_parser(lang: str = "zh") -> argparse.ArgumentParser:
    """The command line's parser, its help and usage errors in `lang` (also read by etl.docs to document
    every command and option, in Chinese)."""
    def h(key: str, **params: object) -> str:
        return t(key, lang, **params)

    parser = LabelledParser(prog="python -m etl", description=h("cli.description"), lang=lang)
    add_lang_option(parser)
    sub = parser.add_subparsers(dest="command", required=True, title=h("cli.commands"))

    def command(name: str, key: str, **params: object) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=h(key, **params), description=h(key, **params))

    def db_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--db", type=Path, default=None, metavar=h("cli.metavar.path"), help=h("cli.help.db"))

    def json_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help=h("cli.help.json"))

    p_load = command("load", "cli.help.load", suffixes=", ".join(ACCEPTED_SUFFIXES))
    p_load.add_argument("files", nargs="+", type=Path, metavar=h("cli.metavar.file"), help=h("cli.help.load.files"))
    db_option(p_load)
    json_option(p_load)
    p_load.add_argument("--reload", action="store_true", help=h("cli.help.load.reload"))
    for name in ("rebuild", "refresh"):  # refresh: the name used before
        p_rebuild = command(name, f"cli.help.{name}")
        db_option(p_rebuild)
        p_rebuild.add_argument("--if-stale", action="store_true", help=h("cli.help.rebuild.if_stale"))
    p_backup = command("backup", "cli.help.backup")
    p_backup.add_argument("dir", type=Path, metavar=h("cli.metavar.dir"), help=h("cli.help.backup.dir"))
    db_option(p_backup)
    p_backup.add_argument("--keep", type=int, default=None, metavar="N", help=h("cli.help.backup.keep"))
    p_restore = command("restore", "cli.help.restore")
    p_restore.add_argument("source", type=Path, metavar=h("cli.metavar.source"), help=h("cli.help.restore.source"))
    p_restore.add_argument("--no-backup", action="store_true", help=h("cli.help.restore.no_backup"))
    db_option(p_restore)
    p_demo = command("demo", "cli.help.demo")
    db_option(p_demo)
    p_demo.add_argument("--out", type=Path, default=None, metavar=h("cli.metavar.dir"), help=h("cli.help.demo.out"))
    p_demo.add_argument("--households", type=int, default=None, metavar=h("cli.metavar.households"),
                        help=h("cli.help.demo.households"))
    json_option(p_demo)
    p_demo.add_argument("--replace", action="store_true", help=h("cli.help.demo.replace"))
    p_export = command("export-parquet", "cli.help.export")
    p_export.add_argument("dir", type=Path, metavar=h("cli.metavar.dir"), help=h("cli.help.export.dir"))
    db_option(p_export)
    p_export.add_argument("--ddl", choices=["spark", "trino"], default=None, help=h("cli.help.export.ddl"))
    p_export.add_argument("--location", default=None, metavar="URI", help=h("cli.help.export.location"))
    return parser


def _rebuild(db: Path | None, if_stale: bool, lang: str) -> int:
    from etl import schema
    from etl.load import UpgradeError, rebuild, schema_version

    version = schema_version(db)
    if version is None:
        print(t("cli.no_db", lang, db=snapshot.db_path(db)), file=sys.stderr)
        return 1
    if if_stale and version == schema.SCHEMA_VERSION:
        return 0
    if version != schema.SCHEMA_VERSION:
        print(t("cli.upgrading", lang, old=version, new=schema.SCHEMA_VERSION), flush=True)
    try:
        print(rebuild(db, lang=lang).message(lang))
    except UpgradeError as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _backup_or_restore(args: argparse.Namespace, lang: str) -> int:
    from etl import backup, schema
    from etl.load import UpgradeError

    if args.command == "backup" and args.keep is not None and args.keep < 1:
        print(t("cli.backup_keep_bad", lang, n=args.keep), file=sys.stderr)
        return 2
    try:
        if args.command == "backup":
            file, m = backup.backup(args.dir, args.db, lang)
            print(t("cli.backup_done", lang, file=file, generation=m.generation, version=m.schema_version,
                    size=backup.human_size(m.bytes), households=m.households))
            removed = backup.prune(args.dir, args.keep) if args.keep else []
            if removed:
                print(t("cli.backup_pruned", lang, n=len(removed), keep=args.keep,
                        names=t("list.sep", lang).join(p.name for p in removed)))
        else:
            db, m, kept = backup.restore(args.source, args.db, lang, keep_current=not args.no_backup)
            # a backup of an older version said 程序版本 28 of data now at 29 (a probe)
            print(t("cli.restore_done", lang, file=m.file, db=db, version=m.schema_version, households=m.households)
                  if m.schema_version == schema.SCHEMA_VERSION else
                  t("cli.restore_upgraded", lang, file=m.file, db=db, old=m.schema_version, new=schema.SCHEMA_VERSION,
                    households=m.households))
            if kept is not None:
                print(t("cli.restore_kept", lang, file=kept))
    except (backup.BackupError, UpgradeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


DUCKDB_MAGIC = b"DUCK"  # bytes 8-11 of every DuckDB database file


def _not_a_duckdb_file(db: Path) -> bool:
    """True when the database path (or the snapshot its link points to) is a file that is not a DuckDB
    database (an export, a text file); an empty or unreadable file is left to the command's own errors."""
    try:
        snap = snapshot.current_snapshot(db)
        if snap is None:
            return False
        with snap.open("rb") as f:
            head = f.read(12)
    except OSError:
        return False
    return bool(head) and head[8:12] != DUCKDB_MAGIC


# the commands that take the loaders' write lock (etl.snapshot.write_lock), so wait for a load under way
WRITERS = ("load", "demo", "rebuild", "refresh", "backup", "restore")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv_lang(argv))
    try:
        args = parser.parse_args(argv)
    except UsageError as exc:  # exit code 2, in the user's language; under --json the JSON error object
        _fail(exc.message, "--json" in options(argv), shown=exc)  # on stderr with the usage above it
        return 2
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    lang = args.lang
    db = snapshot.db_path(getattr(args, "db", None))
    if db.is_dir():
        # a folder given for the database (`--db data/`): a load did all its work, then failed to publish,
        # naming a hidden link (.data.1a2b3c4d.link) the user never typed, and left it behind (a probe)
        _fail(t("cli.db_is_folder", lang, db=db), getattr(args, "json", False))
        return 1
    if _not_a_duckdb_file(db):
        # an export given for the database (`--db 贫困人口信息.csv`): DuckDB opens a .csv as a database of
        # one view, so the command ended in a traceback (Cannot launch in-memory database in read-only
        # mode), and a file of another kind said 无法完成 with DuckDB's English (a contract probe)
        _fail(t("cli.db_not_duckdb", lang, db=db), getattr(args, "json", False))
        return 1
    if args.command in WRITERS and not getattr(args, "json", False) and snapshot.write_lock_busy(db):
        # another load holds the lock: said, as the page says it, instead of a silent wait (a probe)
        print(t("insp.data.queued", lang), file=sys.stderr, flush=True)
    before = _generation(args)
    try:
        return _run(args, lang)
    except (KeyboardInterrupt, duckdb.InterruptException, RuntimeError) as exc:  # Ctrl-C: what stands, no traceback
        if not interrupted(exc):
            raise
        after = _generation(args)
        published = after is not None and after != before
        print(t("cli.interrupted_published" if published else "cli.interrupted", lang,
                db=snapshot.db_path(getattr(args, "db", None))), file=sys.stderr)
        return 0 if published else 130
    except (OSError, duckdb.Error) as exc:  # a folder not writable, a disk full, a path that is a folder
        # after the publish (its summary written to a closed pipe, `etl load … | head`), the error said
        # 数据库未作更改 of data that had changed (a probe)
        after = _generation(args)
        published = snapshot.db_path(getattr(args, "db", None)) if after is not None and after != before else None
        message = path_error_text(exc, lang, published)
        if message is None and not isinstance(exc, (OSError, duckdb.IOException)):
            raise  # another DuckDB error: a defect of ours, its traceback
        if message is None:
            message = t("cli.os_error", lang, path="", reason=str(exc).splitlines()[0][:200])
        _fail(message, getattr(args, "json", False))
        return 0 if published else 1


def _fail(message: str, as_json: bool, shown: object = None) -> None:
    """A failure of the command: the JSON error object on stdout under --json, else `shown` (the message
    by default) on stderr."""
    if as_json:
        try:
            print(json.dumps({"error": message}, ensure_ascii=False), flush=True)
            return
        except BrokenPipeError:  # `etl load … --json | head`: the reader left, so the message goes to stderr
            # (it ended in two tracebacks); stdout pointed at /dev/null so the exit's flush is quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    print(terminal_text(str(message if shown is None else shown)), file=sys.stderr)


def _files_not_from_a_demo(db: Path, demo_names: tuple[str, ...]) -> list[str]:
    """The files loaded into `db` that are not among `demo_names` (the demo county's and the scaled
    ones'), newest first."""
    if snapshot.current_snapshot(db) is None:
        return []
    con, _ = snapshot.connect_read(db)
    try:
        names = [r[0] for r in con.execute("SELECT DISTINCT file_name, max(batch_id) FROM load_batches "
                                           "GROUP BY file_name ORDER BY 2 DESC").fetchall()]
    except duckdb.Error:
        return []
    finally:
        con.close()
    return [n for n in names if n.split("（")[0] not in demo_names]  # a workbook's batch: 文件（工作表）


def _generation(args: argparse.Namespace) -> int | None:
    """The published generation of the command's database (None: none, or it cannot be read)."""
    try:
        current = snapshot.current_snapshot(getattr(args, "db", None))
    except Exception:  # noqa: BLE001 - only a hint for the Ctrl-C message
        return None
    return snapshot.generation(current) if current is not None else None


def _run(args: argparse.Namespace, lang: str) -> int:
    if args.command in ("rebuild", "refresh"):
        return _rebuild(args.db, args.if_stale, lang)
    if args.command in ("backup", "restore"):
        return _backup_or_restore(args, lang)
    progress = _terminal_progress(sys.stderr.isatty() and not args.json)
    if args.command == "load":
        report = load_files(args.files, db=args.db, lang=lang, progress=progress, reload=args.reload)
        _print_report(report, args.json, lang)
        return report.exit_code
    if args.command == "export-parquet":
        from etl import parquet_export

        if snapshot.current_snapshot(args.db) is None:
            print(t("cli.no_db", lang, db=snapshot.db_path(args.db)), file=sys.stderr)
            return 1
        try:
            manifest = parquet_export.export(args.dir, args.db)
        except parquet_export.ExportError as exc:
            print(t("cli.export_refused_extra", lang, dir=exc.out, name=exc.extra) if exc.extra else
                  t("cli.export_refused", lang, dir=exc.out), file=sys.stderr)
            return 1
        rows = sum(spec["rows"] for spec in manifest["tables"].values())
        # with --ddl, stdout is the script: the status line goes to stderr
        print(t("cli.exported", lang, dir=args.dir.absolute(), snapshot=manifest["snapshot"],
                tables=len(manifest["tables"]), rows=f"{rows:,}"), file=sys.stderr if args.ddl else sys.stdout)
        if args.ddl:
            print(parquet_export.table_ddl(manifest, args.location or args.dir.absolute().as_uri(), args.ddl))
        return 0
    from etl import demo, scaled_demo

    db = snapshot.db_path(args.db)
    own = _files_not_from_a_demo(db, (*demo.DEMO_FILE_NAMES, *scaled_demo.SCALED_FILE_NAMES,
                                      *(f"{n}.gz" for n in scaled_demo.SCALED_FILE_NAMES)))
    if own and not args.replace:  # the default path is the county's own database
        print(t("cli.demo_refused", lang, db=db, n=len(own), files=t("list.sep", lang).join(own[:3])), file=sys.stderr)
        return 1
    out = args.out or (db.parent / ("demo_files" if args.households is None else f"scaled_{args.households}"))
    out.mkdir(parents=True, exist_ok=True)
    if args.households is None:
        files = demo.write_demo_files(out)
    else:
        files = scaled_demo.write_scaled_files(out, args.households)
    if not args.json:
        print(t("cli.demo_written", lang, dir=out))
    if args.households is None:
        # the 2019 registry as a load of its own, as a county would have loaded it a year before: the
        # figure history (etl.history) then holds the state before the 2020 files
        first = load_files(files[:1], db=db, lang=lang, progress=progress, fresh=True)
        report = load_files(files[1:], db=db, lang=lang, progress=progress)
        report.files = first.files + report.files
        if report.exit_code == 0:  # the header says the figures are generated; a load into it says so too
            record_meta(db, {DEMO_KEY: demo.COUNTY_NAME})
    else:
        report = load_files(files, db=db, lang=lang, progress=progress, fresh=True)
    _print_report(report, args.json, lang)
    return report.exit_code
