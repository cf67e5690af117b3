"""Labels of the dashboard core pages (shell, filters, overview, causes, exit, assistance)."""

LABELS: dict[str, tuple[str, str]] = {}
