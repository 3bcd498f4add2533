"""The emulated org's schema: sObject types, their fields, and relationships.

Each type has a three-character key prefix (``001`` Account, ``003`` Contact, ``006``
Opportunity, ``00k`` OpportunityLineItem ...), which is how a polymorphic id is resolved to its
type, as Salesforce does. Field names are case-insensitive in SOQL and in request bodies; the
canonical spelling is the one kept here and written on the wire.

Custom fields (``Name__c``) are added per org with :meth:`Schema.add_field` (the seed document's
``fields`` section, or inferred from seeded values); custom objects (``Thing__c``) likewise.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Literal

FieldType = Literal[
    "id",
    "reference",
    "string",
    "textarea",
    "picklist",
    "email",
    "phone",
    "url",
    "boolean",
    "double",
    "percent",
    "currency",
    "int",
    "date",
    "datetime",
]

TEXT_TYPES = frozenset(
    {"id", "reference", "string", "textarea", "picklist", "email", "phone", "url"}
)
NUMBER_TYPES = frozenset({"double", "percent", "currency", "int"})


@dataclass(frozen=True)
class FieldDef:
    """One field of an sObject type."""

    name: str
    type: FieldType
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    external_id: bool = False
    unique: bool = False
    required: bool = False
    createable: bool = True
    updateable: bool = True
    custom: bool = False
    length: int | None = None

    def describe(self) -> dict[str, object]:
        """The field as ``/describe`` lists it (a subset of Salesforce's keys)."""
        soap = {
            "id": "tns:ID",
            "reference": "tns:ID",
            "boolean": "xsd:boolean",
            "double": "xsd:double",
            "percent": "xsd:double",
            "currency": "xsd:double",
            "int": "xsd:int",
            "date": "xsd:date",
            "datetime": "xsd:dateTime",
        }.get(self.type, "xsd:string")
        return {
            "name": self.name,
            "label": self.name.removesuffix("__c").replace("_", " "),
            "type": self.type,
            "soapType": soap,
            "length": self.length or (255 if self.type in TEXT_TYPES else 0),
            "custom": self.custom,
            "externalId": self.external_id,
            "unique": self.unique,
            "idLookup": self.type == "id" or self.external_id,
            "nillable": not self.required and self.type not in ("id", "boolean"),
            "createable": self.createable,
            "updateable": self.updateable,
            "filterable": True,
            "sortable": self.type != "textarea",
            "referenceTo": list(self.reference_to),
            "relationshipName": self.relationship_name,
        }


@dataclass(frozen=True)
class ChildRelationship:
    """``Account.Contacts``: children of ``child`` whose ``field`` points at the parent."""

    name: str
    child: str
    field: str


@dataclass
class ObjectDef:
    """An sObject type: name, key prefix, fields by lower-case name, child relationships."""

    name: str
    key_prefix: str
    fields: dict[str, FieldDef] = field(default_factory=dict)
    children: dict[str, ChildRelationship] = field(default_factory=dict)
    createable: bool = True
    custom: bool = False

    def get(self, name: str) -> FieldDef | None:
        return self.fields.get(name.lower())

    def relationship(self, name: str) -> FieldDef | None:
        """The lookup field behind a parent relationship name (``Account`` → ``AccountId``)."""
        lowered = name.lower()
        for f in self.fields.values():
            if f.relationship_name is not None and f.relationship_name.lower() == lowered:
                return f
        return None

    def child(self, name: str) -> ChildRelationship | None:
        return self.children.get(name.lower())

    def add(self, f: FieldDef) -> None:
        self.fields[f.name.lower()] = f

    def external_id_fields(self) -> list[FieldDef]:
        return [f for f in self.fields.values() if f.external_id]


def _f(
    name: str,
    type_: FieldType,
    *,
    ro: bool = False,
    required: bool = False,
    unique: bool = False,
    length: int | None = None,
) -> FieldDef:
    return FieldDef(
        name,
        type_,
        required=required,
        unique=unique,
        createable=not ro,
        updateable=not ro,
        length=length,
    )


def _ref(
    name: str,
    *targets: str,
    rel: str | None = None,
    ro: bool = False,
    required: bool = False,
    updateable: bool = True,
) -> FieldDef:
    relationship = rel if rel is not None else name.removesuffix("Id")
    return FieldDef(
        name,
        "reference",
        tuple(targets),
        relationship,
        required=required,
        createable=not ro,
        updateable=updateable and not ro,
    )


def _system_fields() -> list[FieldDef]:
    return [
        _f("Id", "id", ro=True),
        _f("IsDeleted", "boolean", ro=True),
        _f("CreatedDate", "datetime", ro=True),
        _ref("CreatedById", "User", ro=True),
        _f("LastModifiedDate", "datetime", ro=True),
        _ref("LastModifiedById", "User", ro=True),
        _f("SystemModstamp", "datetime", ro=True),
    ]


def _address(prefix: str) -> list[FieldDef]:
    return [
        _f(f"{prefix}Street", "textarea"),
        _f(f"{prefix}City", "string", length=40),
        _f(f"{prefix}State", "string", length=80),
        _f(f"{prefix}PostalCode", "string", length=20),
        _f(f"{prefix}Country", "string", length=80),
    ]


_STANDARD: list[tuple[str, str, list[FieldDef]]] = [
    (
        "User",
        "005",
        [
            _f("Username", "string", required=True, unique=True, length=80),
            _f("FirstName", "string", length=40),
            _f("LastName", "string", required=True, length=80),
            _f("Name", "string", ro=True),
            _f("Email", "email", required=True),
            _f("IsActive", "boolean"),
        ],
    ),
    (
        "Account",
        "001",
        [
            _f("Name", "string", required=True),
            _f("AccountNumber", "string", length=40),
            _f("Type", "picklist"),
            _f("Industry", "picklist"),
            _f("Phone", "phone"),
            _f("Website", "url"),
            _ref("ParentId", "Account", rel="Parent"),
            _ref("OwnerId", "User"),
            *_address("Billing"),
            *_address("Shipping"),
            _f("Description", "textarea", length=32000),
            _f("NumberOfEmployees", "int"),
            _f("AnnualRevenue", "currency"),
        ],
    ),
    (
        "Contact",
        "003",
        [
            _ref("AccountId", "Account"),
            _f("FirstName", "string", length=40),
            _f("LastName", "string", required=True, length=80),
            _f("Name", "string", ro=True),
            _f("Email", "email"),
            _f("Phone", "phone"),
            _f("MobilePhone", "phone"),
            _f("Title", "string", length=128),
            *_address("Mailing"),
            _ref("OwnerId", "User"),
            _f("Description", "textarea", length=32000),
        ],
    ),
    (
        "Product2",
        "01t",
        [
            _f("Name", "string", required=True),
            _f("ProductCode", "string"),
            _f("Description", "textarea", length=4000),
            _f("IsActive", "boolean"),
            _f("Family", "picklist"),
        ],
    ),
    (
        "Pricebook2",
        "01s",
        [
            _f("Name", "string", required=True),
            _f("IsActive", "boolean"),
            _f("IsStandard", "boolean", ro=True),
        ],
    ),
    (
        "PricebookEntry",
        "01u",
        [
            _ref("Pricebook2Id", "Pricebook2", required=True),
            _ref("Product2Id", "Product2", required=True),
            _f("Name", "string", ro=True),
            _f("ProductCode", "string", ro=True),
            _f("UnitPrice", "currency", required=True),
            _f("IsActive", "boolean"),
            _f("UseStandardPrice", "boolean"),
        ],
    ),
    (
        "OpportunityStage",
        "01J",
        [
            _f("ApiName", "string", ro=True),
            _f("MasterLabel", "string", ro=True),
            _f("IsActive", "boolean", ro=True),
            _f("IsClosed", "boolean", ro=True),
            _f("IsWon", "boolean", ro=True),
            _f("DefaultProbability", "percent", ro=True),
            _f("ForecastCategory", "picklist", ro=True),
            _f("ForecastCategoryName", "picklist", ro=True),
            _f("SortOrder", "int", ro=True),
            _f("Description", "string", ro=True),
        ],
    ),
    (
        "Opportunity",
        "006",
        [
            _f("Name", "string", required=True, length=120),
            _ref("AccountId", "Account"),
            _f("Amount", "currency"),
            _f("CloseDate", "date", required=True),
            _f("StageName", "picklist", required=True),
            _f("IsClosed", "boolean", ro=True),
            _f("IsWon", "boolean", ro=True),
            _f("Probability", "percent"),
            _f("ForecastCategory", "picklist", ro=True),
            _f("ForecastCategoryName", "picklist"),
            _f("Type", "picklist"),
            _f("LeadSource", "picklist"),
            _ref("OwnerId", "User"),
            _ref("Pricebook2Id", "Pricebook2"),
            _f("HasOpportunityLineItem", "boolean", ro=True),
            _ref("ContactId", "Contact"),
            _f("Description", "textarea", length=32000),
            _f("NextStep", "string"),
            _f("ExpectedRevenue", "currency", ro=True),
            _f("FiscalYear", "int", ro=True),
            _f("FiscalQuarter", "int", ro=True),
        ],
    ),
    (
        "OpportunityLineItem",
        "00k",
        [
            _ref("OpportunityId", "Opportunity", required=True, updateable=False),
            _ref("PricebookEntryId", "PricebookEntry"),
            _ref("Product2Id", "Product2"),
            _f("Name", "string", ro=True),
            _f("ProductCode", "string", ro=True),
            _f("Quantity", "double", required=True),
            _f("UnitPrice", "currency"),
            _f("ListPrice", "currency", ro=True),
            _f("TotalPrice", "currency"),
            _f("Discount", "percent"),
            _f("ServiceDate", "date"),
            _f("Description", "string"),
            _f("SortOrder", "int"),
        ],
    ),
    (
        "OpportunityContactRole",
        "00K",
        [
            _ref("OpportunityId", "Opportunity", required=True, updateable=False),
            _ref("ContactId", "Contact", required=True),
            _f("Role", "picklist"),
            _f("IsPrimary", "boolean"),
        ],
    ),
]

_CHILDREN = [
    ("Account", "Contacts", "Contact", "AccountId"),
    ("Account", "Opportunities", "Opportunity", "AccountId"),
    ("Account", "ChildAccounts", "Account", "ParentId"),
    ("Opportunity", "OpportunityLineItems", "OpportunityLineItem", "OpportunityId"),
    ("Opportunity", "OpportunityContactRoles", "OpportunityContactRole", "OpportunityId"),
    ("Contact", "OpportunityContactRoles", "OpportunityContactRole", "ContactId"),
    ("Contact", "Opportunities", "Opportunity", "ContactId"),
    ("Product2", "PricebookEntries", "PricebookEntry", "Product2Id"),
    ("Pricebook2", "PricebookEntries", "PricebookEntry", "Pricebook2Id"),
]

#: Deleting a parent deletes these children too (as Salesforce cascades them).
CASCADE: dict[str, list[tuple[str, str]]] = {
    "Account": [("Contact", "AccountId"), ("Opportunity", "AccountId")],
    "Opportunity": [
        ("OpportunityLineItem", "OpportunityId"),
        ("OpportunityContactRole", "OpportunityId"),
    ],
    "Contact": [("OpportunityContactRole", "ContactId")],
}


def _standard_objects() -> dict[str, ObjectDef]:
    objects: dict[str, ObjectDef] = {}
    for name, prefix, own in _STANDARD:
        obj = ObjectDef(name, prefix, createable=name != "OpportunityStage")
        for f in _system_fields() + own:
            obj.add(f)
        objects[name.lower()] = obj
    for parent, rel, child, fk in _CHILDREN:
        objects[parent.lower()].children[rel.lower()] = ChildRelationship(rel, child, fk)
    return objects


_DEFAULT_OBJECTS = _standard_objects()


#: The types that get ``CurrencyIsoCode`` when the org turns multi-currency on (read-only on
#: line items, which take their opportunity's currency).
CURRENCY_OBJECTS = (
    "Account",
    "Contact",
    "Opportunity",
    "OpportunityLineItem",
    "Product2",
    "PricebookEntry",
)


class Schema:
    """The org's sObject types (standard ones plus the custom fields/objects added to it)."""

    def __init__(self) -> None:
        self.objects: dict[str, ObjectDef] = copy.deepcopy(_DEFAULT_OBJECTS)
        self._next_custom_prefix = 0
        #: Set when the org is multi-currency (then ``CurrencyIsoCode`` exists).
        self.corporate_currency: str | None = None

    def enable_multi_currency(self, corporate: str) -> None:
        """Add ``CurrencyIsoCode`` (a picklist) to :data:`CURRENCY_OBJECTS`, as enabling
        multi-currency does; querying it in a single-currency org stays INVALID_FIELD."""
        self.corporate_currency = corporate
        for name in CURRENCY_OBJECTS:
            own = name != "OpportunityLineItem"
            field_def = FieldDef(
                "CurrencyIsoCode", "picklist", createable=own, updateable=own, length=3
            )
            self.objects[name.lower()].add(field_def)

    def get(self, name: str) -> ObjectDef | None:
        return self.objects.get(name.lower())

    def by_prefix(self, prefix: str) -> ObjectDef | None:
        for obj in self.objects.values():
            if obj.key_prefix == prefix:
                return obj
        return None

    def add_object(self, name: str) -> ObjectDef:
        """A custom object (``Thing__c``) with the system fields, ``Name`` and ``OwnerId``."""
        if not name.endswith("__c"):
            raise ValueError(f"custom object names end in __c: {name!r}")
        found = self.get(name)
        if found is not None:
            return found
        prefix = f"a{self._next_custom_prefix:02d}"
        self._next_custom_prefix += 1
        obj = ObjectDef(name, prefix, custom=True)
        for f in [*_system_fields(), _f("Name", "string"), _ref("OwnerId", "User")]:
            obj.add(f)
        self.objects[name.lower()] = obj
        return obj

    def add_field(self, sobject: str, f: FieldDef) -> FieldDef:
        """Add (or redefine) a custom field; only ``__c`` names are accepted."""
        obj = self.get(sobject)
        if obj is None:
            raise ValueError(f"unknown sObject type {sobject!r}")
        if not f.name.endswith("__c"):
            raise ValueError(f"custom field names end in __c: {f.name!r}")
        f = replace(f, custom=True)
        if f.type == "reference" and f.relationship_name is None:
            f = replace(f, relationship_name=f.name[: -len("__c")] + "__r")
        obj.add(f)
        return f
