"""`/incident component …`, `affects`, `publish`, `unpublish`: the public status page's subcommands.

Registered in the command table of `commands.py`; each gets the same `Call` as the others.
"""

from __future__ import annotations

from bot.core.commands import first_word
from bot.core.model import Incident
from bot.core.publicpage import ComponentStatus
from bot.flows import publishing
from bot.flows.deps import UserError
from bot.i18n import Lang
from bot.i18n.vocabulary import COMPONENT_STATUS_NAMES
from bot.slack import render


def status_name(lang: Lang, status: ComponentStatus) -> str:
    return lang._(COMPONENT_STATUS_NAMES[ComponentStatus(status)])


def component(c) -> None:
    """`component add <key> FR <name> EN <name>` · `component list` · `component remove <key>`."""
    action, rest = first_word(c.rest)
    action = action.lower()
    if action in ("add", "remove") and not c.edge.permissions.may_change(c.user, None):
        raise UserError("public_not_allowed")
    if action == "add":
        comp, created = publishing.add_component(c.deps, rest)
        shown = "`" + comp.key + "`"
        if created:
            c.reply(c.lang._("Component {key} added to the status page.", key=shown))
        else:
            c.reply(c.lang._("Component {key} renamed.", key=shown))
    elif action == "remove":
        publishing.remove_component(c.deps, rest)
        shown = "`" + rest.strip().lower() + "`"
        c.reply(c.lang._("Component {key} removed from the status page.", key=shown))
    elif action in ("list", ""):
        comps = publishing.components(c.deps)
        if not comps:
            c.reply(c.lang._("No component yet: `/incident component add api FR Paiements EN Payments`."))
            return
        lines = [c.lang._("Components of the status page:")]
        for comp in comps:
            names = " / ".join(render.escape(comp.names[code]) for code in c.deps.settings.languages
                               if comp.names.get(code))
            lines.append(f"• `{comp.key}` {names}")
        c.reply("\n".join(lines))
    else:
        raise UserError("component_syntax")


def affects(c, incident: Incident) -> None:
    out = publishing.affects(c.deps, incident, c.rest)
    parts = [f"`{k}` {status_name(c.lang, s)}" for k, s in out.statuses.items()]
    msg = c.lang._("{ref} affects: {components}.", ref=incident.ref, components=c.lang.list(parts))
    if not out.published:
        msg += " " + c.lang._("Not public yet: `/incident publish` shows it on the status page.")
    c.reply(msg)


def publish(c, incident: Incident) -> None:
    what, _ = first_word(c.rest)
    if what.lower() == "postmortem":
        publishing.publish_postmortem(c.deps, incident)
        c.reply(c.lang._("The postmortem of {ref} is on the public status page.", ref=incident.ref))
        return
    publishing.publish(c.deps, incident, True)
    c.reply(c.lang._("{ref} is on the public status page: its titles, status updates, affected components "
                     "and times, in every language. Chat, key moments and names stay private.", ref=incident.ref))


def unpublish(c, incident: Incident) -> None:
    publishing.publish(c.deps, incident, False)
    c.reply(c.lang._("{ref} is no longer on the public status page.", ref=incident.ref))
