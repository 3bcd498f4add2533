"""The flows' job handlers, registered explicitly (``L2C_HANDLERS='["lead2cash.flows.handlers"]'``
or ``l2c worker -f lead2cash.yaml``, which adds this module).

- ``deal_to_project.poll`` (schedule, ``l2c sync deal_to_project``): each CRM's changed deals,
  one ``deal_to_project.deal`` job per version; ``hubspot.deal.import`` comes from webhooks;
- ``timesheets.run`` / ``.batch`` / ``.entry`` and ``csv.timesheets.import``;
- ``expenses.run`` / ``.batch`` / ``.entry`` and ``csv.expenses.import``;
- ``status_feedback.run`` / ``.deal``.
"""

from __future__ import annotations

from collections.abc import Mapping

from lead2cash.config.schema import FlowSection
from lead2cash.connectors.cursor import WatermarkCursor
from lead2cash.connectors.hubspot.sync import sync as hubspot_sync
from lead2cash.connectors.salesforce.sync import sync_records, version_digest
from lead2cash.engine.handlers import HandlerRegistry, JobContext
from lead2cash.engine.scheduler import Schedule
from lead2cash.flows import expenses, status_feedback, timesheets
from lead2cash.flows.deal_to_project import sync_deal
from lead2cash.flows.runtime import Hub, hub_of, inbound
from lead2cash.store.jobs import NewJob

#: flow name → the job kind that runs it now (``l2c sync <flow>``, the schedules).
RUN_KINDS = {
    "deal_to_project": "deal_to_project.poll",
    "timesheets": "timesheets.run",
    "expenses": "expenses.run",
    "status_feedback": "status_feedback.run",
}

#: The schedule of each flow when the configuration names none (cron, UTC).
DEFAULT_SCHEDULES = {
    "deal_to_project": "*/5 * * * *",
    "timesheets": "*/15 * * * *",
    "expenses": "0 2 * * *",
    "status_feedback": "*/30 * * * *",
}


def schedules(flows: Mapping[str, FlowSection]) -> list[Schedule]:
    """The scheduler's schedules for the configured flows (``flows.<name>.schedule``)."""
    found = []
    for name, kind in RUN_KINDS.items():
        section = flows.get(name) or FlowSection()
        cron = section.schedule or DEFAULT_SCHEDULES[name]
        found.append(Schedule(name, cron, kind, enabled=section.enabled))
    return found


#: Standard Opportunity fields read by the poll: an edit to one of them in the same second as
#: the previous version is still a new version (custom fields: only with a new stamp).
OPPORTUNITY_FIELDS = ("Name", "Amount", "CloseDate", "AccountId")


def poll_deals(hub: Hub) -> int:
    """Enqueue a deal job for each new deal version in the configured CRMs."""
    jobs: list[NewJob] = []
    cursors: dict[str, WatermarkCursor] = {}
    if hub.hubspot is not None:
        name = "deal_to_project.hubspot"
        found = hubspot_sync(hub.hubspot, "deals", hub.cursor(name, "deal_to_project"))
        cursors[name] = found.cursor
        jobs += [
            NewJob(
                "deal_to_project.deal",
                f"deal:hubspot:{v.id}:{v.modified.isoformat()}",
                {"system": "hubspot", "deal_id": v.id},
            )
            for v in found.records
        ]
    if hub.salesforce is not None:
        name = "deal_to_project.salesforce"
        result = sync_records(
            hub.salesforce,
            "Opportunity",
            ["Id", "StageName", "SystemModstamp", *OPPORTUNITY_FIELDS],
            hub.cursor(name, "deal_to_project"),
        )
        cursors[name] = result.cursor
        # SystemModstamp has whole seconds: two edits in one second share a stamp, so the
        # version key carries a digest of the polled (standard) fields too
        jobs += [
            NewJob(
                "deal_to_project.deal",
                f"deal:salesforce:{r['Id']}:{r['SystemModstamp']}:{version_digest(r)}",
                {"system": "salesforce", "deal_id": str(r["Id"])},
            )
            for r in result.records
        ]
    with hub.store.engine.begin() as conn:
        created = sum(e.created for e in hub.store.jobs.enqueue(jobs, conn=conn))
        for name, cursor in cursors.items():
            hub.store.cursors.put(name, cursor.model_dump(mode="json"), conn=conn)
    return created


def _poll(ctx: JobContext) -> None:
    ctx.log.info("deal_to_project: %d deal versions to sync", poll_deals(hub_of(ctx)))


def _deal(ctx: JobContext) -> None:
    outcome = sync_deal(hub_of(ctx), ctx, str(ctx.payload["system"]), str(ctx.payload["deal_id"]))
    ctx.log.info("deal %s: %s", outcome.deal, outcome.status)


def _hubspot_webhook(ctx: JobContext) -> None:
    hub = hub_of(ctx)
    outcome = sync_deal(hub, ctx, "hubspot", str(inbound(hub, ctx)["objectId"]))
    ctx.log.info("deal %s: %s", outcome.deal, outcome.status)


def register(registry: HandlerRegistry) -> None:
    registry.register("deal_to_project.poll", _poll)
    registry.register("deal_to_project.deal", _deal)
    registry.register("hubspot.deal.import", _hubspot_webhook)
    registry.register("timesheets.run", timesheets.handle_run)
    registry.register("timesheets.batch", timesheets.handle_batch)
    registry.register("timesheets.entry", timesheets.handle_entry)
    registry.register("csv.timesheets.import", timesheets.handle_csv_row)
    registry.register("expenses.run", expenses.handle_run)
    registry.register("expenses.batch", expenses.handle_batch)
    registry.register("expenses.entry", expenses.handle_entry)
    registry.register("csv.expenses.import", expenses.handle_csv_row)
    registry.register("status_feedback.run", status_feedback.handle_run)
    registry.register("status_feedback.deal", status_feedback.handle_deal)
