"""Trino's meaning on an engine that is not Trino: types, decimal rules, pattern translations.

The passes ``trino_*`` in ``gateway/planner/passes`` use these to rewrite a Trino-dialect query
for the embedded engine so that it gives Trino's answer (value and type), or is refused with
``NOT_SUPPORTED`` naming what has no faithful translation.
"""
