"""What changes between Odoo 17, 18 and 19, in one place (reference §1 and §2).

Every difference the emulator reproduces is a property of :class:`VersionSpec`: the protocols
served, the field names that were renamed, the selections that grew, and a few behaviours
(``load`` error reporting, ``has_group`` being a model method in 17, expense sheets until 18).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SUPPORTED = (17, 18, 19)


@dataclass(frozen=True)
class VersionSpec:
    """One major version of Odoo, as the emulator serves it."""

    major: int

    def __post_init__(self) -> None:
        if self.major not in SUPPORTED:
            raise ValueError(f"unsupported Odoo version {self.major}: 17, 18 or 19")

    # -- server identity ---------------------------------------------------------------------

    @property
    def version(self) -> str:
        """``odoo.release.version``: ``"19.0"``."""
        return f"{self.major}.0"

    @property
    def version_info(self) -> list[Any]:
        """``odoo.release.version_info``: ``[19, 0, 0, "final", 0, ""]``."""
        return [self.major, 0, 0, "final", 0, ""]

    def rpc_version(self) -> dict[str, Any]:
        """``common.version()`` (``RPC_VERSION_1``)."""
        return {
            "server_version": self.version,
            "server_version_info": self.version_info,
            "server_serie": self.version,
            "protocol_version": 1,
        }

    # -- protocols ---------------------------------------------------------------------------

    @property
    def has_json2(self) -> bool:
        """``/json/2/<model>/<method>`` exists from 19.0 (``addons/rpc``)."""
        return self.major >= 19

    @property
    def has_web_version(self) -> bool:
        """``GET /web/version`` and ``/json/version`` exist from 19.0."""
        return self.major >= 19

    @property
    def jsonrpc_error_code(self) -> int:
        """``error.code`` of a JSON-RPC error: 200 in 17/18, 0 in 19 ("we don't care")."""
        return 0 if self.major >= 19 else 200

    @property
    def has_api_private(self) -> bool:
        """``@api.private`` exists from 18.0 (``get_public_method``)."""
        return self.major >= 18

    # -- field names -------------------------------------------------------------------------

    @property
    def project_account_field(self) -> str:
        return "analytic_account_id" if self.major <= 17 else "account_id"

    @property
    def sol_tax_field(self) -> str:
        return "tax_ids" if self.major >= 19 else "tax_id"

    @property
    def sol_uom_field(self) -> str:
        return "product_uom_id" if self.major >= 19 else "product_uom"

    @property
    def milestone_uom_field(self) -> str:
        return "product_uom_id" if self.major >= 19 else "product_uom"

    @property
    def product_type_field(self) -> str:
        return "detailed_type" if self.major <= 17 else "type"

    @property
    def user_groups_field(self) -> str:
        return "group_ids" if self.major >= 19 else "groups_id"

    @property
    def group_users_field(self) -> str:
        return "user_ids" if self.major >= 19 else "users"

    @property
    def partner_has_mobile(self) -> bool:
        """``res.partner.mobile`` and ``title`` were removed in 19."""
        return self.major <= 18

    # -- behaviours --------------------------------------------------------------------------

    @property
    def expense_sheets(self) -> bool:
        """``hr.expense.sheet`` exists until 18."""
        return self.major <= 18

    @property
    def so_analytic_account(self) -> bool:
        """``sale.order.analytic_account_id`` exists in 17 only."""
        return self.major <= 17

    @property
    def has_group_model_method(self) -> bool:
        """``res.users.has_group`` is ``@api.model`` in 17, a record method from 18."""
        return self.major <= 17

    @property
    def has_name_get(self) -> bool:
        """``name_get`` still exists (deprecated) in 17; removed in 18."""
        return self.major <= 17

    @property
    def load_reports_batch_error(self) -> bool:
        """18/19 ``load`` insert the batch's UserError as ``messages[0]`` (first row's info)."""
        return self.major >= 18

    @property
    def auto_milestone(self) -> bool:
        """18/19 create a milestone when confirming a ``delivered_milestones`` line."""
        return self.major >= 18

    @property
    def draft_move_name(self) -> str | bool:
        """Name of a draft invoice: ``'/'`` in 17, ``False`` from 18."""
        return "/" if self.major <= 17 else False

    @property
    def move_payment_states(self) -> list[tuple[str, str]]:
        states = [
            ("not_paid", "Not Paid"),
            ("in_payment", "In Payment"),
            ("paid", "Paid"),
            ("partial", "Partially Paid"),
            ("reversed", "Reversed"),
        ]
        if self.major >= 18:
            states.append(("blocked", "Blocked"))
        states.append(("invoicing_legacy", "Invoicing App Legacy"))
        return states

    @property
    def payment_states(self) -> list[tuple[str, str]]:
        if self.major <= 17:
            return [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")]
        return [
            ("draft", "Draft"),
            ("in_process", "In Process"),
            ("paid", "Paid"),
            ("canceled", "Canceled"),
            ("rejected", "Rejected"),
        ]

    @property
    def expense_states(self) -> list[tuple[str, str]]:
        if self.major <= 18:
            return [
                ("draft", "To Report"),
                ("reported", "To Submit"),
                ("submitted", "Submitted"),
                ("approved", "Approved"),
                ("done", "Done"),
                ("refused", "Refused"),
            ]
        return [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("approved", "Approved"),
            ("posted", "Posted"),
            ("in_payment", "In Payment"),
            ("paid", "Paid"),
            ("refused", "Refused"),
        ]

    def kwarg_renames(self, method: str) -> dict[str, str]:
        """Keyword arguments whose Python name differs from 19's, per method.

        The emulator's methods use 19's parameter names; a 17/18 client sends the old name
        (``name_search(args=...)``, ``default_get(fields_list=...)``), which is mapped here,
        while 19's name is refused on 17/18 as Python would.
        """
        renames: dict[str, str] = {}
        if self.major <= 18 and method == "name_search":
            renames["args"] = "domain"
        if self.major <= 17 and method == "default_get":
            renames["fields_list"] = "fields"
        return renames


def spec_for(major: int) -> VersionSpec:
    return VersionSpec(major)
