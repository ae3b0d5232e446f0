"""Slack's payload shapes for interactions: element states and the actions users take."""
from __future__ import annotations

TEXT_INPUTS = {"plain_text_input", "email_text_input", "url_text_input", "number_input"}
SINGLE_OPTION = {"static_select", "radio_buttons", "overflow", "external_select"}
MULTI_OPTION = {"multi_static_select", "checkboxes", "multi_external_select"}
PICKED = {  # element type -> state field for a picked ID or date
    "users_select": "selected_user", "multi_users_select": "selected_users",
    "conversations_select": "selected_conversation",
    "multi_conversations_select": "selected_conversations",
    "channels_select": "selected_channel", "multi_channels_select": "selected_channels",
    "datepicker": "selected_date", "timepicker": "selected_time",
    "datetimepicker": "selected_date_time",
}


def _options(element: dict) -> list[dict]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _option(element: dict, value) -> dict:
    for option in _options(element):
        if option.get("value") == value:
            return option
    raise ValueError(f"{value!r} is not an option of {element.get('action_id')!r}")


def element_state(element: dict, value) -> dict:
    """The state Slack reports for an element holding `value` (None: left empty)."""
    kind = element["type"]
    state = {"type": kind}
    if kind in TEXT_INPUTS:
        if value is not None:
            text = str(value)
            if len(text) > element.get("max_length", 3000) or len(text) < element.get("min_length", 0):
                raise ValueError(f"{element.get('action_id')!r}: length outside the element's limits")
        state["value"] = None if value is None else str(value)
    elif kind in SINGLE_OPTION:
        state["selected_option"] = None if value is None else _option(element, value)
    elif kind in MULTI_OPTION:
        values = [] if value is None else [value] if isinstance(value, str) else list(value)
        state["selected_options"] = [_option(element, v) for v in values]
    elif kind in PICKED:
        field = PICKED[kind]
        if field.endswith("s") and value is not None and isinstance(value, str):
            value = [value]
        state[field] = value if value is not None else ([] if field.endswith("s") else None)
    elif kind == "button":
        state.update({"text": element.get("text"), "value": element.get("value")})
    else:
        raise ValueError(f"element type {kind!r} is not supported by the emulator driver")
    return state


def _initial(element: dict):
    if "initial_value" in element:
        return element["initial_value"]
    if "initial_option" in element:
        return element["initial_option"]["value"]
    if "initial_options" in element:
        return [o["value"] for o in element["initial_options"]]
    return None


def _is_empty(state: dict) -> bool:
    return all(v in (None, [], "") for k, v in state.items() if k != "type")


def view_state_values(view: dict, values: dict) -> dict:
    """state.values for a submission: every input block, as the Slack client sends it."""
    result, known = {}, set()
    for i, block in enumerate(view.get("blocks") or []):
        if block.get("type") != "input":
            continue
        element = block["element"]
        block_id = block.get("block_id") or f"block-{i}"
        action_id = element.get("action_id") or f"action-{i}"
        known.add(block_id)
        given = values.get(block_id, {})
        unknown = set(given) - {action_id}
        if unknown:
            raise ValueError(f"block {block_id!r} has no element {sorted(unknown)}")
        # What the person did not touch is submitted as the form showed it: its initial value.
        value = given[action_id] if action_id in given else _initial(element)
        state = element_state(element, value)
        if _is_empty(state) and not block.get("optional", False):
            raise ValueError(f"required input {block_id!r} is empty: the client would not submit")
        result[block_id] = {action_id: state}
    unknown_blocks = set(values) - known
    if unknown_blocks:
        raise ValueError(f"the view has no input blocks {sorted(unknown_blocks)}")
    return result


def find_element(blocks: list[dict], action_id: str, value: str | None = None) -> tuple[str, dict]:
    """(block_id, element) of the interactive element with that action_id (and that value, if given)."""
    for i, block in enumerate(blocks or []):
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if key in block:
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id and \
                    (value is None or element.get("value") == value):
                return block.get("block_id") or f"block-{i}", element
    raise ValueError(f"no element with action_id {action_id!r}")
