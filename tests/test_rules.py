"""Every named threshold and rule has one definition, in etl/rules.py (issue 16): no other module of the
product assigns a name of it, or restates one of its values under another name."""

from __future__ import annotations

import ast

from etl import rules
from tests.test_import_cycles import first_party_modules

RULES = {name: value for name, value in vars(rules).items() if name.isupper()}


def _module_constants(tree: ast.Module) -> dict[str, object]:
    """Module-level NAME = <literal> assignments (a literal value only; expressions are not restatements)."""
    out: dict[str, object] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(value)
                except ValueError:
                    out[target.id] = None  # not a literal: an alias or a formula
    return out


def test_rules_are_named_and_explained() -> None:
    assert {"POVERTY_LINE", "MONITORING_FACTOR", "DUE_SOON_DAYS", "MIN_FOLLOW_UPS", "WRONG_EXIT_LIMIT",
            "VISIT_WITHIN_DAYS", "SCHOOL_AGE", "MIN_SAMPLE"} <= set(RULES)
    doc = rules.__doc__ or ""
    for word in ("逾期", "随访达标", "疑似错退", "监测线"):
        assert word in doc, word


def test_no_module_redefines_a_rule() -> None:
    for module, path in first_party_modules().items():
        if module == "etl.rules":
            continue
        constants = _module_constants(ast.parse(path.read_text(encoding="utf-8")))
        for name in constants.keys() & RULES.keys():
            raise AssertionError(f"{module} defines {name} again; import it from etl.rules")
        # the same threshold under another name (numbers of one digit and 0/1 are too common to judge)
        for name, value in constants.items():
            for rule, rule_value in RULES.items():
                if isinstance(rule_value, (tuple, dict)) or (isinstance(rule_value, str) and len(rule_value) > 3):
                    assert value != rule_value, f"{module}.{name} restates etl.rules.{rule}"

