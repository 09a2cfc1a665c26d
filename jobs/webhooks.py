"""Delivering a webhook message to an endpoint (one attempt), as a background job."""

from jobs.context import job_app
from services.webhooks.delivery import deliver


def deliver_webhook(
    endpoint_id: int, message_id: str, event_type: str, payload: str, attempt: int, manual: bool = False
) -> str:
    with job_app().app_context():
        return deliver(endpoint_id, message_id, event_type, payload, attempt, manual)
