"""The status page in the declare and update forms: a box to publish, or a plain line saying the
update will be public. Only with STATUS_PAGE=on."""

from __future__ import annotations

import logging

from bot.core.model import Incident
from bot.core.publicpage import PublicPageError
from bot.flows import publishing
from bot.i18n import N_, Lang

log = logging.getLogger("cellule.publishing")

PUBLIC_NOW = N_("Public: this update will also be on the public status page, in every language.")
PUBLISH_BOX = N_("Publish on the public status page")
PUBLISH_WHAT = N_("Titles, status updates, affected components, times; never chat or names")
PUBLISHED = N_("{ref} is on the public status page.")


def blocks(deps, lang: Lang, incident: Incident | None) -> list[dict]:
    if not deps.settings.status_page:
        return []
    if incident is not None and publishing.is_published(deps, incident.id):
        return [{"type": "context", "elements": [{"type": "mrkdwn", "text": lang._(PUBLIC_NOW)}]}]
    if incident is not None and incident.private:
        return []
    return [{"type": "input", "block_id": "publish", "optional": True,
             "label": {"type": "plain_text", "text": lang._("Status page")[:75]},
             "element": {"type": "checkboxes", "action_id": "value", "options": [
                 {"text": {"type": "plain_text", "text": lang._(PUBLISH_BOX)[:75]},
                  "description": {"type": "plain_text", "text": lang._(PUBLISH_WHAT)[:75]}, "value": "publish"}]}}]


def apply(deps, incident: Incident | None, values: dict, lang: Lang, reply) -> None:
    """Publish when the box was ticked; a refusal (a private incident) is told, never raised."""
    if incident is None or "publish" not in (values.get("publish") or []):
        return
    try:
        if publishing.publish(deps, incident, True):
            reply(lang._(PUBLISHED, ref=incident.ref))
    except PublicPageError as e:
        from bot.flows.messages import explain

        reply(explain(lang, e))
