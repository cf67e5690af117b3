"""The rerunnable benchmark of issue 5: `python -m bench --sizes S,M[,L] [--out bench/out]`.

Modules: `sizes` (scaled files, reused), `child` (measured child processes), `etl_bench` (ETL vs plain
DuckDB read_csv vs pandas), `query_bench` (every page query: app layer vs raw SQL vs naive pandas),
`page_bench` (Streamlit AppTest cold/warm), `extract_bench` (1M-row CSV/XLSX extract), `report`
(docs/PERFORMANCE.md and the raw JSON), `run` (the command line).
"""
