"""The Salesforce emulator's state: the org's records (``store.OrgData``), sessions and JWT keys,
the rolling daily API allocation, open query cursors, config, clock, faults and the call log.

Everything is guarded by one re-entrant lock: the served API and the control API run on the
server's threads while tests call these methods directly.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from lead2cash.emulators.clock import EmulatorClock
from lead2cash.emulators.faults import CallLog, FaultPlan
from lead2cash.emulators.salesforce import auth
from lead2cash.emulators.salesforce.derived import Stage
from lead2cash.emulators.salesforce.ids import ORG_ID, make_id
from lead2cash.emulators.salesforce.schema import FieldDef
from lead2cash.emulators.salesforce.store import OrgData, Row
from lead2cash.emulators.salesforce.values import ApiError, parse_datetime

OLDEST_VERSION = 31
LATEST_VERSION = 67  # Summer '26, the latest GA release (reference §0)
MAX_BATCH = 2000
DAY = timedelta(hours=24)
#: Record types in the order a seed document inserts them (parents first).
SEED_ORDER = [
    "User",
    "Account",
    "Contact",
    "Product2",
    "Pricebook2",
    "PricebookEntry",
    "Opportunity",
    "OpportunityLineItem",
    "OpportunityContactRole",
]
_FIELD_TYPES = {
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
    "reference",
}


class ControlError(Exception):
    """A control-API request that cannot be done: answered 422 ``{"message": ...}``."""


def version_label(version: int) -> str:
    """Salesforce's release name for an API version (v62.0 is Winter '25)."""
    index = version - 20
    return f"{('Winter', 'Spring', 'Summer')[index % 3]} '{11 + index // 3:02d}"


@dataclass
class Config:
    """Knobs the control API can set (``POST /_emulator/config``)."""

    #: Largest query batch (Salesforce: 2000; a ``Sforce-Query-Options: batchSize`` header
    #: between 200 and 2000 lowers it).
    page_size: int = MAX_BATCH
    #: Rolling 24 h API request allocation.
    daily_limit: int = 100_000
    #: ``instance_url`` handed out by the token endpoint (default: the origin it was called on).
    instance_url: str | None = None
    latest_version: int = LATEST_VERSION
    audiences: list[str] = field(default_factory=lambda: list(auth.DEFAULT_AUDIENCES))

    def as_json(self) -> dict[str, Any]:
        return {
            "page_size": self.page_size,
            "daily_limit": self.daily_limit,
            "instance_url": self.instance_url,
            "latest_version": f"{self.latest_version}.0",
            "audiences": list(self.audiences),
        }


@dataclass
class Locator:
    """An open query cursor: the rows were fixed when the query ran."""

    records: list[dict[str, Any]]
    endpoint: str
    version: str
    batch: int


class SalesforceState:
    """One emulated org reached with ``access_token`` (also a session id) or OAuth."""

    def __init__(self, *, access_token: str, client_id: str, client_secret: str) -> None:
        self.access_token = access_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.lock = threading.RLock()
        self.plan = FaultPlan()
        self.log = CallLog()
        self.clock = EmulatorClock()
        self.reset()

    def reset(self) -> None:
        """Back to an empty org with default config, real-time clock, no faults, no calls."""
        with self.lock:
            self.clock.reset()
            self.plan.clear()
            self.log.clear()
            self.config = Config()
            self.data = OrgData(self.clock.now)
            self.sessions: dict[str, str] = {self.access_token: self.data.integration_user_id}
            self.jwt_keys: list[RSAPublicKey] = []
            self.usage: deque[tuple[datetime, int]] = deque()
            self.locators: OrderedDict[str, Locator] = OrderedDict()
            self._locator_count = 0

    # -- sessions ---------------------------------------------------------------------------

    def session_user(self, authorization: str | None) -> str:
        """The user id of a valid session (``Bearer`` or ``OAuth`` scheme), else 401."""
        scheme, _, token = (authorization or "").partition(" ")
        with self.lock:
            user = (
                self.sessions.get(token.strip()) if scheme.lower() in ("bearer", "oauth") else None
            )
        if user is None:
            raise ApiError(401, "INVALID_SESSION_ID", "Session expired or invalid")
        return user

    def expire_sessions(self, token: str | None = None) -> int:
        """Invalidate one session or all of them (the next call answers INVALID_SESSION_ID)."""
        with self.lock:
            if token is not None:
                return 1 if self.sessions.pop(token, None) is not None else 0
            count = len(self.sessions)
            self.sessions.clear()
            return count

    def register_key(self, pem: str) -> int:
        try:
            key = auth.load_public_key(pem)
        except ValueError as exc:
            raise ControlError(f"not an RSA public key or certificate: {exc}") from None
        with self.lock:
            self.jwt_keys.append(key)
            return len(self.jwt_keys)

    def issue_token(
        self, form: Mapping[str, str], basic_header: str | None, origin: str
    ) -> dict[str, str]:
        """The token endpoint (raises ``auth.OAuthError``)."""
        grant = form.get("grant_type", "")
        with self.lock:
            if grant == auth.JWT_BEARER:
                assertion = form.get("assertion")
                if not assertion:
                    raise auth.OAuthError("invalid_request", "assertion is required")
                audiences = (*self.config.audiences, origin.rstrip("/"))
                username = auth.verify_assertion(
                    assertion, keys=self.jwt_keys, client_id=self.client_id, audiences=audiences
                )
                user = self.data.user_by_username(username)
                if user is None or not user["IsActive"]:
                    raise auth.OAuthError("invalid_grant", "user hasn't approved this consumer")
                user_id = user["Id"]
                extra: dict[str, str] = {}
            elif grant == auth.CLIENT_CREDENTIALS:
                basic = auth.basic_credentials(basic_header)
                auth.check_client_secret(form, basic, self.client_id, self.client_secret)
                user_id = self.data.integration_user_id
                extra = {"token_format": "opaque"}
            else:
                raise auth.OAuthError("unsupported_grant_type", "grant type not supported")
            token = auth.new_access_token()
            self.sessions[token] = user_id
            instance = self.config.instance_url or origin
        identity = f"{origin.rstrip('/')}/id/{ORG_ID}/{user_id}"
        answer = {
            "access_token": token,
            "instance_url": instance.rstrip("/"),
            "id": identity,
            "token_type": "Bearer",
            "scope": "api",
        }
        if grant == auth.CLIENT_CREDENTIALS:
            issued = str(int(datetime.now(UTC).timestamp() * 1000))
            answer |= {
                "issued_at": issued,
                "signature": auth.signature(identity, issued, self.client_secret),
                **extra,
            }
        return answer

    # -- the daily allocation ---------------------------------------------------------------

    def api_usage(self) -> int:
        """Requests counted in the rolling 24 hours before the clock's now."""
        with self.lock:
            since = self.clock.now() - DAY
            while self.usage and self.usage[0][0] <= since:
                self.usage.popleft()
            return sum(count for _, count in self.usage)

    def count_call(self) -> tuple[int, int]:
        """Count one API request: ``(used, limit)``; raises REQUEST_LIMIT_EXCEEDED when spent."""
        with self.lock:
            used, limit = self.api_usage(), self.config.daily_limit
            if used >= limit:
                raise ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
            self.usage.append((self.clock.now(), 1))
            return used + 1, limit

    def set_api_usage(self, used: int) -> None:
        """Pretend ``used`` requests were made just now (the rolling window starts over)."""
        with self.lock:
            self.usage.clear()
            if used > 0:
                self.usage.append((self.clock.now(), used))

    # -- query cursors ----------------------------------------------------------------------

    def open_cursor(
        self, records: list[dict[str, Any]], *, endpoint: str, version: str, batch: int
    ) -> dict[str, Any]:
        """The first batch of a query result; the rest stays behind ``nextRecordsUrl``."""
        with self.lock:
            if len(records) <= batch:
                return {"totalSize": len(records), "done": True, "records": records}
            self._locator_count += 1
            locator_id = make_id("01g", self._locator_count)
            self.locators[locator_id] = Locator(records, endpoint, version, batch)
            while len(self.locators) > 50:  # Salesforce keeps a bounded number open
                self.locators.popitem(last=False)
            return self._page(locator_id, 0)

    def next_batch(self, locator: str) -> dict[str, Any]:
        locator_id, _, offset_text = locator.partition("-")
        with self.lock:
            if locator_id not in self.locators or not offset_text.isdigit():
                raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
            return self._page(locator_id, int(offset_text))

    def _page(self, locator_id: str, offset: int) -> dict[str, Any]:
        cursor = self.locators[locator_id]
        end = offset + cursor.batch
        body: dict[str, Any] = {
            "totalSize": len(cursor.records),
            "done": end >= len(cursor.records),
        }
        if not body["done"]:
            body["nextRecordsUrl"] = (
                f"/services/data/v{cursor.version}/{cursor.endpoint}/{locator_id}-{end}"
            )
        else:
            self.locators.pop(locator_id, None)
        body["records"] = cursor.records[offset:end]
        return body

    # -- config and control -----------------------------------------------------------------

    def configure(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            for key, value in changes.items():
                if key == "page_size":
                    if not isinstance(value, int) or not 1 <= value <= MAX_BATCH:
                        raise ControlError("page_size must be an integer from 1 to 2000")
                    self.config.page_size = value
                elif key == "daily_limit":
                    if not isinstance(value, int) or value < 0:
                        raise ControlError("daily_limit must be a non-negative integer")
                    self.config.daily_limit = value
                elif key == "api_usage":
                    if not isinstance(value, int) or value < 0:
                        raise ControlError("api_usage must be a non-negative integer")
                    self.set_api_usage(value)
                elif key == "instance_url":
                    self.config.instance_url = None if value is None else str(value).rstrip("/")
                elif key == "latest_version":
                    number = int(float(str(value)))
                    if not OLDEST_VERSION <= number <= 99:
                        raise ControlError("latest_version out of range")
                    self.config.latest_version = number
                elif key == "audiences":
                    self.config.audiences = [str(a).rstrip("/") for a in value]
                else:
                    raise ControlError(f"unknown config key {key!r}")
            return self.config.as_json() | {"api_usage": self.api_usage()}

    def versions(self) -> list[int]:
        return list(range(OLDEST_VERSION, self.config.latest_version + 1))

    def move_stage(self, opportunity_id: str, stage: str) -> Row:
        with self.lock:
            try:
                return self.data.update("Opportunity", opportunity_id, {"StageName": stage})
            except ApiError as exc:
                raise ControlError(exc.message) from None

    def seed(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """Add a seed document (all or nothing); see the package docstring for its shape."""
        sections = {"fields", "stages", "jwt_public_keys", "multi_currency", "records"}
        unknown = set(document) - sections
        if unknown:
            raise ControlError(f"unknown seed sections: {sorted(unknown)}")
        with self.lock:
            snap = self.data.snapshot()
            keys = list(self.jwt_keys)
            try:
                return self._seed(document)
            except (ApiError, ControlError, ValueError, TypeError, KeyError) as exc:
                self.data.restore(snap)
                self.jwt_keys = keys
                message = exc.message if isinstance(exc, ApiError) else str(exc)
                raise ControlError(f"seed refused: {message}") from None

    def _seed(self, document: Mapping[str, Any]) -> dict[str, Any]:
        for pem in document.get("jwt_public_keys", []):
            self.register_key(pem)
        if "multi_currency" in document:
            corporate = str(document["multi_currency"].get("corporate_currency", ""))
            if not re.fullmatch(r"[A-Z]{3}", corporate):
                raise ControlError("multi_currency.corporate_currency is an ISO code like 'EUR'")
            self.data.enable_multi_currency(corporate)
        for sobject, fields in document.get("fields", {}).items():
            for spec in fields:
                self._add_field(sobject, spec)
        if "stages" in document:
            self.data.replace_stages(
                Stage(
                    s["ApiName"],
                    int(s.get("DefaultProbability", 0)),
                    s.get("ForecastCategory", "Pipeline"),
                    is_closed=bool(s.get("IsClosed", False)),
                    is_won=bool(s.get("IsWon", False)),
                )
                for s in document["stages"]
            )
        records: Mapping[str, list[Mapping[str, Any]]] = document.get("records", {})
        order = [t for t in SEED_ORDER if t in records] + [
            t for t in records if t not in SEED_ORDER
        ]
        refs: dict[str, str] = {}
        created: dict[str, list[str]] = {}
        for sobject in order:
            obj = self.data.schema.get(sobject)
            if obj is None and sobject.endswith("__c"):
                obj = self.data.schema.add_object(sobject)
            if obj is None:
                raise ControlError(f"unknown sObject type {sobject!r}")
            for raw in records[sobject]:
                values = dict(raw)
                ref = values.pop("ref", None)
                for key, value in list(values.items()):
                    if isinstance(value, str) and value.startswith("@"):
                        if value[1:] not in refs:
                            raise ControlError(f"unknown reference {value!r}")
                        values[key] = refs[value[1:]]
                    if obj.get(key) is None and key.endswith("__c"):
                        self._add_field(obj.name, {"name": key, "type": _infer(value)})
                row = self.data.create(obj.name, values, system=True)
                created.setdefault(obj.name, []).append(row["Id"])
                if ref is not None:
                    refs[str(ref)] = row["Id"]
        return {"created": created, "refs": refs}

    def _add_field(self, sobject: str, spec: Mapping[str, Any]) -> None:
        type_ = spec.get("type", "string")
        if type_ not in _FIELD_TYPES:
            raise ControlError(f"unknown field type {type_!r}")
        reference_to = spec.get("referenceTo", [])
        f = FieldDef(
            str(spec["name"]),
            type_,
            reference_to=tuple(reference_to),
            external_id=bool(spec.get("externalId", False)),
            unique=bool(spec.get("unique", False)),
            required=bool(spec.get("required", False)),
            length=spec.get("length"),
        )
        try:
            self.data.schema.add_field(sobject, f)
        except ValueError as exc:
            raise ControlError(str(exc)) from None


def _infer(value: Any) -> str:
    """The type of a custom field first seen in a seeded record."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float | Decimal):
        return "double"
    if isinstance(value, str):
        try:
            parse_datetime(value)
        except ValueError:
            pass
        else:
            return "datetime"
        try:
            date.fromisoformat(value)
        except ValueError:
            return "string"
        return "date"
    return "string"
