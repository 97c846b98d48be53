"""The side-effect-free subset of ``RangerScriptConditionEvaluator``'s JavaScript that Lakegate evaluates.

A script is translated to a Python expression and checked node by node against an allowlist before it is
ever evaluated (never with ``eval``): comparisons of ``TAG.attr`` / ``USER.attr`` / ``tagAttr.get('attr')``
with literals (JavaScript's number coercion for ``<``, ``<=``, ``>``, ``>=``), ``&&``, ``||``, ``!``,
parentheses, the ``ctx`` methods in ``_CTX_CALLS`` and Ranger's macros for them (``IS_IN_ROLE('r')`` ...),
optionally wrapped as ``if ( ... ) ctx.result = true;``. Anything else does not compile and the caller fails
closed.
"""

from __future__ import annotations

import ast
import re

from auth.policy.condition_context import Check, ConditionContext, accessed

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


def compile_script(script: str) -> Check | None:
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
        return accessed(name == "isAccessedAfter", arg)(ctx)
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
