"""Policy and policy-item conditions.

Supported natively:

* ``ip-range`` style conditions (``RangerIpMatcher``);
* context-value conditions (``RangerSimpleMatcher`` with ``CONTEXT_NAME``: the request context value
  matches one of the condition's values, wildcards allowed);
* the script templates ``ctx.isAccessedAfter('attr')`` / ``ctx.isAccessedBefore('attr')``
  (``RangerScriptTemplateConditionEvaluator``, used by the tag definition's ``enforce-expiry``);
* a small, side-effect-free subset of the JavaScript of ``RangerScriptConditionEvaluator`` (its first value,
  trimmed): comparisons (``==``, ``!=``, ``<``, ``<=``, ``>``, ``>=``, JavaScript's number coercion) of
  ``TAG.attr`` / ``USER.attr`` / ``tagAttr.get('attr')`` with literals, ``&&``, ``||``, ``!``, parentheses,
  the ``ctx`` methods ``isAccessedBefore/After``, ``isInRole``, ``isInGroup``, ``isInAnyRole``,
  ``isInAnyGroup``, ``hasTag``, ``hasAnyTag``, ``hasUserAttr``, ``hasTagAttr`` and their macros
  (``IS_IN_ROLE('r')``, ``IS_IN_GROUP``, ``IS_IN_ANY_ROLE``, ``IS_NOT_IN_ANY_GROUP``, ``HAS_TAG``,
  ``HAS_NO_TAG`` ...), optionally wrapped as ``if ( ... ) ctx.result = true;``.

Anything else (other JavaScript, custom evaluator classes) is *unsupported*: :meth:`ConditionSet.evaluate`
returns ``None`` and the caller fails closed.
"""

from __future__ import annotations

import ast
import datetime as dt
import fnmatch
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from auth.policy.model import PolicyCondition, ServiceDef

UNSUPPORTED = None


@dataclass(frozen=True, slots=True)
class ConditionContext:
    """What conditions may read: access time, client address, the tag being evaluated, the principal (groups
    and roles), and the names of every tag of the requested resource."""

    access_time: dt.datetime
    remote_ip: str | None
    tag_attributes: Mapping[str, str]
    user_attributes: Mapping[str, str]
    request_context: Mapping[str, str]
    groups: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    tags: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


_Check = Callable[[ConditionContext], bool]

_TEMPLATE = re.compile(r"^\s*ctx\.isAccessed(After|Before)\(\s*'([^']+)'\s*\)\s*;?\s*$")
_DATE_FORMATS = (
    "%Y/%m/%d",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f%z",
    "%Y/%m/%dT%H:%M:%S.%f%z",
    "%Y-%m-%dT%H:%M:%S%z",
)


def parse_tag_date(text: str) -> dt.datetime | None:
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text.replace("Z", "+0000"), fmt)
        except ValueError:
            continue
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    return None


def _accessed(after: bool, attribute: str) -> _Check:
    def check(ctx: ConditionContext) -> bool:
        raw = ctx.tag_attributes.get(attribute)
        when = parse_tag_date(raw) if raw else None
        if when is None:
            return False
        return ctx.access_time > when if after else ctx.access_time < when

    return check


def _context_value(name: str, values: Iterable[str]) -> _Check:
    patterns = [re.compile(fnmatch.translate(v)) for v in values if v]
    if not patterns or any(v == "*" for v in values):
        return lambda ctx: True

    def check(ctx: ConditionContext) -> bool:
        value = ctx.request_context.get(name)
        return value is not None and any(p.match(value) for p in patterns)

    return check


def _ip_range(values: Iterable[str]) -> _Check:
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    prefixes: list[str] = []
    for value in values:
        value = value.strip()
        if value.endswith("*"):
            prefixes.append(value.rstrip("*"))
        else:
            networks.append(ipaddress.ip_network(value, strict=False))

    def check(ctx: ConditionContext) -> bool:
        if not ctx.remote_ip:
            return False
        if any(ctx.remote_ip.startswith(p) for p in prefixes):
            return True
        try:
            address = ipaddress.ip_address(ctx.remote_ip)
        except ValueError:
            return False
        return any(address in net for net in networks)

    return check


_IF_RESULT = re.compile(r"^\s*if\s*\((.*)\)\s*ctx\.result\s*=\s*true\s*;?\s*$", re.DOTALL)
_JS_STRING = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_JS_TOKENS = re.compile(_JS_STRING + r"|(===|!==|&&|\|\||!(?!=)|\btrue\b|\bfalse\b|\bnull\b)")
_JS_TO_PY = {"===": "==", "!==": "!=", "&&": " and ", "||": " or ", "!": " not ", "true": "True"}
_JS_TO_PY |= {"false": "False", "null": "None"}

# The macros of Ranger's script evaluator (``RangerRequestScriptEvaluator.getMacrosMap``) this subset knows.
_MACROS = {
    "IS_IN_ROLE": "ctx.isInRole",
    "IS_IN_GROUP": "ctx.isInGroup",
    "IS_IN_ANY_ROLE": "ctx.isInAnyRole()",
    "IS_IN_ANY_GROUP": "ctx.isInAnyGroup()",
    "IS_NOT_IN_ANY_ROLE": "!ctx.isInAnyRole()",
    "IS_NOT_IN_ANY_GROUP": "!ctx.isInAnyGroup()",
    "HAS_TAG": "ctx.hasTag",
    "HAS_ANY_TAG": "ctx.hasAnyTag()",
    "HAS_NO_TAG": "!ctx.hasAnyTag()",
    "HAS_USER_ATTR": "ctx.hasUserAttr",
    "HAS_TAG_ATTR": "ctx.hasTagAttr",
}
_MACRO_PATTERN = re.compile(r"\b(" + "|".join(_MACROS) + r")\b")

# ctx methods: name -> number of (string) arguments.
_CTX_CALLS = {
    "isAccessedBefore": 1,
    "isAccessedAfter": 1,
    "isInRole": 1,
    "isInGroup": 1,
    "isInAnyRole": 0,
    "isInAnyGroup": 0,
    "hasTag": 1,
    "hasAnyTag": 0,
    "hasUserAttr": 1,
    "hasTagAttr": 1,
}
_COMPARISONS = (ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


def _js_to_python(script: str) -> str:
    script = _MACRO_PATTERN.sub(lambda m: _MACROS[m.group(1)], script)
    found = _IF_RESULT.match(script)
    body = found.group(1) if found else script.strip().rstrip(";")
    return _JS_TOKENS.sub(lambda m: m.group(1) or _JS_TO_PY[m.group(2)], body).strip()


def _compile_expression(script: str) -> _Check | None:
    """Compile the supported JavaScript subset; ``None`` when the script goes beyond it."""
    try:
        tree = ast.parse(_js_to_python(script), mode="eval").body
    except SyntaxError:
        return None
    if not _allowed(tree):
        return None
    return lambda ctx: bool(_eval(tree, ctx))


def _string_args(node: ast.Call, count: int) -> bool:
    return (
        len(node.args) == count
        and not node.keywords
        and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)
    )


def _allowed(node: ast.expr) -> bool:
    if isinstance(node, ast.BoolOp):
        return all(_allowed(v) for v in node.values)
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.Not) and _allowed(node.operand)
    if isinstance(node, ast.Compare):
        return all(isinstance(op, _COMPARISONS) for op in node.ops) and all(
            _allowed(v) for v in (node.left, *node.comparators)
        )
    if isinstance(node, ast.Constant):
        return node.value is None or isinstance(node.value, str | int | float | bool)
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, ast.Name) and node.value.id in ("TAG", "USER")
    if isinstance(node, ast.Call):
        func = node.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
            return False
        if func.value.id == "ctx" and func.attr in _CTX_CALLS:
            return _string_args(node, _CTX_CALLS[func.attr])
        return func.value.id == "tagAttr" and func.attr == "get" and _string_args(node, 1)
    return False


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip() or "0")
        except ValueError:
            return None
    return None


def _compare(op: ast.cmpop, left: object, right: object) -> bool:
    if isinstance(op, ast.Eq | ast.NotEq):
        return (left == right) == isinstance(op, ast.Eq)
    # JavaScript's relational operators: strings compare as strings, anything else as numbers (NaN: false).
    if isinstance(left, str) and isinstance(right, str):
        a: object = left
        b: object = right
    else:
        a, b = _number(left), _number(right)
        if a is None or b is None:
            return False
    assert isinstance(a, str | float)
    assert isinstance(b, type(a))
    if isinstance(op, ast.Lt):
        return a < b  # type: ignore[operator]
    if isinstance(op, ast.LtE):
        return a <= b  # type: ignore[operator]
    if isinstance(op, ast.Gt):
        return a > b  # type: ignore[operator]
    return a >= b  # type: ignore[operator]


def _call(name: str, args: list[str], ctx: ConditionContext) -> bool:
    arg = args[0] if args else ""
    if name in ("isAccessedBefore", "isAccessedAfter"):
        return _accessed(name == "isAccessedAfter", arg)(ctx)
    if name == "isInRole":
        return arg in ctx.roles
    if name == "isInGroup":
        return arg in ctx.groups
    if name == "isInAnyRole":
        return bool(ctx.roles)
    if name == "isInAnyGroup":
        return bool(ctx.groups)
    if name == "hasTag":
        return arg in ctx.tags
    if name == "hasAnyTag":
        return bool(ctx.tags)
    if name == "hasUserAttr":
        return arg in ctx.user_attributes
    return arg in ctx.tag_attributes  # hasTagAttr


def _eval(node: ast.expr, ctx: ConditionContext) -> object:
    if isinstance(node, ast.BoolOp):
        values = (bool(_eval(v, ctx)) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        return not _eval(node.operand, ctx)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, ctx)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval(comparator, ctx)
            if not _compare(op, left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        source = ctx.tag_attributes if node.value.id == "TAG" else ctx.user_attributes
        return source.get(node.attr)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        args = [str(a.value) for a in node.args if isinstance(a, ast.Constant)]
        owner = node.func.value
        if isinstance(owner, ast.Name) and owner.id == "tagAttr":
            return ctx.tag_attributes.get(args[0])
        return _call(node.func.attr, args, ctx)
    raise ValueError("unsupported expression")  # unreachable after _allowed


def _compile_one(cond: PolicyCondition, service_def: ServiceDef) -> _Check | None:
    cond_def = service_def.condition_def(cond.type)
    evaluator = cond_def.evaluator.rsplit(".", 1)[-1] if cond_def else ""
    if evaluator == "RangerIpMatcher" or (cond_def is None and cond.type == "ip-range"):
        return _ip_range(cond.values)
    if evaluator == "RangerSimpleMatcher" and cond_def is not None:
        return _context_value(cond_def.evaluator_options.get("CONTEXT_NAME", cond.type), cond.values)
    if evaluator == "RangerScriptConditionEvaluator":
        # As RangerScriptConditionEvaluator.getScript: the first value, trimmed; no script holds.
        script = cond.values[0].strip() if cond.values else ""
        if not script:
            return lambda ctx: True
        return _compile_expression(script)
    if evaluator == "RangerScriptTemplateConditionEvaluator" and cond_def is not None:
        template = cond_def.evaluator_options.get("scriptTemplate", "")
        found = _TEMPLATE.match(template)
        if found is None:
            return None
        check = _accessed(found.group(1) == "After", found.group(2))
        # The template applies when the item's value says "yes" (e.g. enforce-expiry: yes).
        enabled = any(v.strip().lower() in ("yes", "true") for v in cond.values)
        if not enabled:
            return lambda ctx: True
        return check
    return None


class ConditionSet:
    """All conditions of one policy or item; all must hold."""

    __slots__ = ("_checks", "_unsupported", "count")

    def __init__(self, conditions: Iterable[PolicyCondition], service_def: ServiceDef):
        checks: list[_Check] = []
        unsupported = False
        count = 0
        for cond in conditions:
            count += 1
            check = _compile_one(cond, service_def)
            if check is None:
                unsupported = True
            else:
                checks.append(check)
        self._checks = tuple(checks)
        self._unsupported = unsupported
        self.count = count

    @property
    def empty(self) -> bool:
        return self.count == 0

    def evaluate(self, ctx: ConditionContext) -> bool | None:
        """True/False, or ``None`` when a condition cannot be evaluated here (the caller fails closed)."""
        for check in self._checks:
            if not check(ctx):
                return False
        return UNSUPPORTED if self._unsupported else True
