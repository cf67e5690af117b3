"""Labels of the inspection pages (rectification, health, visits, archive quality, data, briefing)."""

LABELS: dict[str, tuple[str, str]] = {}
