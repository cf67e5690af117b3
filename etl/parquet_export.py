"""The current snapshot as Parquet, for engines that are not DuckDB (Spark, Trino, Hive, pandas).

`export(out, db)` (`python -m etl export-parquet DIR`) opens the published snapshot file read-only (a
load writes the other file, so the export is consistent while loads run) and writes:

    DIR/manifest.json                    snapshot file, generation, schema version, as-of date,
                                         per table: rows, columns and types, partitioning; code lists
    DIR/tables/<table>/township=<name>/*.parquet   tables with a `township` column (hive layout)
    DIR/tables/<table>/data_0.parquet              the others

Every table of the snapshot is written except the slot-local lookup indexes (`ix_*`, rowids of one
DuckDB file) and the `slot` marker; `facts_meta` leaves out their hash probe, so readers of the export
scan instead of using rowids. Partitioned files come in no stored order, so the exported `meta` marks
every list table unsorted (as a load does: `queries.paging`), and the pages sort. A row whose
township is NULL lands in the partition `township=__HIVE_DEFAULT_PARTITION__`, Hive's and Spark's
name for it, read back as NULL.

The export is written next to DIR and renamed into place, so a reader sees the previous export or
the new one. `views(con, DIR)` defines one DuckDB view per table over the files (columns in the
snapshot's order and types): the query layer runs on them unchanged (tests/test_parquet_export.py).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import duckdb

from etl import clock
from etl.codes import CODE_LISTS
from etl.snapshot import connect_read, generation

FORMAT = "fupin-parquet/1"
PARTITION_COLUMN = "township"
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
MANIFEST = "manifest.json"
SKIPPED_PREFIXES = ("ix_",)
SKIPPED_TABLES = ("slot",)
_DROPPED_FACTS = ("hash_probe",)  # keys that describe the DuckDB file's lookup indexes


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                       "AND database_name = current_database() ORDER BY table_name").fetchall()
    return [r[0] for r in rows if r[0] not in SKIPPED_TABLES and not r[0].startswith(SKIPPED_PREFIXES)]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[dict[str, str]]:
    rows = con.execute("SELECT column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
                       "AND database_name = current_database() AND table_name = ? ORDER BY column_index",
                       [table]).fetchall()
    return [{"name": r[0], "type": r[1]} for r in rows]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _column_out(column: dict[str, str]) -> str:
    """A column as it is written: a NULL township as Hive names it; HUGEINT (sums of counts) as BIGINT,
    since Parquet has no 128-bit integer and DuckDB would write a DOUBLE."""
    name = _ident(column["name"])
    if column["name"] == PARTITION_COLUMN:
        return f"coalesce({name}, {_literal(NULL_PARTITION)}) AS {name}"
    if column["type"] in _WRITTEN_AS:
        return f"CAST({name} AS {_WRITTEN_AS[column['type']]}) AS {name}"
    return name


_WRITTEN_AS = {"HUGEINT": "BIGINT"}


def _source(table: str, columns: list[dict[str, str]], exported: list[str]) -> str:
    """The SELECT that writes `table` (see the module docstring for what changes)."""
    if table == "facts_meta":
        dropped = ", ".join(_literal(k) for k in _DROPPED_FACTS)
        return f"SELECT * FROM facts_meta WHERE key NOT IN ({dropped})"  # noqa: S608
    if table == "meta":
        marks = " UNION ALL ".join(f"SELECT {_literal('unsorted:' + t)} AS key, 'parquet' AS value"
                                   for t in exported)
        return (f"SELECT * FROM meta WHERE key NOT LIKE 'unsorted:%' UNION ALL {marks}"  # noqa: S608
                if marks else "SELECT * FROM meta")
    cols = ", ".join(_column_out(c) for c in columns)
    return f"SELECT {cols} FROM {_ident(table)}"  # noqa: S608


def hive_escape(value: str) -> str:
    """A partition value as Hive and Spark write it in a path (their `escapePathName`): the characters
    they escape become %XX, everything else (Chinese names included) stays as it is."""
    return "".join(f"%{ord(ch):02X}" if ch in _HIVE_ESCAPED or ord(ch) < 0x20 else ch for ch in value)


_HIVE_ESCAPED = set('"#%\'*/:=?\\\x7f{[]^')


def _write_table(con: duckdb.DuckDBPyConnection, sql: str, target: Path, partitioned: bool) -> int:
    """Write the rows of `sql` under `target` (one file per township partition); return the row count.
    DuckDB's own PARTITION_BY percent-encodes every non-ASCII byte, which Spark and Trino would read
    back as other characters, so each partition is written by name."""
    target.mkdir(parents=True)
    if not partitioned:
        con.execute(f"COPY ({sql}) TO {_literal(str(target / 'data_0.parquet'))} (FORMAT parquet, COMPRESSION zstd)")
        return int(con.execute(f"SELECT count(*) FROM ({sql})").fetchall()[0][0])  # noqa: S608
    col = _ident(PARTITION_COLUMN)
    total = 0
    counts = con.execute(f"SELECT {col}, count(*) FROM ({sql}) GROUP BY ALL ORDER BY 1").fetchall()  # noqa: S608
    for value, n in counts:
        part = target / f"{PARTITION_COLUMN}={hive_escape(value)}"
        part.mkdir()
        con.execute(f"COPY (SELECT * EXCLUDE ({col}) FROM ({sql}) WHERE {col} = $v) TO "  # noqa: S608
                    f"{_literal(str(part / 'data_0.parquet'))} (FORMAT parquet, COMPRESSION zstd)", {"v": value})
        total += int(n)
    if not counts:  # an empty table: one file with its columns, so readers know its schema
        con.execute(f"COPY ({sql}) TO {_literal(str(target / 'data_0.parquet'))} (FORMAT parquet)")
    return total


class ExportError(Exception):
    """DIR holds something other than an earlier export: nothing is written and nothing removed.
    `extra`: a name in DIR beside an earlier export (which the export would have deleted)."""

    def __init__(self, out: str, extra: str | None = None) -> None:
        super().__init__(out)
        self.out, self.extra = out, extra


def _refuse_foreign(out: Path) -> None:
    """An earlier export (its manifest says so, and it holds nothing else) or an empty folder may be
    replaced; anything else at DIR is refused: `export-parquet data` replaced the database folder,
    snapshots and all; an export folder that `etl backup` had also been given lost its backups at the
    next export (a probe)."""
    if not out.exists() and not out.is_symlink():
        return
    if out.is_dir() and not out.is_symlink():
        names = sorted(p.name for p in out.iterdir())
        if not names:
            return
        try:
            ours = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("format") == FORMAT
        except (OSError, ValueError, AttributeError):
            ours = False
        extra = [n for n in names if n not in (MANIFEST, "tables")]
        if ours and not extra:
            return
        if ours:
            raise ExportError(str(out), extra[0])
    raise ExportError(str(out))


def export(out: Path, db: str | Path | None = None) -> dict[str, Any]:
    """Write the current snapshot under `out` (replacing an earlier export there, and nothing else:
    `ExportError`); return the manifest."""
    out = Path(out).absolute()
    _refuse_foreign(out)
    con, snap = connect_read(db)
    work = out.with_name(f".{out.name}.writing")
    shutil.rmtree(work, ignore_errors=True)
    try:
        (work / "tables").mkdir(parents=True)
    except OSError as e:  # said of the folder the user named, not of the hidden one written first
        con.close()
        raise OSError(e.errno, e.strerror, str(out)) from e
    try:
        con.execute("SET preserve_insertion_order = false")
        tables = _tables(con)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall()) if "meta" in tables else {}
        facts = dict(con.execute("SELECT key, value FROM facts_meta").fetchall()) if "facts_meta" in tables else {}
        manifest: dict[str, Any] = {
            "format": FORMAT, "snapshot": snap.name, "generation": generation(snap),
            "schema_version": meta.get("schema_version"), "as_of": facts.get("as_of"),
            "exported_at": clock.now().isoformat(timespec="seconds"),  # the county's time, as every stamp
            "partition_column": PARTITION_COLUMN, "null_partition": NULL_PARTITION, "tables": {},
            "code_lists": {field: list(values) for field, values in CODE_LISTS.items()},
        }
        for table in tables:
            columns = _columns(con, table)
            partitioned = any(c["name"] == PARTITION_COLUMN for c in columns)
            sql = _source(table, columns, [t for t in tables if t != "meta"])
            rows = _write_table(con, sql, work / "tables" / table, partitioned)
            written = [{**c, "type": _WRITTEN_AS.get(c["type"], c["type"])} for c in columns]  # as in the files
            manifest["tables"][table] = {"path": f"tables/{table}", "rows": rows, "columns": written,
                                         "partition_by": [PARTITION_COLUMN] if partitioned else []}
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    finally:
        con.close()
    old = out.with_name(f".{out.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    work.rename(out)
    shutil.rmtree(old, ignore_errors=True)
    return manifest


def read_manifest(directory: Path) -> dict[str, Any]:
    return json.loads((Path(directory) / MANIFEST).read_text(encoding="utf-8"))


def views(con: duckdb.DuckDBPyConnection, directory: Path) -> dict[str, Any]:
    """Define one view per exported table over its Parquet files (the snapshot's column order and
    types; the partition column read back from the path, NULL for Hive's default partition)."""
    directory = Path(directory).absolute()
    manifest = read_manifest(directory)
    for table, spec in manifest["tables"].items():
        glob = _literal(str(directory / spec["path"] / "**" / "*.parquet"))
        cols = []
        for c in spec["columns"]:
            expr = _ident(c["name"])
            if c["name"] in spec["partition_by"]:
                expr = f"nullif({expr}, {_literal(NULL_PARTITION)})"
            cols.append(f"CAST({expr} AS {c['type']}) AS {_ident(c['name'])}")
        hive = "true" if spec["partition_by"] else "false"
        types = ", ".join(f"{_literal(p)}: 'VARCHAR'" for p in spec["partition_by"])
        extra = f", hive_types = {{{types}}}" if types else ""
        con.execute(f"CREATE OR REPLACE VIEW {_ident(table)} AS SELECT {', '.join(cols)} "  # noqa: S608
                    f"FROM read_parquet({glob}, hive_partitioning = {hive}, union_by_name = true{extra})")
    return manifest


def table_ddl(manifest: dict[str, Any], location: str, dialect: str = "spark") -> str:
    """CREATE TABLE statements for the export at `location` (a URI such as s3a://bucket/fupin or
    file:///srv/fupin/parquet): `spark` (Spark SQL / Hive) or `trino` (Trino's Hive connector, catalog
    `hive`), the schema `fupin` created first."""
    out = ["CREATE SCHEMA IF NOT EXISTS hive.fupin;" if dialect == "trino" else "CREATE DATABASE IF NOT EXISTS fupin;"]
    for table, spec in manifest["tables"].items():
        part = set(spec["partition_by"])
        cols = [c for c in spec["columns"] if c["name"] not in part] + \
               [c for c in spec["columns"] if c["name"] in part]  # partition columns come last
        path = f"{location.rstrip('/')}/{spec['path']}"
        if dialect == "trino":
            body = ",\n".join(f"  {c['name']} {_trino_type(c['type'])}" for c in cols)
            props = [f"external_location = '{path}'", "format = 'PARQUET'"]
            if part:
                props.append("partitioned_by = ARRAY[" + ", ".join(f"'{p}'" for p in spec["partition_by"]) + "]")
            out.append(f"CREATE TABLE hive.fupin.{table} (\n{body}\n)\nWITH ({', '.join(props)});")
            if part:  # the partitions already on disk: without this the table reads as empty
                out.append(f"CALL hive.system.sync_partition_metadata('fupin', '{table}', 'FULL');")
        else:
            body = ",\n".join(f"  `{c['name']}` {_spark_type(c['type'])}" for c in cols if c["name"] not in part)
            parts = ", ".join(f"`{p}` STRING" for p in spec["partition_by"])
            clause = f"\nPARTITIONED BY ({parts})" if parts else ""
            out.append(f"CREATE TABLE fupin.{table} (\n{body}\n)\nUSING PARQUET{clause}\nLOCATION '{path}';")
            if part:
                out.append(f"MSCK REPAIR TABLE fupin.{table};")
    return "\n\n".join(out) + "\n"


_SPARK = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "SMALLINT": "SMALLINT",
          "TINYINT": "TINYINT", "UTINYINT": "SMALLINT", "USMALLINT": "INT", "UINTEGER": "BIGINT",
          "UBIGINT": "DECIMAL(20,0)", "HUGEINT": "BIGINT", "DOUBLE": "DOUBLE", "FLOAT": "FLOAT",
          "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP", "TIMESTAMP WITH TIME ZONE": "TIMESTAMP",
          "BLOB": "BINARY"}
_TRINO = {"VARCHAR": "VARCHAR", "INTEGER": "INTEGER", "BIGINT": "BIGINT", "SMALLINT": "SMALLINT",
          "TINYINT": "TINYINT", "UTINYINT": "SMALLINT", "USMALLINT": "INTEGER", "UINTEGER": "BIGINT",
          "UBIGINT": "DECIMAL(20,0)", "HUGEINT": "BIGINT", "DOUBLE": "DOUBLE", "FLOAT": "REAL",
          "BOOLEAN": "BOOLEAN", "DATE": "DATE", "TIMESTAMP": "TIMESTAMP(6)",
          "TIMESTAMP WITH TIME ZONE": "TIMESTAMP(6) WITH TIME ZONE", "BLOB": "VARBINARY"}


def _fields(body: str) -> list[tuple[str, str]]:
    """The (name, type) fields of a STRUCT(...) body, split at top-level commas."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(body + ","):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            name, _, typ = body[start:i].strip().partition(" ")
            out.append((name.strip('"'), typ.strip()))
            start = i + 1
    return out


def _mapped(duck: str, table: dict[str, str], array: str, struct: str, field: str) -> str:
    if duck.endswith("[]"):
        return array.format(_mapped(duck[:-2], table, array, struct, field))
    if duck.startswith("STRUCT(") and duck.endswith(")"):
        return struct.format(", ".join(field.format(n, _mapped(t, table, array, struct, field))
                                       for n, t in _fields(duck[7:-1])))
    if duck.startswith("DECIMAL"):
        return duck
    if duck not in table:
        raise ValueError(f"no {table['VARCHAR']} type for DuckDB's {duck}")
    return table[duck]


def _spark_type(duck: str) -> str:
    return _mapped(duck, _SPARK, "ARRAY<{}>", "STRUCT<{}>", "`{}`: {}")


def _trino_type(duck: str) -> str:
    return _mapped(duck, _TRINO, "ARRAY({})", "ROW({})", "{} {}")
