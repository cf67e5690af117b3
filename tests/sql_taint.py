"""A static check that SQL text is built from code, never from a user value (tests/test_sql_injection.py).

Ruff's S608 flags every SQL string built with an f-string, `+`, `%` or `.format`; this project marks
each such site `# noqa: S608`. This module proves what the marker claims: it follows values through
the query layer and reports any SQL text that a user value can reach.

- **Sources** (user values): the parameters of the query API, i.e. the public functions of `queries/`
  whose first parameter is `con` (the functions the dynamic sweep calls with hostile values), the
  public `*_query` list builders, and the methods of the classes in the scanned modules. Their
  parameters are user values, except `con`, `self`/`cls` and the parameters in SQL_PARAMETERS.
- **Propagation**: a local name is as tainted as any value assigned to it; f-strings, `+`, `%`,
  `.format`, `.join`, containers and comprehensions are tainted when a part is; `int()`, `float()`,
  `len()` and `bool()` give numbers; indexing a module constant (`KEYS[level]`) gives a constant (or
  KeyError); a call of a first-party function is followed into it with the caller's taint (so its
  SQL is checked in that context) and gives what its `return`s give; any other call is tainted when
  an argument is.
- **Sinks**: every interpolated part of an SQL-looking f-string, concatenation, `%` or `.format`; the
  SQL argument of `.execute()`/`.sql()`; the SQL_PARAMETERS of first-party helpers; the fields of a
  class that carries SQL (a `sql` field), except its bound `params`.

A site is reported with its module, line and the expression a user value reaches. Every
`# noqa: S608` of the scanned modules must sit on a sink that was checked in at least one context.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Packages whose modules are read to follow calls (first-party code).
FIRST_PARTY = ("queries", "etl", "ui", "labels")
# Modules whose SQL is checked: where user values (filters, viewer, search text, ids) meet SQL.
SCANNED = ("queries", "ui")
# Parameters that take SQL text or an identifier by contract: never a source; each call site must pass
# a value built from code.
SQL_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("queries.filters", "fetch"): ("sql",),
    ("queries.lookup", "fetch"): ("sql", "table"),
    ("ui.extract", "csv_from_sql"): ("view",),  # an SqlView: its `sql` is checked where it is made
    ("ui.extract", "xlsx_from_sql"): ("view",),
}
SQL_WORDS = re.compile(r"\b(SELECT|FROM|WHERE|JOIN|GROUP BY|ORDER BY|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|UNION|"
                       r"LIMIT|AND|OR|IN|IS|NOT|CASE|WHEN|THEN|OVER|AS|COPY|ATTACH)\b")
NUMERIC = {"int", "float", "len", "bool", "round", "abs", "isinstance", "hash", "range"}
STR_METHODS_KEEP = {"get", "setdefault", "pop"}  # d.get(key, default): the key only selects
EXECUTE = {"execute", "sql", "query", "executemany"}
MUTATORS = {"append", "extend", "insert", "add", "update", "appendleft"}
TRUSTED_PARAMS = {"self", "cls", "con"}


@dataclass
class Func:
    module: str
    qualname: str
    node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
    parent: Func | None  # enclosing function (closures)
    cls: str | None  # enclosing class

    @property
    def key(self) -> tuple[str, str]:
        return (self.module, self.qualname)

    def params(self) -> list[str]:
        a = self.node.args
        names = [p.arg for p in [*a.posonlyargs, *a.args, *a.kwonlyargs]]
        names += [p.arg for p in (a.vararg, a.kwarg) if p is not None]
        return names


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # alias -> (module, attr)
    globals: set[str] = field(default_factory=set)
    functions: dict[str, Func] = field(default_factory=dict)  # qualname -> Func
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)
    noqa_lines: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Finding:
    module: str
    line: int
    expr: str
    context: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: user value reaches SQL through `{self.expr}` ({self.context})"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load(path: Path, name: str | None = None, text: str | None = None) -> Module:
    text = path.read_text(encoding="utf-8") if text is None else text
    mod = Module(name or _module_name(path), path, ast.parse(text))
    mod.noqa_lines = {i for i, line in enumerate(text.splitlines(), 1) if "noqa: S608" in line}
    for node in ast.walk(mod.tree):  # imports anywhere (also inside functions)
        if isinstance(node, ast.Import):
            for a in node.names:
                mod.imports[a.asname or a.name.split(".")[0]] = (a.name if a.asname else a.name.split(".")[0], None)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                mod.imports[a.asname or a.name] = (node.module, a.name)
    for node in mod.tree.body:
        for target in _assigned(node):
            mod.globals.add(target)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            mod.globals.add(node.name)

    def visit(body: list[ast.stmt], prefix: str, parent: Func | None, cls: str | None) -> None:
        for node in body:
            for sub in _nested_defs(node):
                if isinstance(sub, ast.ClassDef):
                    mod.classes[prefix + sub.name] = sub
                    visit(sub.body, prefix + sub.name + ".", parent, sub.name)
                else:
                    fn = Func(mod.name, prefix + sub.name, sub, parent, cls)
                    mod.functions[fn.qualname] = fn
                    visit(sub.body, fn.qualname + ".", fn, None)

    visit(mod.tree.body, "", None, None)
    return mod


def _nested_defs(node: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef]:
    """The defs and classes directly in this statement (also inside if/try/with/for blocks)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        yield node
        return
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.stmt):
            yield from _nested_defs(child)


def _assigned(node: ast.AST) -> Iterator[str]:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    for t in targets:
        for n in ast.walk(t):
            if isinstance(n, ast.Name):
                yield n.id


def _looks_like_sql(parts: list[str]) -> bool:
    return bool(SQL_WORDS.search(" ".join(parts)))


def _const_parts(node: ast.expr) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    if isinstance(node, ast.BinOp):
        return _const_parts(node.left) + _const_parts(node.right)
    return []


class Checker:
    def __init__(self, extra: dict[str, str] | None = None) -> None:
        """`extra`: more modules (name -> source text), e.g. a test's own examples."""
        self.modules: dict[str, Module] = {}
        for pkg in FIRST_PARTY:
            for path in sorted((ROOT / pkg).rglob("*.py")):
                mod = _load(path)
                self.modules[mod.name] = mod
        for name, text in (extra or {}).items():
            self.modules[name] = _load(ROOT / (name.replace(".", "/") + ".py"), name, text)
        self.findings: set[Finding] = set()
        self.checked_lines: set[tuple[str, int]] = set()  # (module, line) of sinks checked
        self._done: set[tuple[tuple[str, str], frozenset[str]]] = set()
        self._returns: dict[tuple[tuple[str, str], frozenset[str], int | None], bool] = {}

    # --- entry points ---------------------------------------------------------------------------

    def scanned(self) -> list[Module]:
        return [m for n, m in self.modules.items() if n.split(".")[0] in SCANNED]

    def entries(self) -> Iterator[tuple[Func, frozenset[str]]]:
        for mod in self.scanned():
            for fn in mod.functions.values():
                if fn.parent is not None or isinstance(fn.node, ast.Lambda):
                    continue
                params = fn.params()
                public = not fn.node.name.startswith("_")
                query_api = public and fn.cls is None and params[:1] == ["con"]
                builder = public and fn.cls is None and fn.node.name.endswith("_query")
                method = fn.cls is not None
                if query_api or builder or method:
                    sql = set(SQL_PARAMETERS.get(fn.key, ()))
                    yield fn, frozenset(p for p in params if p not in TRUSTED_PARAMS and p not in sql)

    def run(self) -> Checker:
        for fn, taint in list(self.entries()):
            self.check(fn, taint)
        return self

    # --- one function in one taint context ------------------------------------------------------

    def check(self, fn: Func, taint: frozenset[str], index: int | None = None) -> bool:
        """Check fn's sinks with these parameters tainted; True when its returns (item `index` of
        the tuples it returns, when given) are safe."""
        key = (fn.key, taint, index)
        if key in self._returns:
            return self._returns[key]
        self._returns[key] = True  # recursion: optimistic, the other paths decide
        scope = _Scope(self, fn, taint)
        if (fn.key, taint) not in self._done:
            self._done.add((fn.key, taint))
            for node in scope.own_nodes():
                scope.sink(node)
        returns = [n.value for n in scope.own_nodes() if isinstance(n, ast.Return) and n.value is not None]
        if isinstance(fn.node, ast.Lambda):
            returns = [fn.node.body]
        ok = all(scope.safe(r, index) for r in returns)
        self._returns[key] = ok
        return ok

    def resolve(self, fn: Func, call: ast.Call) -> Func | ast.ClassDef | None:
        """The first-party function or class a call names, if any."""
        mod = self.modules[fn.module]
        f = call.func
        if isinstance(f, ast.Name):
            scope: Func | None = fn
            while scope is not None:  # a def nested in this function or an enclosing one
                nested = self.modules[scope.module].functions.get(f"{scope.qualname}.{f.id}")
                if nested is not None:
                    return nested
                scope = scope.parent
            if f.id in mod.functions:
                return mod.functions[f.id]
            if f.id in mod.classes:
                return mod.classes[f.id]
            if f.id in mod.imports:
                target, attr = mod.imports[f.id]
                if attr is not None:
                    return self._lookup(target, attr)
            return None
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name):
            base = f.value.id
            if base in ("self", "cls") and fn.cls is not None:
                prefix = fn.qualname.rsplit(".", 1)[0]
                return mod.functions.get(f"{prefix}.{f.attr}")
            if base in mod.imports:
                target, attr = mod.imports[base]
                return self._lookup(f"{target}.{attr}" if attr else target, f.attr)
        return None

    def _lookup(self, module: str, name: str) -> Func | ast.ClassDef | None:
        mod = self.modules.get(module)
        if mod is None:
            return None
        if name in mod.functions:
            return mod.functions[name]
        if name in mod.classes:
            return mod.classes[name]
        if name in mod.imports:  # re-exported
            target, attr = mod.imports[name]
            if attr is not None and target != module:
                return self._lookup(target, attr)
        return None


class _Scope:
    """Taint of the names of one function (and the functions around it) in one context."""

    def __init__(self, checker: Checker, fn: Func, taint: frozenset[str]) -> None:
        self.checker = checker
        self.fn = fn
        self.taint = taint
        self.module = checker.modules[fn.module]
        self.assigned: dict[str, list[tuple[ast.expr, int | None]]] = {}
        self.mappings: set[str] = set()  # locals that hold a dict: bound parameters, never SQL text
        self._collect()
        self._visiting: set[str] = set()
        self._visiting_values: set[str] = set()
        self._cache: dict[str, bool] = {}
        self.outer = _Scope(checker, fn.parent, self._outer_taint()) if fn.parent is not None else None

    def _outer_taint(self) -> frozenset[str]:
        # the enclosing function as an entry would see it: its parameters tainted unless trusted
        parent = self.fn.parent
        assert parent is not None
        sql = set(SQL_PARAMETERS.get(parent.key, ()))
        return frozenset(p for p in parent.params() if p not in TRUSTED_PARAMS and p not in sql)

    def own_nodes(self) -> Iterator[ast.AST]:
        """The nodes of this function, not of the functions defined in it."""
        node = self.fn.node
        stack: list[ast.AST] = [node.body] if isinstance(node, ast.Lambda) else list(node.body)  # type: ignore[list-item]
        while stack:
            n = stack.pop()
            yield n
            for child in ast.iter_child_nodes(n):
                if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    stack.append(child)

    def _collect(self) -> None:
        def add(target: ast.expr, value: ast.expr, index: int | None = None) -> None:
            if isinstance(target, ast.Name):
                self.assigned.setdefault(target.id, []).append((value, index))
                if isinstance(value, (ast.Dict, ast.DictComp)) or (
                        isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and value.func.id == "dict"):
                    self.mappings.add(target.id)
            elif isinstance(target, (ast.Tuple, ast.List)) and index is None:
                for i, elt in enumerate(target.elts):
                    add(elt, value, i)
            elif isinstance(target, ast.Subscript):  # x[k] = v: x holds v
                add(target.value, value)
            else:  # starred, attributes, nested unpacking: the whole value
                for n in ast.walk(target):
                    if isinstance(n, ast.Name):
                        self.assigned.setdefault(n.id, []).append((value, None))

        for n in self.own_nodes():
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    add(t, n.value)
            elif (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                  and n.func.attr in MUTATORS):  # x.append(v): x holds v
                for a in [*n.args, *(k.value for k in n.keywords)]:
                    add(n.func.value, a)
            elif isinstance(n, (ast.AnnAssign, ast.AugAssign)) and n.value is not None:
                add(n.target, n.value if isinstance(n, ast.AnnAssign) else ast.BinOp(n.target, n.op, n.value))
            elif isinstance(n, (ast.For, ast.AsyncFor, ast.comprehension)):
                # a loop variable holds an item of the iterable: marked by wrapping it in a Starred
                item = ast.Starred(value=n.iter, ctx=ast.Load())
                if isinstance(n.target, ast.Tuple):
                    for i, elt in enumerate(n.target.elts):
                        add(elt, item, i)
                else:
                    add(n.target, item)
            elif isinstance(n, ast.NamedExpr):
                add(n.target, n.value)
            elif isinstance(n, (ast.With, ast.AsyncWith)):
                for item in n.items:
                    if item.optional_vars is not None:
                        add(item.optional_vars, item.context_expr)
        for sub in self.fn.node.body if not isinstance(self.fn.node, ast.Lambda) else []:
            for d in _nested_defs(sub):
                self.assigned.setdefault(d.name, [])  # a local def: code
        for name in list(self.mappings):  # a name that is also assigned text is not a mapping
            if any(isinstance(v, (ast.JoinedStr, ast.Constant)) for v, _ in self.assigned[name]):
                self.mappings.discard(name)

    # --- values ---------------------------------------------------------------------------------

    def name_safe(self, name: str) -> bool:
        if name in self._cache:
            return self._cache[name]
        if name in self._visiting:
            return True  # a loop (x = x + ...): the other assignments decide
        if name in self.assigned or name in self.fn.params():
            self._visiting.add(name)
            ok = name in self.mappings or (
                name not in self.taint and all(self.safe(v, i) for v, i in self.assigned.get(name, [])))
            self._visiting.discard(name)
            self._cache[name] = ok
            return ok
        if self.outer is not None:
            return self.outer.name_safe(name)
        return True  # a module global, an import or a builtin: code

    def safe(self, node: ast.AST | None, index: int | None = None) -> bool:  # noqa: C901, PLR0911, PLR0912
        """Whether no user value reaches this expression (item `index` of it, when it is a tuple)."""
        if node is None or isinstance(node, (ast.Constant, ast.Lambda, ast.Compare, ast.Dict, ast.DictComp)):
            return True
        if isinstance(node, ast.Starred) and getattr(node, "lineno", None) is None:  # an item (see _collect)
            return self.item_safe(node.value, index)
        if index is not None and isinstance(node, ast.Tuple) and index < len(node.elts):
            return self.safe(node.elts[index])
        if index is not None and isinstance(node, ast.Call):
            target = self.checker.resolve(self.fn, node)
            if isinstance(target, Func):
                return self.checker.check(target, self._callee_taint(target, node), index)
        if isinstance(node, ast.JoinedStr):
            return all(self.safe(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
        if isinstance(node, ast.FormattedValue):
            return self.safe(node.value)
        if isinstance(node, ast.Name):
            return self.name_safe(node.id)
        if isinstance(node, ast.Attribute):
            return self.safe(node.value)
        if isinstance(node, ast.Subscript):
            if isinstance(node.value, ast.Name) and self._is_global(node.value.id):
                return True  # a constant table indexed: one of its values, or KeyError
            if isinstance(node.value, ast.Name) and node.value.id in self._all_mappings():
                return self._values_safe(node.value.id)  # a value of a mapping of bound parameters
            return self.safe(node.value)
        if isinstance(node, ast.Call):
            return self.call_safe(node)
        if isinstance(node, ast.BinOp):
            return self.safe(node.left) and self.safe(node.right)
        if isinstance(node, ast.UnaryOp):
            return self.safe(node.operand)
        if isinstance(node, ast.BoolOp):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, ast.IfExp):
            return self.safe(node.body) and self.safe(node.orelse)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            return all(self.safe(e) for e in node.elts)
        if isinstance(node, ast.Dict):
            return all(self.safe(v) for v in node.values)
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
            return self.safe(node.elt)  # the targets are locals, tainted by their iterables
        if isinstance(node, ast.DictComp):
            return self.safe(node.value)
        if isinstance(node, (ast.Starred, ast.NamedExpr, ast.Await)):
            return self.safe(node.value)
        if isinstance(node, ast.Slice):
            return True
        return False

    def item_safe(self, iterable: ast.expr, index: int | None) -> bool:
        """Whether an item of `iterable` (its item `index`, when the item is unpacked) is safe."""
        if isinstance(iterable, (ast.List, ast.Tuple, ast.Set)):
            return all(self.item_safe(e, index) if isinstance(e, ast.Starred) else self.safe(e, index)
                       for e in iterable.elts)
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name):
            name, args = iterable.func.id, iterable.args
            if name == "enumerate" and args:
                return index == 0 or self.item_safe(args[0], None)
            if name == "zip" and index is not None and index < len(args):
                return self.item_safe(args[index], None)
            if name in ("sorted", "reversed", "list", "tuple", "set") and args:
                return self.item_safe(args[0], index)
            if name == "range":
                return True
        return self.safe(iterable)

    def _all_mappings(self) -> set[str]:
        return self.mappings | (self.outer._all_mappings() if self.outer is not None else set())

    def _values_safe(self, name: str) -> bool:
        scope: _Scope | None = self
        while scope is not None and name not in scope.assigned:
            scope = scope.outer
        if scope is None:
            return False
        if name in scope._visiting_values:
            return True  # a loop: the other assignments decide
        scope._visiting_values.add(name)
        ok = name not in scope.taint and all(scope.safe(v, i) for v, i in scope.assigned[name])
        scope._visiting_values.discard(name)
        return ok

    def _is_global(self, name: str) -> bool:
        scope: _Scope | None = self
        while scope is not None:
            if name in scope.assigned or name in scope.fn.params():
                return False
            scope = scope.outer
        return name in self.module.globals or name in self.module.imports

    def call_safe(self, call: ast.Call) -> bool:
        f = call.func
        target = self.checker.resolve(self.fn, call)
        if isinstance(target, Func):
            return self.checker.check(target, self._callee_taint(target, call))
        if isinstance(target, ast.ClassDef):
            return all(self.safe(a) for a in [*call.args, *(k.value for k in call.keywords)])
        if isinstance(f, ast.Name):
            if f.id in NUMERIC or f.id == "dict":
                return True
            # a builtin or library function (str, sorted, re.sub ...): its result is as tainted as its arguments
            return all(self.safe(a) for a in [*call.args, *(k.value for k in call.keywords)])
        if isinstance(f, ast.Attribute):
            args = [*call.args, *(k.value for k in call.keywords)]
            if f.attr in STR_METHODS_KEEP:
                args = args[1:]
            return self.safe(f.value) and all(self.safe(a) for a in args)
        return all(self.safe(a) for a in [f, *call.args, *(k.value for k in call.keywords)])

    def _callee_taint(self, target: Func, call: ast.Call) -> frozenset[str]:
        node = target.node
        a = node.args
        positional = [p.arg for p in [*a.posonlyargs, *a.args]]
        if target.cls is not None and positional[:1] in (["self"], ["cls"]):
            positional = positional[1:]
        tainted: set[str] = set()
        for i, arg in enumerate(call.args):
            unsafe = not self.safe(arg)
            if isinstance(arg, ast.Starred) or i >= len(positional):
                if unsafe:
                    tainted.update(positional[i:])
                    if a.vararg is not None:
                        tainted.add(a.vararg.arg)
                continue
            if unsafe:
                tainted.add(positional[i])
        for kw in call.keywords:
            if not self.safe(kw.value):
                if kw.arg is None:  # **kwargs: any
                    tainted.update(target.params())
                elif kw.arg in target.params():
                    tainted.add(kw.arg)
                elif a.kwarg is not None:
                    tainted.add(a.kwarg.arg)
        return frozenset(tainted - TRUSTED_PARAMS)

    # --- sinks ----------------------------------------------------------------------------------

    def report(self, node: ast.AST, context: str) -> None:
        line = getattr(node, "lineno", 0)
        self.checker.findings.add(Finding(self.fn.module, line, ast.unparse(node)[:160], context))

    def mark(self, node: ast.AST) -> None:
        end = getattr(node, "end_lineno", None) or getattr(node, "lineno", 0)
        for line in range(getattr(node, "lineno", 0), end + 1):
            self.checker.checked_lines.add((self.fn.module, line))

    def sink(self, node: ast.AST) -> None:
        where = f"{self.fn.qualname}, tainted: {', '.join(sorted(self.taint)) or 'none'}"
        if isinstance(node, ast.JoinedStr) and _looks_like_sql(_const_parts(node)):
            self.mark(node)
            for v in node.values:
                if isinstance(v, ast.FormattedValue) and not self.safe(v.value):
                    self.report(v.value, where)
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mod)) and _looks_like_sql(_const_parts(node)):
            self.mark(node)
            for side in (node.left, node.right):
                if not isinstance(side, (ast.Constant, ast.JoinedStr, ast.BinOp)) and not self.safe(side):
                    self.report(side, where)
        elif isinstance(node, ast.Call):
            self._call_sink(node, where)
            target = self.checker.resolve(self.fn, node)
            if isinstance(target, Func):  # its SQL is checked with what this call passes
                self.checker.check(target, self._callee_taint(target, node))

    def _call_sink(self, call: ast.Call, where: str) -> None:
        f = call.func
        if isinstance(f, ast.Attribute) and f.attr == "format" and _looks_like_sql(_const_parts(f.value)):
            self.mark(call)
            for a in [*call.args, *(k.value for k in call.keywords)]:
                if not self.safe(a):
                    self.report(a, where)
            return
        if isinstance(f, ast.Attribute) and f.attr in EXECUTE and call.args:
            self.mark(call)
            if not self.safe(call.args[0]):
                self.report(call.args[0], where)
        target = self.checker.resolve(self.fn, call)
        if isinstance(target, Func) and target.key in SQL_PARAMETERS:
            self.mark(call)
            names = [p for p in target.params() if p not in ("self", "cls")]
            for i, a in enumerate(call.args):
                if i < len(names) and names[i] in SQL_PARAMETERS[target.key] and not self.safe(a):
                    self.report(a, where)
            for k in call.keywords:
                if k.arg in SQL_PARAMETERS[target.key] and not self.safe(k.value):
                    self.report(k.value, where)
        if isinstance(target, ast.ClassDef) and _carries_sql(target):
            self.mark(call)
            for a in [*call.args, *(k.value for k in call.keywords if k.arg != "params")]:
                if not self.safe(a) and not (isinstance(a, ast.Dict) or _is_params_arg(target, call, a)):
                    self.report(a, where)


def _carries_sql(cls: ast.ClassDef) -> bool:
    return any(isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name) and s.target.id == "sql"
               for s in cls.body)


def _is_params_arg(cls: ast.ClassDef, call: ast.Call, arg: ast.expr) -> bool:
    """Whether a positional argument of the class's constructor is its `params` field."""
    fields = [s.target.id for s in cls.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)]
    for i, a in enumerate(call.args):
        if a is arg:
            return i < len(fields) and fields[i] == "params"
    return False


def check_tree(extra: dict[str, str] | None = None) -> Checker:
    return Checker(extra).run()
