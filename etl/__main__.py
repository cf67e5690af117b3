"""Command line: `python -m etl load FILE... [--db PATH] [--json]`, `python -m etl demo [--db PATH]`.

Exit codes: 0 every file read (even with rejected rows), 1 a file could not be read, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from etl import snapshot
from etl.load import LoadReport, load_files
from labels import t


def _terminal_progress(enabled: bool):
    def show(fraction: float, text: str) -> None:
        if not enabled:
            return
        width = 30
        filled = int(width * fraction)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%} {text[:60]:<60}")
        if fraction >= 1.0:
            sys.stderr.write("\n")
        sys.stderr.flush()
    return show


def _print_report(report: LoadReport, as_json: bool, lang: str) -> None:
    if as_json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
        return
    print(t("cli.db", lang, db=report.db))
    lines, errors = report.summary_lines(lang)
    print("\n".join(errors + lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m etl", description="扶贫督查看板 ETL")
    parser.add_argument("--lang", choices=["zh", "en"], default=os.environ.get("FUPIN_LANG", "zh"))
    sub = parser.add_subparsers(dest="command", required=True)
    p_load = sub.add_parser("load", help="load export files (.xlsx/.csv/.csv.gz) into the database")
    p_load.add_argument("files", nargs="+", type=Path)
    p_load.add_argument("--db", type=Path, default=None, help="database path (default $FUPIN_DB or data/fupin.duckdb)")
    p_load.add_argument("--json", action="store_true", help="print one JSON object")
    for command in ("rebuild", "refresh"):  # refresh: the name used before
        p_rebuild = sub.add_parser(command, help="rebuild every derived table of the current data, whole "
                                                 "(also upgrades a database of an older version)")
        p_rebuild.add_argument("--db", type=Path, default=None)
        p_rebuild.add_argument("--if-stale", action="store_true", help="only when built by an older version")
    p_demo = sub.add_parser(
        "demo", help="write the demo county's export files and load them into a fresh database (replacing it)")
    p_demo.add_argument("--db", type=Path, default=None)
    p_demo.add_argument("--out", type=Path, default=None, help="where to write the export files")
    p_demo.add_argument("--households", type=int, default=None, help="scaled synthetic county (benchmarks)")
    p_demo.add_argument("--json", action="store_true")
    p_export = sub.add_parser("export-parquet", help="write the current snapshot as Parquet (hive-partitioned by "
                                                     "township) with a manifest, for Spark, Trino and other engines")
    p_export.add_argument("dir", type=Path)
    p_export.add_argument("--db", type=Path, default=None)
    p_export.add_argument("--ddl", choices=["spark", "trino"], default=None,
                          help="also print CREATE TABLE statements for this engine")
    p_export.add_argument("--location", default=None, help="the export's URI as the engine sees it (for --ddl)")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors; keep its code
        return int(exc.code or 0)
    lang = args.lang
    progress = _terminal_progress(sys.stderr.isatty() and not args.json)
    if args.command == "load":
        report = load_files(args.files, db=args.db, lang=lang, progress=progress)
        _print_report(report, args.json, lang)
        return report.exit_code
    if args.command == "export-parquet":
        from etl import parquet_export

        if snapshot.current_snapshot(args.db) is None:
            print(t("cli.no_db", lang, db=snapshot.db_path(args.db)))
            return 1
        manifest = parquet_export.export(args.dir, args.db)
        rows = sum(spec["rows"] for spec in manifest["tables"].values())
        print(t("cli.exported", lang, dir=args.dir.absolute(), snapshot=manifest["snapshot"],
                tables=len(manifest["tables"]), rows=f"{rows:,}"))
        if args.ddl:
            print(parquet_export.table_ddl(manifest, args.location or args.dir.absolute().as_uri(), args.ddl))
        return 0
    if args.command in ("rebuild", "refresh"):
        from etl import schema
        from etl.load import rebuild, schema_version

        version = schema_version(args.db)
        if version is None:
            print(t("cli.no_db", lang, db=snapshot.db_path(args.db)))
            return 1
        if args.if_stale and version == schema.SCHEMA_VERSION:
            return 0
        print(t("cli.refreshed", lang, db=rebuild(args.db)))
        return 0
    from etl import demo

    db = snapshot.db_path(args.db)
    out = args.out or (db.parent / ("demo_files" if args.households is None else f"scaled_{args.households}"))
    out.mkdir(parents=True, exist_ok=True)
    if args.households is None:
        files = demo.write_demo_files(out)
    else:
        files = demo.write_scaled_files(out, args.households)
    if not args.json:
        print(t("cli.demo_written", lang, dir=out))
    report = load_files(files, db=db, lang=lang, progress=progress, fresh=True)
    _print_report(report, args.json, lang)
    return report.exit_code


if __name__ == "__main__":
    sys.exit(main())
