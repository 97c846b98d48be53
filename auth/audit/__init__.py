"""The append-only audit log: who asked what, from where, what was decided, how it ended."""

from auth.audit.factory import audit_log_from_config
from auth.audit.record import AuditRecord
from auth.audit.store import AuditError, AuditFilter, AuditStore
from auth.audit.writer import AuditLog

__all__ = ["AuditError", "AuditFilter", "AuditLog", "AuditRecord", "AuditStore", "audit_log_from_config"]
