"""Webhooks: events pushed to the HTTPS endpoints a workspace subscribes, signed as the Standard
Webhooks specification says. endpoints.py manages the endpoints; events.py turns what happens
(a lead checked, a batch done, an import done) into messages; delivery.py sends them, retries,
keeps the log and disables an endpoint that has failed for a day."""

LEAD_CHECKED = "lead.checked"
BATCH_COMPLETED = "batch.completed"
UPLOAD_COMPLETED = "upload.completed"
EVENTS = {
    LEAD_CHECKED: "A lead's check ended: it has its final status",
    BATCH_COMPLETED: "Every lead of a batch (bulk check, upload, re-check, API list) was checked",
    UPLOAD_COMPLETED: "An import finished (done or failed), with its report",
}
