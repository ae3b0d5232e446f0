"""Files (the current two-step upload flow; files.upload is retired) and canvases."""
from __future__ import annotations

from .api_support import SlackError, as_int, as_json, channel_for_bot
from .api_chat import thread_parent
from .state import Canvas, File


def get_upload_url(emu, args):
    length = as_int(args.get("length"), "length")
    if length <= 0:
        raise SlackError("invalid_arguments", messages=["[ERROR] length must be positive"],
                         violation=True)
    file = File(id=emu.state.new_id("F"), filename=str(args.get("filename")), length=length)
    emu.state.files[file.id] = file
    return {"upload_url": f"{emu.base_url}upload/{file.id}", "file_id": file.id}


def complete_upload(emu, args):
    entries = as_json(args.get("files"), "files")
    if not isinstance(entries, list) or not entries:
        raise SlackError("invalid_arguments", messages=["[ERROR] files must be a non-empty array"],
                         violation=True)
    files = []
    for entry in entries:
        file = emu.state.files.get(entry.get("id") if isinstance(entry, dict) else None)
        if file is None or file.content is None or file.completed:
            raise SlackError("file_not_found")
        files.append((file, entry.get("title")))
    channel_ids = [c for c in str(args.get("channels") or "").split(",") if c]
    if args.get("channel_id"):
        channel_ids.insert(0, args["channel_id"])
    channels = [channel_for_bot(emu, c) for c in channel_ids]
    for file, title in files:
        file.completed = True
        file.title = title or file.filename
    for channel in channels:
        if channel.is_archived:
            raise SlackError("posting_to_channel_denied")
        thread_ts = thread_parent(channel, args.get("thread_ts"))
        for file, _ in files:
            file.channels.append(channel.id)
        message = {**emu.bot_message_fields(), "text": args.get("initial_comment") or "",
                   "files": [f.to_api() for f, _ in files], "upload": True}
        if thread_ts:
            message["thread_ts"] = thread_ts
        emu.bot_event(channel, dict(emu.state.add_message(channel, message)))
    return {"files": [{"id": f.id, "title": f.title} for f, _ in files]}


def upload(emu, args):
    # Retired on 12 November 2025: Slack now answers method_deprecated.
    raise SlackError("method_deprecated", violation=True)


def _markdown(content, name: str = "document_content") -> str:
    content = as_json(content, name)
    if (not isinstance(content, dict) or content.get("type") != "markdown"
            or not isinstance(content.get("markdown"), str)):
        raise SlackError("invalid_arguments", violation=True, messages=[
            f'[ERROR] {name} must be {{"type": "markdown", "markdown": "..."}}'])
    return content["markdown"]


def canvases_create(emu, args):
    markdown = _markdown(args["document_content"]) if args.get("document_content") else ""
    canvas = Canvas(id=emu.state.new_id("F"), title=str(args.get("title") or ""), markdown=markdown)
    if args.get("channel_id"):
        canvas.channel = channel_for_bot(emu, args["channel_id"]).id
    emu.state.canvases[canvas.id] = canvas
    return {"canvas_id": canvas.id}


def channel_canvas_create(emu, args):
    channel = channel_for_bot(emu, args.get("channel_id"))
    if channel.canvas_id:
        raise SlackError("channel_canvas_already_exists")
    markdown = _markdown(args["document_content"]) if args.get("document_content") else ""
    canvas = Canvas(id=emu.state.new_id("F"), title=str(args.get("title") or channel.name),
                    markdown=markdown, channel=channel.id)
    emu.state.canvases[canvas.id] = canvas
    channel.canvas_id = canvas.id
    return {"canvas_id": canvas.id}


def canvases_edit(emu, args):
    canvas = emu.state.canvases.get(args.get("canvas_id"))
    if canvas is None:
        raise SlackError("canvas_not_found")
    changes = as_json(args.get("changes"), "changes")
    if not isinstance(changes, list) or not changes:
        raise SlackError("invalid_arguments", messages=["[ERROR] changes must be a non-empty array"],
                         violation=True)
    for i, change in enumerate(changes):
        operation = change.get("operation") if isinstance(change, dict) else None
        if operation == "rename":
            title = as_json(change.get("title_content"), "title_content") or {}
            canvas.title = str(title.get("markdown", canvas.title))
            continue
        if operation not in ("replace", "insert_at_start", "insert_at_end") or change.get("section_id"):
            raise SlackError("invalid_arguments", violation=True, messages=[
                f"[ERROR] changes/{i}: operation {operation!r} is not supported by the emulator"])
        markdown = _markdown(change.get("document_content"), f"changes/{i}/document_content")
        if operation == "replace":
            canvas.markdown = markdown
        elif operation == "insert_at_start":
            canvas.markdown = markdown + canvas.markdown
        else:
            canvas.markdown = canvas.markdown + markdown
    return {}


HANDLERS = {
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
    "files.upload": upload,
    "canvases.create": canvases_create,
    "conversations.canvases.create": channel_canvas_create,
    "canvases.edit": canvases_edit,
}
