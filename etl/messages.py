"""Messages about files, rows and issues, rendered from the label table in the user's language."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from etl.codes import CODE_ORDER
from etl.fields import code_list_of, field_type, kind_of_table
from etl.file_types import ACCEPTED_SUFFIXES
from etl.headers import COLUMN_LABELS, REQUIRED, clean_header
from etl.normalize import (
    py_code_list_unknown,
    py_count_too_large,
    py_no_day,
    py_no_such_day,
    py_number_too_large,
)
from etl.rules import CLAIM_TOLERANCE, LAST_EXIT_YEAR, LAST_LINE_YEAR, POVERTY_LINE, earliest_date
from labels import t


def column_label(field: str | None, lang: str = "zh") -> str:
    return t(f"field.{field}", lang) if field else ""


def file_column_label(table: str, field: str | None, lang: str = "zh",
                      headers: Mapping[str, str] | None = None) -> str:
    """A column as the file heads it: its own header when known (`headers`: canonical -> header as
    written, a file headed 身份证号 reads 身份证号), else as its kind heads it (data-spec §1: a check
    form's 家庭人口, not the registry's 人数). In English the field's label, then the header the
    file has ('Visit type (走访类型)'): the reader has the Chinese file open and looks for that column."""
    header = None
    if field and headers and (own := clean_header(headers.get(field))):  # without its * mark
        header = own
    elif field and field in COLUMN_LABELS.get(kind_of_table(table), {}):
        header = COLUMN_LABELS[kind_of_table(table)][field]
    if lang == "zh":
        return header or column_label(field, lang)
    label = column_label(field, lang)
    return f"{label} ({header})" if header and header != label else label


def accepted_kinds(lang: str = "zh") -> str:
    """What a header row must hold to be recognised (data-spec §3: say what would be accepted): each
    kind with its required headers, as exports write them."""
    sep = "；" if lang == "zh" else "; "
    return sep.join(f"{t(f'kind.{kind}', lang)}（{'、'.join(COLUMN_LABELS[kind][c] for c in cols)}）"
                    if lang == "zh" else f"{t(f'kind.{kind}', lang)} ({', '.join(COLUMN_LABELS[kind][c] for c in cols)})"
                    for kind, cols in REQUIRED.items())


SHEETS_NAMED = 10  # sheets a message names at most


def read_error_text(exc: Exception, file: str, lang: str = "zh") -> str:
    """A whole file could not be read: say why, naming the file."""
    code = getattr(exc, "code", "load_failed")
    params = dict(getattr(exc, "params", {}) or {})
    params.setdefault("detail", str(exc))
    if "columns" in params and not isinstance(params["columns"], str):
        params["columns"] = "、".join(column_label(c, lang) for c in params["columns"])
    params.setdefault("columns", "")
    params.setdefault("limit", "")
    params.setdefault("spelled", "")
    params.setdefault("accepted", accepted_kinds(lang))
    params.setdefault("types", t("list.sep", lang).join(ACCEPTED_SUFFIXES))
    params.pop("file", None)
    key = f"read.{code}"
    sheets = params.get("sheets")
    if code == "no_header" and isinstance(sheets, list) and sheets:  # a workbook: which sheets were looked at
        # the first few by name: a workbook of thousands of sheets made a message of thousands of names
        named = t("list.sep", lang).join(t("sheet.quoted", lang, sheet=s) for s in sheets[:SHEETS_NAMED])
        params["sheets"] = named if len(sheets) <= SHEETS_NAMED else t("find.and_more", lang, names=named, n=len(sheets))
        key = "read.no_header_sheets"
    if code == "other_office":
        params["what"] = t(f"office_kind.{params.get('what')}", lang)
    if code == "missing_required" and params.get("spellings"):  # the file's headers, in the language's marks
        params["columns"], params["spelled"] = missing_headers_text(params["headers"], params["spellings"], lang)
    if code == "missing_required" and params.get("wan"):  # the column is there, in 万元
        params["wan"] = t("list.sep", lang).join(t("sheet.quoted", lang, sheet=c) for c in params["wan"])
        key = "read.missing_required_wan"
    return t(key, lang, file=file, **params)


def missing_headers_text(names: list[str], spellings: list[list[str]], lang: str) -> tuple[str, str]:
    """(the missing columns, the headers that would do) as a message writes them: Chinese list marks in
    Chinese, commas and brackets in English ('Headers accepted: 与户主关系、与户主的关系.' mixed them)."""
    sep = t("list.sep", lang)
    if len(spellings) == 1:
        return names[0], sep.join(spellings[0])
    each = [f"{n}（{sep.join(s)}）" if lang == "zh" else f"{n} ({sep.join(s)})" for n, s in zip(names, spellings,
                                                                                         strict=True)]
    return sep.join(names), ("；" if lang == "zh" else "; ").join(each)


def skipped_sheet_reason(reason: str, lang: str = "zh") -> str:
    """Why a sheet of a workbook was not loaded (etl.raw_file.Book.skipped_sheets). A sheet whose header
    lacks required columns names them as a single CSV's message does (read.missing_required)."""
    params = getattr(reason, "params", None) or {}
    if reason == "missing_required" and params.get("columns"):
        return t("sheetskip.missing_required_columns", lang, columns=params["columns"])
    return t(f"sheetskip.{reason}", lang)


def skipped_sheet_text(sheet: str, reason: str, lang: str = "zh") -> str:
    """One skipped sheet in the load summary: `德岭山镇（缺少必填列：户类型）`."""
    return t("cli.skipped_sheet", lang, sheet=sheet, reason=skipped_sheet_reason(reason, lang))


def skipped_sheet_json(sheet: str, reason: str) -> dict[str, object]:
    """One skipped sheet in the `--json` report: its reason code and, for `missing_required`, the missing
    columns (canonical names under `missing`, the headers a file would write under `columns`)."""
    out: dict[str, object] = {"sheet": sheet, "reason": str(reason)}
    params = getattr(reason, "params", None) or {}
    if reason == "missing_required" and params.get("missing"):
        kind = str(params.get("kind", ""))
        missing = [str(c) for c in params["missing"]]  # type: ignore[attr-defined]
        out["missing"] = missing
        out["columns"] = [COLUMN_LABELS.get(kind, {}).get(c, c) for c in missing]
    return out


def issue_text(
    rule: str,
    *,
    file: str,
    line: int | None,
    field: str | None,
    value: object = None,
    record: str | None = None,
    table: str = "households",
    lang: str = "zh",
    headers: Mapping[str, str] | None = None,
) -> str:
    """The full sentence for a data issue or a rejected row: file, line, column (as the file heads it,
    when `headers` are known), what is accepted."""
    code_list = code_list_of(table, field) if field else None
    accepted = ("、" if lang == "zh" else ", ").join(CODE_ORDER.get(code_list, [])) if code_list else ""
    if rule == "unknown_code" and code_list and field_type(table, field) == "codelist" and value:
        # a cell of several codes: the pieces not in the list (the stored raw value stays the cell)
        value = t("list.sep", lang).join(py_code_list_unknown(code_list, str(value))) or value
    return t(
        _message_key(rule, table, field, value), lang,
        file=file, line=line if line is not None else "?",
        column=file_column_label(table, field, lang, headers),
        value="" if value is None else value, record=record or "", accepted=accepted,
        # the rules' own numbers, so that a message says what etl.rules checks
        tolerance=CLAIM_TOLERANCE, lines=poverty_lines_text(lang), earliest=earliest_date(field).isoformat(),
        earliest_year=earliest_date(field).year, last_exit_year=LAST_EXIT_YEAR,
    )


def poverty_lines_text(lang: str = "zh") -> str:
    """Every year's poverty line (2014年2800元、…、2020年及以后4000元): the message of an income below the
    line knows the cell, not the year it was judged by, and told a 2016 income of 2900 元 that the line
    was 4000 元 (the 2020 line), where 2952 元 applied."""
    return t("list.sep", lang).join(
        t("rule.poverty_line_last" if year == LAST_LINE_YEAR else "rule.poverty_line_year", lang,
          year=year, line=line) for year, line in sorted(POVERTY_LINE.items()))


# date columns whose year is used when the value has no day (etl.stage.identified_year_sql: 识别年度;
# etl.load._measure_year_sql: a measure's year when 实施年度 is blank)
YEAR_KEPT_DATES = ("identified_date", "start_date")


def _message_key(rule: str, table: str, field: str | None, value: object) -> str:
    """The label of a rule's sentence, or of its variant where one sentence would mislead: a count
    (家庭人口, 乡村人口) is not an amount, so its example is not 3,200.50元, and a whole number too large for
    one (人数 13800001111) is no "not whole" number; a claim with no total has
    nothing to add up to; a member's repeated key on a row of another name is two people, not a row twice."""
    if rule == "not_a_number" and field and field_type(table, field) in ("int", "months"):
        return "rule.count_too_large" if py_count_too_large(value) or py_number_too_large(value) else "rule.not_a_count"
    if rule == "not_a_number" and py_number_too_large(value):
        return "rule.number_too_large"
    if rule == "claim_parts_mismatch" and (value is None or not str(value).strip()):
        return "rule.claim_parts_no_total"
    if rule == "invalid_date" and py_no_such_day(value):  # 2023-02-29: written as a date, no such day
        return "rule.invalid_date_no_such_day"
    if rule == "invalid_date" and py_no_day(value):  # 2016年3月: a month, the day not guessed
        return "rule.invalid_date_no_day_year_kept" if field in YEAR_KEPT_DATES else "rule.invalid_date_no_day"
    if rule == "member_duplicate" and field == "name":  # the repeat's key names another person (王小山)
        return "rule.member_duplicate_other_name"
    if rule == "date_too_early" and field and field_type(table, field) == "year":  # 脱贫年度 1900: a year, not a day
        return "rule.year_too_early"
    return f"rule.{rule}"


@dataclass(frozen=True)
class Finding:
    """A rejected row or data issue of one batch, as the load summary quotes it (`finding_lines`)."""

    rule: str
    line: int | None
    field: str | None
    value: object
    record: str | None
    table: str


def finding_lines(findings: list[Finding], total: int, file: str, headers: Mapping[str, str],
                  lang: str = "zh") -> list[str]:
    """The first rejected rows and issues of a file as full sentences, and how many more there are
    (data-spec §3: the user reads file, line, column and what would be accepted where the load reports)."""
    lines = [t("cli.finding", lang, text=issue_text(
        f.rule, file=file, line=f.line, field=f.field, value=f.value, record=f.record, table=f.table,
        lang=lang, headers=headers)) for f in findings]
    if total > len(findings):
        lines.append(t("cli.more_findings", lang, n=total - len(findings)))
    return lines
