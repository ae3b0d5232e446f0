"""Block Kit validation with Slack's documented limits.

Each check returns a list of Slack-style messages, e.g.
"[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"; empty means valid.
"""
from __future__ import annotations

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100

BLOCK_TYPES = {"section", "header", "context", "actions", "divider", "image", "input",
               "rich_text", "file", "video", "markdown"}
MESSAGE_ONLY = {"file", "markdown"}
ELEMENT_TYPES = {"button", "checkboxes", "datepicker", "datetimepicker", "email_text_input",
                 "image", "multi_static_select", "multi_users_select", "multi_conversations_select",
                 "multi_channels_select", "multi_external_select", "number_input", "overflow",
                 "plain_text_input", "radio_buttons", "rich_text_input", "static_select",
                 "external_select", "users_select", "conversations_select", "channels_select",
                 "timepicker", "url_text_input", "workflow_button", "file_input"}
INPUT_ELEMENTS = ELEMENT_TYPES - {"button", "image", "overflow", "workflow_button"}


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def fail(self, pointer: str, message: str) -> None:
        self.errors.append(f"[ERROR] {message} [json-pointer:{pointer}]")

    def length(self, value, limit: int, pointer: str) -> None:
        if isinstance(value, str) and len(value) > limit:
            self.fail(pointer, f"must be less than {limit + 1} characters")

    def text(self, obj, pointer: str, limit: int, *, plain_only: bool = False, required: bool = True):
        if obj is None:
            if required:
                self.fail(pointer, "must provide an object")
            return
        if not isinstance(obj, dict) or obj.get("type") not in ("plain_text", "mrkdwn"):
            self.fail(pointer, "must be a text object of type plain_text or mrkdwn")
            return
        if plain_only and obj["type"] != "plain_text":
            self.fail(pointer + "/type", "must be plain_text")
        text = obj.get("text")
        if not isinstance(text, str) or not text:
            self.fail(pointer + "/text", "must be more than 0 characters")
        else:
            self.length(text, limit, pointer + "/text")

    def options(self, options, pointer: str, limit: int = 100) -> None:
        if not isinstance(options, list) or not options:
            self.fail(pointer, "must provide at least 1 item")
            return
        if len(options) > limit:
            self.fail(pointer, f"must provide no more than {limit} items")
        for i, option in enumerate(options):
            p = f"{pointer}/{i}"
            if not isinstance(option, dict):
                self.fail(p, "must provide an object")
                continue
            self.text(option.get("text"), p + "/text", 75)
            if not isinstance(option.get("value"), str):
                self.fail(p + "/value", "must provide a string")
            self.length(option.get("value"), 150, p + "/value")

    def element(self, el, pointer: str, allowed: set[str]) -> None:
        if not isinstance(el, dict) or el.get("type") not in allowed:
            self.fail(pointer + "/type", "must be a valid element type")
            return
        self.length(el.get("action_id"), 255, pointer + "/action_id")
        kind = el["type"]
        if kind == "button":
            self.text(el.get("text"), pointer + "/text", 75, plain_only=True)
            self.length(el.get("value"), 2000, pointer + "/value")
            self.length(el.get("url"), 3000, pointer + "/url")
            if el.get("style") not in (None, "primary", "danger"):
                self.fail(pointer + "/style", "must be primary or danger")
        elif kind == "image":
            if not el.get("alt_text"):
                self.fail(pointer + "/alt_text", "must be provided")
        elif kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes", "overflow"):
            if "option_groups" in el and kind.endswith("static_select"):
                for g, group in enumerate(el["option_groups"] or []):
                    self.options(group.get("options"), f"{pointer}/option_groups/{g}/options")
            else:
                limit = {"radio_buttons": 10, "checkboxes": 10, "overflow": 5}.get(kind, 100)
                self.options(el.get("options"), pointer + "/options", limit)
        elif kind == "plain_text_input":
            if isinstance(el.get("max_length"), int) and el["max_length"] > 3000:
                self.fail(pointer + "/max_length", "must be at most 3000")
        if "placeholder" in el:
            self.text(el["placeholder"], pointer + "/placeholder", 150, plain_only=True)

    def block(self, block, pointer: str, surface: str) -> None:
        if not isinstance(block, dict):
            self.fail(pointer, "must provide an object")
            return
        kind = block.get("type")
        if kind not in BLOCK_TYPES or (surface == "modal" and kind in MESSAGE_ONLY):
            self.fail(pointer + "/type", f"unsupported type: {kind}")
            return
        self.length(block.get("block_id"), 255, pointer + "/block_id")
        if kind == "section":
            if "text" not in block and "fields" not in block:
                self.fail(pointer, "must provide text or fields")
            if "text" in block:
                self.text(block["text"], pointer + "/text", 3000)
            if "fields" in block:
                fields = block["fields"]
                if not isinstance(fields, list) or not fields or len(fields) > 10:
                    self.fail(pointer + "/fields", "must provide between 1 and 10 items")
                else:
                    for i, field in enumerate(fields):
                        self.text(field, f"{pointer}/fields/{i}", 2000)
            if "accessory" in block:
                self.element(block["accessory"], pointer + "/accessory", ELEMENT_TYPES)
        elif kind == "header":
            self.text(block.get("text"), pointer + "/text", 150, plain_only=True)
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > 10:
                self.fail(pointer + "/elements", "must provide between 1 and 10 items")
                return
            for i, el in enumerate(elements):
                p = f"{pointer}/elements/{i}"
                if isinstance(el, dict) and el.get("type") == "image":
                    self.element(el, p, {"image"})
                else:
                    self.text(el, p, 3000)
        elif kind == "actions":
            elements = block.get("elements")
            if not isinstance(elements, list) or not elements or len(elements) > 25:
                self.fail(pointer + "/elements", "must provide between 1 and 25 items")
                return
            for i, el in enumerate(elements):
                self.element(el, f"{pointer}/elements/{i}", ELEMENT_TYPES - {"image"})
        elif kind == "image":
            if not block.get("image_url") and not block.get("slack_file"):
                self.fail(pointer + "/image_url", "must provide image_url or slack_file")
            if not block.get("alt_text"):
                self.fail(pointer + "/alt_text", "must be provided")
            self.length(block.get("alt_text"), 2000, pointer + "/alt_text")
        elif kind == "input":
            self.text(block.get("label"), pointer + "/label", 2000, plain_only=True)
            if "hint" in block:
                self.text(block["hint"], pointer + "/hint", 2000, plain_only=True)
            self.element(block.get("element"), pointer + "/element", INPUT_ELEMENTS)
        elif kind == "markdown":
            if not isinstance(block.get("text"), str) or not block["text"]:
                self.fail(pointer + "/text", "must be more than 0 characters")
            self.length(block.get("text"), 12000, pointer + "/text")


def check_blocks(blocks, *, surface: str = "message", pointer: str = "/blocks") -> list[str]:
    """Validate a blocks array for a message or a modal."""
    checker = _Checker()
    if not isinstance(blocks, list):
        checker.fail(pointer, "must provide an array")
        return checker.errors
    limit = MAX_MODAL_BLOCKS if surface == "modal" else MAX_MESSAGE_BLOCKS
    if len(blocks) > limit:
        checker.fail(pointer, f"must provide no more than {limit} items")
    seen: set[str] = set()
    for i, block in enumerate(blocks):
        checker.block(block, f"{pointer}/{i}", surface)
        block_id = block.get("block_id") if isinstance(block, dict) else None
        if block_id is not None:
            if block_id in seen:
                checker.fail(f"{pointer}/{i}/block_id", "duplicate block_id")
            seen.add(block_id)
    return checker.errors


def _check_any_view(view, kind: str, check_top) -> list[str]:
    """What modal and home views share: the type, metadata and ids, the blocks; `check_top(checker,
    view, has_input)` checks what differs."""
    checker = _Checker()
    if not isinstance(view, dict):
        checker.fail("/view", "must provide an object")
        return checker.errors
    if view.get("type") != kind:
        checker.fail("/view/type", f"must be {kind}")
    blocks = view.get("blocks")
    has_input = isinstance(blocks, list) and any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    check_top(checker, view, has_input)
    checker.length(view.get("private_metadata"), 3000, "/view/private_metadata")
    checker.length(view.get("callback_id"), 255, "/view/callback_id")
    checker.length(view.get("external_id"), 255, "/view/external_id")
    return checker.errors + check_blocks(blocks, surface="modal", pointer="/view/blocks")


def check_home_view(view) -> list[str]:
    """Validate a Home tab view as views.publish receives it (no title, submit or inputs)."""

    def top(checker, view, has_input):
        for key in ("title", "submit", "close"):
            if key in view:
                checker.fail(f"/view/{key}", "is not allowed in a home view")
        if has_input:
            checker.fail("/view/blocks", "input blocks need a submit button, which a home view has not")

    return _check_any_view(view, "home", top)


def check_view(view) -> list[str]:
    """Validate a modal view as views.open / push / update receive it."""

    def top(checker, view, has_input):
        checker.text(view.get("title"), "/view/title", 24, plain_only=True)
        for key in ("submit", "close"):
            checker.text(view.get(key), f"/view/{key}", 24, plain_only=True, required=False)
        if has_input and not view.get("submit"):
            checker.fail("/view/submit", "submit is required when an input block is within the blocks array")

    return _check_any_view(view, "modal", top)
