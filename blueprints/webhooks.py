"""Settings → Webhooks (the owner's): subscribe an endpoint (its secret is shown once), delete or
enable one again, read the delivery log and redeliver. The rules are in services/webhooks/."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice

from blueprints.roles import owner_only
from blueprints.scoping import owned_or_404
from models import WebhookDelivery, WebhookEndpoint
from services.webhooks import EVENTS, delivery, endpoints

bp = Blueprint("webhooks", __name__, url_prefix="/settings/webhooks")
owner_only(bp, "webhooks")


class EndpointForm(FlaskForm):
    url = StringField("Endpoint URL", render_kw={"placeholder": "https://crm.example.com/hooks/bbc"})
    events = SelectMultipleField(
        "Events",
        choices=[SelectChoice(name, name) for name in EVENTS],
        default=list(EVENTS),
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
        validate_choice=False,  # the service says what is wrong, in the API's words
    )
    description = StringField("Description (optional)", render_kw={"placeholder": "e.g. CRM sync"})


def _page(form: EndpointForm, secret: str | None = None, status: int = 200):
    workspace = current_user.workspace_id
    listed = endpoints.endpoints_of(workspace)
    return render_template(
        "webhooks/index.html",
        form=form,
        secret=secret,
        endpoints=listed,
        by_id={endpoint.id: endpoint for endpoint in listed},
        deliveries=endpoints.recent_deliveries(workspace),
        events=EVENTS,
    ), status


@bp.get("/")
def index():
    return _page(EndpointForm())


@bp.post("/")
def create():
    form = EndpointForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        _, secret = endpoints.create(current_user.workspace_id, form.url.data, form.events.data, form.description.data)
    except endpoints.WebhookError as exc:
        form.url.errors = [str(exc)]
        return _page(form, status=400)
    # Rendered, not redirected: the secret exists in clear only in this one response.
    return _page(EndpointForm(formdata=None), secret=secret)


@bp.post("/<int:endpoint_id>/delete")
def delete(endpoint_id: int):
    endpoint = owned_or_404(WebhookEndpoint, endpoint_id, current_user.workspace_id)
    url = endpoint.url
    endpoints.delete(endpoint)
    flash(f"Webhook to {url} deleted: no more events are sent to it.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/<int:endpoint_id>/enable")
def enable(endpoint_id: int):
    endpoint = owned_or_404(WebhookEndpoint, endpoint_id, current_user.workspace_id)
    endpoints.enable(endpoint)
    flash(f"Webhook to {endpoint.url} enabled: new events are sent to it again.", "success")
    return redirect(url_for("webhooks.index"))


@bp.post("/deliveries/<int:delivery_id>/redeliver")
def redeliver(delivery_id: int):
    row = owned_or_404(WebhookDelivery, delivery_id, current_user.workspace_id)
    delivery.redeliver(row)
    flash(f"{row.event_type} {row.message_id} queued to be sent again: the log shows how it went.", "success")
    return redirect(url_for("webhooks.index"))
