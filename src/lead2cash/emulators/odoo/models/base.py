"""``base``, ``uom`` and friends: companies, currencies, partners, users, groups, external ids,
modules, models, countries, units of measure."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, ClassVar

from lead2cash.emulators.odoo import errors
from lead2cash.emulators.odoo.orm import fields as f
from lead2cash.emulators.odoo.orm.core import public, public_model, readonly
from lead2cash.emulators.odoo.orm.model import Model
from lead2cash.emulators.odoo.orm.read import ids_of
from lead2cash.emulators.odoo.versions import VersionSpec

PARTNER_TYPES = [
    ("contact", "Contact"),
    ("invoice", "Invoice Address"),
    ("delivery", "Delivery Address"),
    ("other", "Other Address"),
]


def _company_default(env: Any) -> int:
    return int(env.company_id)


class ResCompany(Model):
    _name = "res.company"
    _description = "Companies"
    _order = "sequence, name"
    _parent_name = "parent_id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Company Name", required=True),
            "active": f.Boolean("Active", default=True),
            "sequence": f.Integer("Sequence", default=10),
            "partner_id": f.Many2one("res.partner", "Partner", index=True),
            "currency_id": f.Many2one("res.currency", "Currency", required=True),
            "country_id": f.Many2one("res.country", "Country"),
            "parent_id": f.Many2one("res.company", "Parent Company", index=True),
            "child_ids": f.One2many("res.company", "parent_id", "Branches"),
            "vat": f.Char("Tax ID"),
            "email": f.Char("Email"),
            "phone": f.Char("Phone"),
            "company_registry": f.Char("Company ID"),
            "project_time_mode_id": f.Many2one("uom.uom", "Project Time Unit"),
            "timesheet_encode_uom_id": f.Many2one("uom.uom", "Timesheet Encoding Unit"),
            "account_sale_tax_id": f.Many2one("account.tax", "Default Sale Tax"),
            "account_purchase_tax_id": f.Many2one("account.tax", "Default Purchase Tax"),
            "user_ids": f.Many2many(
                "res.users", "Accepted Users", store=False, compute="_compute_user_ids"
            ),
        }

    def _rule_domain(self) -> list[Any] | None:
        return [("id", "in", self.env.company_ids)]

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        partners = self.env.sudo()["res.partner"]
        for vals in vals_list:
            if not vals.get("partner_id"):
                [pid] = partners._create(
                    [
                        {
                            "name": vals.get("name") or "",
                            "is_company": True,
                            "email": vals.get("email"),
                        }
                    ]
                )
                vals["partner_id"] = pid
            if not vals.get("currency_id"):
                vals["currency_id"] = self.env.sudo()["res.company"]._row(self.env.company_id)[
                    "currency_id"
                ]

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        from lead2cash.emulators.odoo.models import chart

        users = self.env.db.table("res.users")
        for rid in ids:
            chart.install(self.env.sudo(), rid)
            for uid in {1, self.env.uid}:
                if uid in users:
                    companies = tuple(users[uid].get("company_ids") or ())
                    self.env.db.set("res.users", uid, {"company_ids": (*companies, rid)})

    def _compute_user_ids(self, ids: list[int]) -> dict[int, Any]:
        users = self.env.db.table("res.users")
        return {
            i: tuple(u for u, row in users.items() if i in (row.get("company_ids") or ()))
            for i in ids
        }


class ResCurrency(Model):
    _name = "res.currency"
    _description = "Currency"
    _order = "active desc, name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Currency", required=True),
            "full_name": f.Char("Name"),
            "symbol": f.Char("Symbol", required=True),
            "rounding": f.Float("Rounding Factor", default=Decimal("0.01")),
            "decimal_places": f.Integer("Decimal Places", store=False, compute="_compute_places"),
            "active": f.Boolean("Active", default=False),
            "position": f.SelectionField(
                [("after", "After Amount"), ("before", "Before Amount")],
                "Symbol Position",
                default="after",
            ),
            "currency_unit_label": f.Char("Currency Unit"),
            "currency_subunit_label": f.Char("Currency Subunit"),
            "rate": f.Float("Current Rate", store=False, compute="_compute_rate"),
            "rate_ids": f.One2many("res.currency.rate", "currency_id", "Rates"),
        }

    def _compute_places(self, ids: list[int]) -> dict[int, Any]:
        out = {}
        for i in ids:
            rounding = self._row(i).get("rounding") or Decimal("0.01")
            exponent = Decimal(rounding).normalize().as_tuple().exponent
            out[i] = max(0, -exponent) if isinstance(exponent, int) else 2
        return out

    def _compute_rate(self, ids: list[int]) -> dict[int, Any]:
        from lead2cash.emulators.odoo.models import money

        today = self.env.today_text()
        return {i: money.rate(self.env, i, today, self.env.company_id) for i in ids}

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        if "active" not in names:
            return
        inactive = {i for i in ids if not self._row(i).get("active")}
        companies = self.env.db.table("res.company").values()
        if inactive and any(c.get("currency_id") in inactive for c in companies):
            raise errors.UserError(
                "This currency is set on a company and therefore cannot be deactivated."
            )


class ResCurrencyRate(Model):
    _name = "res.currency.rate"
    _description = "Currency Rate"
    _order = "name desc, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Date("Date", required=True, default=lambda env: env.today_text()),
            "rate": f.Float("Technical Rate", default=Decimal(1)),
            "company_rate": f.Float("Unit per Company Currency", store=False, compute="_rates"),
            "inverse_company_rate": f.Float(
                "Company Currency per Unit", store=False, compute="_inverse_rates"
            ),
            "currency_id": f.Many2one("res.currency", "Currency", required=True, index=True),
            "company_id": f.Many2one("res.company", "Company"),
        }

    def _rates(self, ids: list[int]) -> dict[int, Any]:
        return {i: self._row(i).get("rate") for i in ids}

    def _inverse_rates(self, ids: list[int]) -> dict[int, Any]:
        out = {}
        for i in ids:
            rate = self._row(i).get("rate") or Decimal(1)
            out[i] = (Decimal(1) / Decimal(rate)).quantize(Decimal("0.000000000001"))
        return out


class ResCountry(Model):
    _name = "res.country"
    _description = "Country"
    _order = "name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Country Name", required=True),
            "code": f.Char("Country Code", index=True),
            "currency_id": f.Many2one("res.currency", "Currency"),
        }


class ResPartnerTitle(Model):
    _name = "res.partner.title"
    _description = "Partner Title"
    _versions = (17, 18)

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {"name": f.Char("Title", required=True), "shortcut": f.Char("Abbreviation")}


class ResPartner(Model):
    _name = "res.partner"
    _description = "Contact"
    _order = "complete_name ASC, id DESC"
    _parent_name = "parent_id"
    _rec_names_search: ClassVar[tuple[str, ...]] = (
        "complete_name",
        "email",
        "ref",
        "vat",
        "company_registry",
    )

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        fields: dict[str, f.Field] = {
            "name": f.Char("Name", index=True),
            "complete_name": f.Char("Complete Name", index=True),
            "active": f.Boolean("Active", default=True),
            "is_company": f.Boolean("Is a Company", default=False),
            "company_type": f.SelectionField(
                [("person", "Individual"), ("company", "Company")],
                "Company Type",
                store=False,
                compute="_compute_company_type",
            ),
            "parent_id": f.Many2one("res.partner", "Related Company", index=True),
            "child_ids": f.One2many("res.partner", "parent_id", "Contact"),
            "commercial_partner_id": f.Many2one(
                "res.partner", "Commercial Entity", store=False, compute="_compute_commercial"
            ),
            "type": f.SelectionField(PARTNER_TYPES, "Address Type", default="contact"),
            "ref": f.Char("Reference", index=True),
            "vat": f.Char("Tax ID", index=True),
            "company_registry": f.Char("Company ID"),
            "company_id": f.Many2one("res.company", "Company", index=True),
            "country_id": f.Many2one("res.country", "Country"),
            "lang": f.Char("Language", default="en_US"),
            "tz": f.Char("Timezone"),
            "email": f.Char("Email"),
            "phone": f.Char("Phone"),
            "website": f.Char("Website Link"),
            "function": f.Char("Job Position"),
            "street": f.Char("Street"),
            "street2": f.Char("Street2"),
            "zip": f.Char("Zip"),
            "city": f.Char("City"),
            "comment": f.Html("Notes"),
            "barcode": f.Char("Barcode", copy=False, company_dependent=True),
            "customer_rank": f.Integer("Customer Rank", default=0),
            "supplier_rank": f.Integer("Supplier Rank", default=0),
            "user_ids": f.One2many("res.users", "partner_id", "Users"),
            "property_product_pricelist": f.Many2one(
                "product.pricelist", "Pricelist", company_dependent=True
            ),
            "property_payment_term_id": f.Many2one(
                "account.payment.term", "Customer Payment Terms", company_dependent=True
            ),
            "property_account_position_id": f.Many2one(
                "account.fiscal.position", "Fiscal Position", company_dependent=True
            ),
        }
        if spec.partner_has_mobile:
            fields["mobile"] = f.Char("Mobile")
            fields["title"] = f.Many2one("res.partner.title", "Title")
        return fields

    def _compute_company_type(self, ids: list[int]) -> dict[int, Any]:
        return {i: "company" if self._row(i).get("is_company") else "person" for i in ids}

    def _compute_commercial(self, ids: list[int]) -> dict[int, Any]:
        table = self._table()
        out: dict[int, Any] = {}
        for i in ids:
            current = i
            seen: set[int] = set()
            while current not in seen:
                seen.add(current)
                row = table[current]
                if row.get("is_company") or not row.get("parent_id"):
                    break
                current = row["parent_id"]
            out[i] = current
        return out

    def _compute_display_name(self, ids: list[int]) -> dict[int, str]:
        table = self._table()
        return {i: table[i].get("complete_name") or "" for i in ids if i in table}

    def _complete_name(self, rid: int) -> str:
        table = self._table()
        row = table[rid]
        name = row.get("name") or ""
        parent = row.get("parent_id")
        if parent and parent in table:
            if not name and row.get("type") in ("invoice", "delivery", "other"):
                name = dict(PARTNER_TYPES)[row["type"]]
            if not row.get("is_company"):
                name = f"{table[parent].get('name') or ''}, {name}"
        return name.strip()

    def _refresh_names(self, ids: list[int]) -> None:
        table = self._table()
        todo = list(ids)
        seen: set[int] = set()
        while todo:
            rid = todo.pop()
            if rid in seen or rid not in table:
                continue
            seen.add(rid)
            name = self._complete_name(rid)
            if table[rid].get("complete_name") != name:
                self.env.db.set(self._name, rid, {"complete_name": name})
            todo += self._children("res.partner", "parent_id", rid)

    def _after_create(self, ids: list[int], vals_list: list[dict[str, Any]]) -> None:
        self._refresh_names(ids)

    def _after_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if {"name", "parent_id", "is_company", "type"} & set(vals):
            self._refresh_names(ids)

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        table = self._table()
        if "parent_id" in names:
            for rid in ids:
                current, seen = table[rid].get("parent_id"), {rid}
                while current:
                    if current in seen:
                        raise errors.ValidationError(
                            "You cannot create recursive Partner hierarchies."
                        )
                    seen.add(current)
                    current = table[current].get("parent_id") if current in table else None
        if "barcode" in names:
            for rid in ids:
                code = table[rid].get("barcode")
                if code and sum(1 for r in table.values() if r.get("barcode") == code) > 1:
                    raise errors.ValidationError("Another partner already has this barcode")
        for rid in ids:
            row = table[rid]
            if (row.get("type") or "contact") == "contact" and not row.get("name"):
                raise errors.IntegrityViolation("Contacts require a name", "name")

    def _name_search_fields(self) -> tuple[str, ...]:
        return self._rec_names_search


class ResGroups(Model):
    _name = "res.groups"
    _description = "Access Groups"
    _order = "name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "full_name": f.Char("Group Name", store=False, compute="_compute_full_name"),
            "implied_ids": f.Many2many("res.groups", "Inherits"),
            "comment": f.Text("Comment"),
            spec.group_users_field: f.Many2many(
                "res.users", "Users", store=False, compute="_compute_users"
            ),
        }

    def _compute_full_name(self, ids: list[int]) -> dict[int, Any]:
        return {i: self._row(i).get("name") for i in ids}

    def _compute_users(self, ids: list[int]) -> dict[int, Any]:
        field = self.env.spec.user_groups_field
        users = self.env.db.table("res.users")
        return {i: tuple(u for u, row in users.items() if i in (row.get(field) or ())) for i in ids}


class ResUsers(Model):
    _name = "res.users"
    _description = "User"
    _order = "name, login"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Name", required=True),
            "login": f.Char("Login", required=True, index=True),
            "password": f.Char("Password", store=False, compute="_compute_password"),
            "active": f.Boolean("Active", default=True),
            "partner_id": f.Many2one("res.partner", "Related Partner", index=True),
            "email": f.Char("Email"),
            "lang": f.Char("Language", default="en_US"),
            "tz": f.Char("Timezone"),
            "share": f.Boolean("Share User", store=False, compute="_compute_share"),
            "company_id": f.Many2one("res.company", "Company", required=True),
            "company_ids": f.Many2many("res.company", "Companies"),
            spec.user_groups_field: f.Many2many("res.groups", "Groups"),
            "employee_ids": f.One2many("hr.employee", "user_id", "Related employee"),
            "employee_id": f.Many2one(
                "hr.employee", "Company employee", store=False, compute="_compute_employee"
            ),
        }

    def _rule_domain(self) -> list[Any] | None:
        return None

    def _compute_password(self, ids: list[int]) -> dict[int, Any]:
        return dict.fromkeys(ids, "")

    def _compute_share(self, ids: list[int]) -> dict[int, Any]:
        return {i: not self.env.has_group("base.group_user", i) for i in ids}

    def _compute_employee(self, ids: list[int]) -> dict[int, Any]:
        employees = self.env.db.table("hr.employee")
        company = self.env.company_id
        out: dict[int, Any] = {}
        for i in ids:
            mine = [e for e, row in employees.items() if row.get("user_id") == i]
            here = [e for e in mine if employees[e].get("company_id") == company]
            out[i] = (here or mine or [None])[0]
        return out

    def _prepare_create(self, vals_list: list[dict[str, Any]]) -> None:
        partners = self.env.sudo()["res.partner"]
        for vals in vals_list:
            vals.pop("password", None)
            if not vals.get("partner_id"):
                [pid] = partners._create(
                    [{"name": vals.get("name") or vals.get("login"), "email": vals.get("email")}]
                )
                vals["partner_id"] = pid
            if not vals.get("company_id"):
                vals["company_id"] = self.env.company_id
            if "company_ids" not in vals:
                vals["company_ids"] = [(6, 0, [vals["company_id"]])]

    def _prepare_write(self, ids: list[int], vals: dict[str, Any]) -> None:
        if "password" in vals:
            secret = vals.pop("password")
            for uid in ids:
                self.env.server.credentials.set_password(uid, secret)

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        if "login" in names:
            table = self._table()
            for rid in ids:
                login = table[rid].get("login")
                if sum(1 for row in table.values() if row.get("login") == login) > 1:
                    raise errors.IntegrityViolation(
                        "You can not have two users with the same login!", "login"
                    )

    @public_model
    @readonly
    def context_get(self) -> dict[str, Any]:
        row = self._row(self.env.uid)
        return {
            "lang": row.get("lang") or "en_US",
            "tz": row.get("tz") or False,
            "uid": self.env.uid,
        }

    def _has_group(self, uid: int, group: str) -> bool:
        """Membership (implied groups included); an unknown group is simply not held."""
        if "." not in group:
            raise errors.PythonError(
                "AssertionError", f"External ID '{group}' must be fully qualified"
            )
        return self.env.has_group(group, uid)


class ResUsers17(ResUsers):
    """17: ``has_group`` is an ``@api.model`` method of the current user."""

    _versions = (17,)

    @public_model
    @readonly
    def has_group(self, group_ext_id: str) -> bool:
        return self._has_group(self.env.uid, group_ext_id)


class ResUsers18(ResUsers):
    """18+: ``has_group`` is a record method (``ensure_one``)."""

    _versions = (18, 19)

    @public
    @readonly
    def has_group(self, ids: Sequence[int], group_ext_id: str) -> bool:
        records = ids_of(ids)
        if len(records) != 1:
            raise errors.value_error(f"Expected singleton: res.users({records})")
        uid = records[0]
        if uid != self.env.uid and not self.env.has_group("base.group_user"):
            raise errors.AccessError("You can ony call user.has_group() with your current user.")
        return self._has_group(uid, group_ext_id)


class IrModelData(Model):
    _name = "ir.model.data"
    _description = "Model Data"
    _order = "module, model, name"
    _rec_name = "complete_name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("External Identifier", required=True, index=True),
            "module": f.Char("Module", required=True, default=""),
            "model": f.Char("Model Name", required=True),
            "res_id": f.Integer("Record ID", index=True),
            "noupdate": f.Boolean("Non Updatable", default=False),
            "complete_name": f.Char(
                "Complete ID", store=False, compute="_compute_complete_name", searchable=True
            ),
        }

    def _compute_complete_name(self, ids: list[int]) -> dict[int, Any]:
        table = self._table()
        return {i: f"{table[i]['module']}.{table[i]['name']}" for i in ids}

    def _check_constraints(self, ids: list[int], names: set[str]) -> None:
        for rid in ids:
            row = self._row(rid)
            found = self.env.server.xmlid_lookup(f"{row['module']}.{row['name']}")
            if found is not None and found[2] != rid:
                raise errors.IntegrityViolation(
                    "You cannot have multiple records with the same external ID!", "name"
                )

    @public_model
    @readonly
    def check_object_reference(
        self, module: str, xml_id: str, raise_on_access_error: bool = False
    ) -> list[Any]:
        found = self.env.server.xmlid_lookup(f"{module}.{xml_id}")
        if found is None:
            raise errors.value_error(f"External ID not found in the system: {module}.{xml_id}")
        model, res_id, _ = found
        if self.env[model].search([("id", "=", res_id)]):
            return [model, res_id]
        if raise_on_access_error:
            raise errors.AccessError(
                f'Not enough access rights on the external ID "{module}.{xml_id}"'
            )
        return [model, False]


class IrModuleModule(Model):
    _name = "ir.module.module"
    _description = "Module"
    _order = "application desc, sequence, name"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Technical Name", required=True, index=True),
            "shortdesc": f.Char("Module Name"),
            "state": f.SelectionField(
                [
                    ("uninstallable", "Uninstallable"),
                    ("uninstalled", "Not Installed"),
                    ("installed", "Installed"),
                    ("to upgrade", "To be upgraded"),
                    ("to remove", "To be removed"),
                    ("to install", "To be installed"),
                ],
                "Status",
                default="uninstalled",
            ),
            "latest_version": f.Char("Installed Version"),
            "application": f.Boolean("Application", default=False),
            "sequence": f.Integer("Sequence", default=100),
        }


class IrModel(Model):
    _name = "ir.model"
    _description = "Models"
    _order = "model"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Model Description", required=True),
            "model": f.Char("Model", required=True, index=True),
            "transient": f.Boolean("Transient Model"),
        }


class UomUom(Model):
    _name = "uom.uom"
    _description = "Product Unit of Measure"
    _order = "sequence, id"

    @classmethod
    def _define_fields(cls, spec: VersionSpec) -> dict[str, f.Field]:
        return {
            "name": f.Char("Unit Name", required=True),
            "sequence": f.Integer("Sequence", default=10),
            "factor": f.Float("Ratio", default=Decimal(1)),
            "rounding": f.Float("Rounding Precision", default=Decimal("0.01")),
            "active": f.Boolean("Active", default=True),
        }


MODELS: list[type[Model]] = [
    ResCompany,
    ResCurrency,
    ResCurrencyRate,
    ResCountry,
    ResPartnerTitle,
    ResPartner,
    ResGroups,
    ResUsers17,
    ResUsers18,
    IrModelData,
    IrModuleModule,
    IrModel,
    UomUom,
]
