"""Labels of running the product (issue 18): upgrades, backups and restores on the command line, the
page shown while a database waits for its upgrade, and the user guide's page and sidebar link."""

LABELS: dict[str, tuple[str, str]] = {
    # upgrades (etl.load.rebuild)
    "cli.upgraded": (
        "数据库由第 {old} 版程序建立，已按第 {new} 版升级：汇总表已由基础数据重建，基础数据逐表行数不变"
        "（{rows}）：{db}",
        "The database was built by schema version {old}; upgraded to version {new}: derived tables rebuilt "
        "from the base tables, every base table's row count unchanged ({rows}): {db}"),
    "cli.upgrading": ("数据库由第 {old} 版程序建立，先按第 {new} 版升级……",
                      "The database was built by schema version {old}; upgrading to version {new} first…"),
    "cli.schema_newer": (
        "数据库由更新的第 {version} 版程序建立，本程序（第 {mine} 版）无法读取；请升级程序，数据未作任何更改。",
        "The database was built by a newer version ({version}) than this program ({mine}); upgrade the "
        "program. Nothing was changed."),
    "cli.upgrade_lost": (
        "升级中止，数据未作任何更改：旧数据库的表 {table} 有本版本没有的列（{columns}），继续会丢失已导入的数据。",
        "Upgrade stopped, nothing was changed: table {table} of the old database has columns this version "
        "lacks ({columns}); going on would lose loaded data."),
    "cli.upgrade_rows": (
        "升级中止，数据未作任何更改：表 {table} 复制前 {old} 行、复制后 {new} 行。",
        "Upgrade stopped, nothing was changed: table {table} had {old} rows before the copy and {new} after."),
    # backups (etl.backup)
    "cli.backup_pruned": ("按 --keep {keep} 删除了 {n} 份较早的备份：{names}",
                          "Deleted {n} older backup(s) as --keep {keep} asks: {names}"),
    "cli.backup_keep_bad": ("--keep 须为至少 1 的整数（给出的是 {n}）；未做备份。",
                            "--keep must be a whole number of at least 1 (given: {n}); nothing was backed up."),
    "cli.backup_done": (
        "已备份：{file}（第 {generation} 代快照，程序版本 {version}，{size}，{households} 户）",
        "Backed up: {file} (snapshot generation {generation}, schema version {version}, {size}, "
        "{households} households)"),
    "cli.restore_done": (
        "已恢复：{file} → {db}（程序版本 {version}，{households} 户；正在查看的用户在下一次操作时看到恢复的数据）",
        "Restored: {file} → {db} (schema version {version}, {households} households; viewers see the "
        "restored data at their next click)"),
    "cli.restore_upgraded": (
        "已恢复：{file} → {db}（备份由第 {old} 版程序建立，已按第 {new} 版升级，基础数据逐表行数不变；{households} 户；"
        "正在查看的用户在下一次操作时看到恢复的数据）",
        "Restored: {file} → {db} (the backup was made by schema version {old}, upgraded to version {new}, every base "
        "table's row count unchanged; {households} households; viewers see the restored data at their next click)"),
    "cli.restore_kept": (
        "恢复前的数据已备份：{file}（如需撤销本次恢复：python -m etl restore {file}）",
        "The data before the restore was backed up: {file} (to undo this restore: python -m etl restore {file})"),
    "cli.restore_keep_failed": (
        "恢复前须先备份当前数据，但未能写入：{path}（{reason}）；未作任何恢复，数据库未作更改。请腾出磁盘空间后重试；"
        "若确定不再需要当前数据，可加 --no-backup 直接恢复。",
        "Before a restore the current data is backed up, but this failed: {path} ({reason}); nothing was restored "
        "and the database was not changed. Free some disk space and try again; if the current data is not "
        "needed, add --no-backup to restore without it."),
    "cli.restore_none": ("{dir} 中没有备份文件（fupin-*.duckdb）。", "No backup (fupin-*.duckdb) in {dir}."),
    "cli.restore_missing": ("找不到备份：{path}", "No backup at {path}"),
    "cli.restore_bad": ("不是可用的备份，数据未作任何更改：{file}（{reason}）",
                        "Not a usable backup, nothing was changed: {file} ({reason})"),
    "backup.reason.checksum": ("校验和与备份清单不符，文件已损坏或被改动", "checksum differs from the manifest"),
    "backup.reason.not_db": ("不是看板数据库", "not a dashboard database"),
    "backup.reason.unreadable": ("无法打开", "cannot be opened"),
    "backup.reason.damaged": ("文件已损坏（数据块校验失败）", "the file is damaged (a block fails its checksum)"),
    # the dashboard on a database of an older version
    "stale.title": ("数据库需要升级", "The database needs an upgrade"),
    "stale.body": (
        "当前数据库由第 {old} 版程序建立，本程序为第 {new} 版。请数据管理员运行下面的命令（`make run` 启动时会"
        "自动运行）：汇总表将由已导入的基础数据重建，不会丢失任何已导入的数据。升级期间及之前，看板其他用户不受影响。",
        "The database was built by schema version {old}; this program is version {new}. Ask the data "
        "administrator to run the command below (`make run` runs it at start): the derived tables are "
        "rebuilt from the loaded base data, and no loaded row is lost."),
    # the user guide
    "nav.guide": ("使用手册", "User guide"),
    "guide.sidebar_link": ("使用手册", "User guide"),
    "guide.missing": ("找不到使用手册文件 {file}。", "The user guide file {file} is missing."),
    # python -m ui.selfcheck (install.sh --check): "ok" stays, the bundle's README says 全部显示 ok 即可
    "selfcheck.description": ("逐页打开看板（不启动浏览器），报告打不开的页面", "open every dashboard page headless and report the ones that fail"),
    "selfcheck.ok": ("ok   {page}", "ok   {page}"),
    "selfcheck.fail": ("失败 {page}", "FAIL {page}"),
    # ui.serve: the port asked for is taken (Streamlit alone said only "Port 8501 is not available")
    "serve.port_taken": ("端口 {port} 已被占用（另一个看板或程序正在使用），看板没有启动。请换一个端口，例如 {free}："
                         "make run PORT={free}（安装包：PORT={free} sh install.sh）。",
                         "Port {port} is taken (another dashboard or program uses it); the dashboard did not start. "
                         "Choose another port, {free} for instance: make run PORT={free} (the offline bundle: "
                         "PORT={free} sh install.sh)."),
    "selfcheck.no_title": ("页面没有标题", "no title"),
    "extract_log.not_written": ("文件已下载，但下载记录未能写入 {path}（{reason}）。请告知管理员。",
                                "The file was downloaded, but the download log {path} could not be written ({reason}). Tell the administrator."),
}
