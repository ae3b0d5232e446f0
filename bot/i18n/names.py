"""Display names of the domain's enumerations, marked for extraction."""

from bot.core.model import Responsibility, Role, Status
from bot.i18n.markers import N_

STATUS_NAMES = {
    Status.INVESTIGATING: N_("investigating"),
    Status.IDENTIFIED: N_("identified"),
    Status.MONITORING: N_("monitoring"),
    Status.RESOLVED: N_("resolved"),
}

ROLE_NAMES = {
    Role.COMMANDER: N_("incident commander"),
    Role.COMMS: N_("communications lead"),
    Role.SCRIBE: N_("scribe"),
}

RESPONSIBILITY_NAMES = {
    Responsibility.INTERNAL: N_("Internal"),
    Responsibility.EXTERNAL: N_("External"),
}
