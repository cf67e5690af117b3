"""DuckDB tables of the data contract (data-spec §4). Canonical column names are the spec's.

Code values are stored in their canonical Chinese form as VARCHAR; lists (other causes, health) as
VARCHAR[]. Every loaded row keeps its lineage (batch_id, source_line). No PRIMARY KEY constraints: at
10M households an ART index costs memory and load time; keys are kept unique by delete-then-insert.
"""

from __future__ import annotations

import duckdb

from etl.filter_spec import FILTERS
from etl.history import DDL as FIGURE_HISTORY_DDL

TABLES_DDL: dict[str, str] = {
    "households": """
        CREATE TABLE IF NOT EXISTS households (
            household_id VARCHAR NOT NULL,       -- key (unique; upserted by delete+insert)
            township VARCHAR NOT NULL,
            village VARCHAR NOT NULL,
            household_size_declared INTEGER,      -- 人数 as written in the file
            household_size INTEGER,               -- member rows loaded
            head_name VARCHAR,
            head_id_number VARCHAR,
            household_attribute VARCHAR,          -- 一般贫困户 / 低保贫困户 / 特困供养贫困户
            identification_standard VARCHAR,
            main_cause VARCHAR,
            other_causes VARCHAR[],
            exit_status VARCHAR,                  -- 未脱贫 / 已脱贫 / 返贫; NULL for edge households
            enjoys_policy BOOLEAN,                -- exited and still receiving policy support
            exit_year INTEGER,
            identified_date DATE,
            identified_year INTEGER,              -- 识别年度: its date's, or the year of a 识别时间 without a day (2014年)
            income_per_capita DOUBLE,
            income_year INTEGER,
            unsafe_housing BOOLEAN,
            safe_water BOOLEAN,
            monitoring_type VARCHAR,              -- 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户
            monitored BOOLEAN NOT NULL,           -- a monitored (edge) household
            risk_eliminated BOOLEAN,
            registered BOOLEAN NOT NULL,          -- 建档立卡户: has an exit status
            helper_name VARCHAR,
            helper_unit VARCHAR,
            phone VARCHAR,
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER,                           -- integer household key (household_keys)
            area INTEGER,                         -- the (township, village) key (area_keys)
            seq BIGINT                            -- place order: township, village, household_id (etl.keys)
        )""",
    "household_income": """
        CREATE TABLE IF NOT EXISTS household_income (
            household_id VARCHAR NOT NULL,
            income_year INTEGER NOT NULL,
            income_per_capita DOUBLE NOT NULL,
            batch_id INTEGER NOT NULL,
            hk INTEGER
        )""",
    "members": """
        CREATE TABLE IF NOT EXISTS members (
            household_id VARCHAR NOT NULL,
            member_key VARCHAR NOT NULL,          -- ID number, else 人编号, else row order
            member_id VARCHAR,
            name VARCHAR,
            id_number VARCHAR,
            id_valid BOOLEAN,
            sex VARCHAR,
            birth_date DATE,
            ethnicity VARCHAR,
            relation VARCHAR,
            is_head BOOLEAN,
            education VARCHAR,
            school_status VARCHAR,
            health VARCHAR[],
            labor_skill VARCHAR,
            work_months INTEGER,
            medical_insurance BOOLEAN,
            critical_illness_insurance BOOLEAN,
            family_doctor_signed BOOLEAN,
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER
        )""",
    "interventions": """
        CREATE TABLE IF NOT EXISTS interventions (
            record_key VARCHAR NOT NULL,       -- hash of all fields: ledgers without ids upsert by content
            household_id VARCHAR NOT NULL,
            category VARCHAR,
            content VARCHAR,
            project VARCHAR,
            year INTEGER,
            start_date DATE,
            amount_yuan DOUBLE,
            status VARCHAR,
            responsible_unit VARCHAR,
            unread_text VARCHAR,               -- what the file wrote where a value could not be read: JSON field -> text (NULL: none)
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER
        )""",
    "visits": """
        CREATE TABLE IF NOT EXISTS visits (
            record_key VARCHAR NOT NULL,
            household_id VARCHAR NOT NULL,
            visit_date DATE,
            visit_type VARCHAR,
            visitor VARCHAR,
            notes VARCHAR,
            unread_text VARCHAR,               -- what the file wrote where a value could not be read: JSON field -> text (NULL: none)
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER
        )""",
    "medical_claims": """
        CREATE TABLE IF NOT EXISTS medical_claims (
            record_key VARCHAR NOT NULL,
            household_id VARCHAR NOT NULL,
            id_number VARCHAR,
            admission_date DATE,
            institution VARCHAR,
            total_cost DOUBLE,
            basic_insurance DOUBLE,
            critical_illness_insurance DOUBLE,
            medical_assistance DOUBLE,
            other_support DOUBLE,
            out_of_pocket DOUBLE,
            unread_text VARCHAR,               -- what the file wrote where a value could not be read: JSON field -> text (NULL: none)
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER
        )""",
    "rectifications": """
        CREATE TABLE IF NOT EXISTS rectifications (
            record_key VARCHAR NOT NULL,       -- 问题编号, else hash of all fields
            issue_id VARCHAR,
            source VARCHAR,
            found_date DATE,
            township VARCHAR NOT NULL,
            village VARCHAR,
            household_id VARCHAR,
            category VARCHAR,
            description VARCHAR,
            responsible_unit VARCHAR,
            responsible_person VARCHAR,
            measures VARCHAR,
            deadline DATE,
            status VARCHAR,
            completed_date DATE,
            unread_text VARCHAR,               -- what the file wrote where a value could not be read: JSON field -> text (NULL: none)
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER
        )""",
    "load_batches": """
        CREATE TABLE IF NOT EXISTS load_batches (
            batch_id INTEGER NOT NULL,
            file_name VARCHAR NOT NULL,
            sha256 VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,                -- registry / interventions / visits / medical_claims / rectifications / household_checks / population_base
            loaded_at TIMESTAMP NOT NULL,
            rows_read INTEGER NOT NULL,
            rows_loaded INTEGER NOT NULL,
            rows_rejected INTEGER NOT NULL,
            rows_skipped INTEGER NOT NULL,
            issues INTEGER NOT NULL,
            ignored_columns VARCHAR[],
            encoding VARCHAR,
            header_line INTEGER,
            contract_columns VARCHAR[]            -- the file's columns of the contract (NULL: loaded before version 28)
        )""",
    "rejected_rows": """
        CREATE TABLE IF NOT EXISTS rejected_rows (
            batch_id INTEGER NOT NULL,
            file_name VARCHAR NOT NULL,
            line INTEGER,
            rule VARCHAR NOT NULL,                -- reason code; text comes from the label table
            field VARCHAR,
            raw VARCHAR                           -- the row's raw values as JSON
        )""",
    "data_issues": """
        CREATE TABLE IF NOT EXISTS data_issues (
            batch_id INTEGER NOT NULL,
            file_name VARCHAR NOT NULL,
            line INTEGER,
            table_name VARCHAR NOT NULL,          -- households / members / interventions / ...
            record_key VARCHAR,                   -- the record the issue belongs to
            household_id VARCHAR,
            field VARCHAR,
            raw_value VARCHAR,
            rule VARCHAR NOT NULL,                -- rule code; text comes from the label table
            hk INTEGER                            -- the household's key (NULL: an item of no household)
        )""",
    # data-spec §1.4: the exit inspection's inputs (etl.load_inspection). Small tables, owned whole
    # (etl.owners); the indicators are computed from them at query time (queries.inspection_rates).
    "household_checks": """
        CREATE TABLE IF NOT EXISTS household_checks (
            record_key VARCHAR NOT NULL,          -- check_date | household_key: a check is upserted by it
            household_key VARCHAR NOT NULL,       -- 户编号, else the one its 证件号码 links to, else 证件号码, else 乡镇/村/户主姓名
            check_date DATE NOT NULL,
            township VARCHAR NOT NULL,
            village VARCHAR NOT NULL,
            household_id VARCHAR,                 -- blank for a household outside the registry
            head_name VARCHAR,
            id_number VARCHAR,
            household_type VARCHAR,               -- 脱贫户 / 未脱贫户 / 边缘户 / 一般农户 as surveyed
            household_size INTEGER,
            income_per_capita DOUBLE,
            food_ok BOOLEAN,
            clothing_ok BOOLEAN,
            education_ok BOOLEAN,
            medical_ok BOOLEAN,
            housing_ok BOOLEAN,
            water_ok BOOLEAN,
            finding VARCHAR,                      -- 正常 / 错退 / 漏评 / 错评 (疑似X stored as X)
            approval VARCHAR,                     -- 认可 / 不认可 / 说不清
            surveyor VARCHAR,
            notes VARCHAR,
            batch_id INTEGER NOT NULL,
            source_line INTEGER,
            hk INTEGER                            -- the registry household (户编号, else a member's ID number)
        )""",
    "population_base": """
        CREATE TABLE IF NOT EXISTS population_base (
            year INTEGER NOT NULL,                -- key: (year, township, village)
            township VARCHAR NOT NULL,
            village VARCHAR NOT NULL,
            rural_households INTEGER,
            rural_population INTEGER,
            batch_id INTEGER NOT NULL,
            source_line INTEGER
        )""",
    # Keys assigned once and kept (etl.keys): a household's integer key, a village's number and the
    # start of its place-order range, a filter cell's number. Rebuilds keep them; a new value is appended.
    "household_keys": """
        CREATE TABLE IF NOT EXISTS household_keys (
            household_id VARCHAR NOT NULL,
            hk INTEGER NOT NULL
        )""",
    "area_keys": """
        CREATE TABLE IF NOT EXISTS area_keys (
            township VARCHAR,
            village VARCHAR,
            area INTEGER NOT NULL,
            base BIGINT NOT NULL                  -- seq of the village's households: base + offset
        )""",
    "cell_keys": f"""
        CREATE TABLE IF NOT EXISTS cell_keys (
            cell INTEGER NOT NULL,
            {", ".join(f"{d.column} {d.sql_type}" for d in FILTERS)}  -- the filter columns (etl.filter_spec)
        )""",
    "figure_history": FIGURE_HISTORY_DDL,  # etl.history: a base table, copied by a rebuild
    "meta": """
        CREATE TABLE IF NOT EXISTS meta (
            key VARCHAR NOT NULL,
            value VARCHAR
        )""",
}

# Bumped whenever the tables or the derived tables change. Recorded in every snapshot (`meta`,
# key 'schema_version') and in every backup's manifest. `python -m etl rebuild` (and `refresh
# --if-stale`, run by `make run`; and any load into an older snapshot) copies an older snapshot's base
# tables by column name into these tables and builds the derived tables anew (etl.load.rebuild).
SCHEMA_VERSION = "32"  # 32: a household-year's out-of-pocket kept to the fen (list_claim_year), as the risk line compares it; 31: a negative 人均纯收入 is kept as written (`negative_income`), below any line: stored blank, an exited household at -200 was no 疑似错退; a household without a positive income that pays out of pocket heads the health risk list; the measures with a 金额 counted (agg_measure, agg_project measures_priced): by difference a cell whose priced measures left summed to 0 元, not to no figure; 30: a ledger row keeps the text of a value it could not read (unread_text, part of its key): visits dated 2020年1月…6月 were one record; and measures none of which has a 金额 sum to no figure, not 0 (agg_measure, agg_project, hh_facts.amount_total); 29: the year of a 识别时间 written without a day (households.identified_year), kept for the 识别年度 filter; 28: the contract columns of each file (load_batches.contract_columns), so that a measure, visit or claim sent in two files of which one lacks a column is one record; 27: an exited household's income without 收入年度 judged by its exit year's line (hh_facts poverty_line, income_below_line, suspected_wrong_exit; agg_household); 26: an item of a registered household placed by the registry (list_rectification); 25: enrolment, housing and water on record (hh_facts n_*_recorded, *_unrecorded; agg_household); 24: numbers in free text masked in more forms; the as-of date of a registry alone


def recorded_version(con: duckdb.DuckDBPyConnection, database: str | None = None) -> str:
    """The schema version recorded in a snapshot's `meta` ('0': written before versions were recorded).
    `database`: an attached database's name instead of the connection's own."""
    try:
        rows = con.execute(f"SELECT value FROM {database + '.' if database else ''}meta "  # noqa: S608
                           "WHERE key = 'schema_version'").fetchall()
    except duckdb.CatalogException:
        return "0"
    return str(rows[0][0]) if rows and rows[0][0] is not None else "0"


# meta of a restored snapshot (etl.backup.restore): the backup's file name and when (the county's clock)
RESTORED_FROM, RESTORED_AT = "restored_from", "restored_at"
# meta: the ledger batches (ids, comma-separated) the upgrade to version 30 found rows of that they had keyed as
# one record; their files load again instead of being taken for loaded already (etl.load._unread_from_issues)
UNREAD_BATCHES = "unread_batches"
DEMO_KEY = "demo"  # meta: the demo county's name, in a database `etl demo` made (etl.load.record_meta)


def demo_county(con: duckdb.DuckDBPyConnection) -> str | None:
    """The demo county's name when this database is the demo's (made by `etl demo`), else None: its
    figures are generated, and files loaded into it mix with the demo's households."""
    try:
        rows = con.execute("SELECT value FROM meta WHERE key = ?", [DEMO_KEY]).fetchall()
    except duckdb.CatalogException:
        return None
    return str(rows[0][0]) if rows and rows[0][0] else None


# Base-table columns an older version had that this one deliberately no longer keeps, per table. Any
# other column of an older snapshot that these tables lack stops an upgrade (etl.load.UpgradeError):
# a column renamed or dropped by mistake must never silently lose loaded data.
DROPPED_COLUMNS: dict[str, tuple[str, ...]] = {}

# The hh_facts columns the sidebar filters act on (etl.filter_spec, queries.filters); derived tables that
# a page filters without joining hh_facts carry all of them.
FILTER_COLUMNS: tuple[str, ...] = tuple(d.column for d in FILTERS)


def filter_select(alias: str) -> str:
    """`alias.township, alias.village, ...`: the filter columns of a row, for a SELECT list."""
    return ", ".join(f"{alias}.{c}" for c in FILTER_COLUMNS)

# Ledger kinds and their table; the registry fills households, members and household_income.
LEDGER_TABLES = {
    "interventions": "interventions",
    "visits": "visits",
    "medical_claims": "medical_claims",
    "rectifications": "rectifications",
}
KINDS = ("registry", *LEDGER_TABLES)

# Tables whose rows belong to a household: each carries `household_id` and its integer key `hk`.
HK_TABLES = ("households", "household_income", "members", "interventions", "visits", "medical_claims",
             "rectifications", "data_issues")


def create_all(con) -> None:
    """Create every table that does not exist yet."""
    for ddl in TABLES_DDL.values():
        con.execute(ddl)
