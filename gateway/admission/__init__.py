"""Admission control: resource groups that queue queries instead of refusing them."""

from gateway.admission.controller import Admission, GroupStatus, Ticket

__all__ = ["Admission", "GroupStatus", "Ticket"]
