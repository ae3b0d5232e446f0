// Block Kit to DOM: message blocks (header, section, fields, context, divider, actions…) and the
// input blocks of modals. Interactive elements are real buttons and form controls.
"use strict";

const CelluleBlocks = (() => {
  const { el, mrkdwn, plain } = CelluleText;

  function textObject(obj, ctx, inlineOnly) {
    if (!obj) return document.createTextNode("");
    if (obj.type === "mrkdwn") {
      const node = mrkdwn(obj.text, ctx);
      if (inlineOnly) node.classList.add("inline");
      return node;
    }
    const span = el("span", "plain");
    span.append(plain(obj.text));
    return span;
  }

  function optionLabel(option) {
    return option && option.text ? option.text.text : "";
  }

  // An interactive element of a message (or of a modal's non-input block).
  function interactive(element, blockId, ctx, onAction) {
    const kind = element.type;
    if (kind === "button") {
      const b = el("button", `block-button ${element.style || ""}`.trim());
      b.type = "button";
      b.append(plain(element.text ? element.text.text : ""));
      if (element.url) b.title = element.url;
      b.dataset.actionId = element.action_id || "";
      b.addEventListener("click", () => onAction(element, blockId, element.value ?? null));
      return b;
    }
    if (kind === "static_select" || kind === "overflow") {
      const wrap = el("label", "block-select");
      const caption = el("span", "visually-hidden", element.placeholder ? element.placeholder.text : "Choose");
      const select = el("select");
      select.append(new Option(element.placeholder ? element.placeholder.text : "…", ""));
      allOptions(element).forEach((o) => select.append(new Option(optionLabel(o), o.value)));
      select.addEventListener("change", () => { if (select.value) onAction(element, blockId, select.value); });
      wrap.append(caption, select);
      return wrap;
    }
    if (kind === "image") {
      return el("span", "image-alt", `[${element.alt_text || "image"}]`);
    }
    if (kind === "mrkdwn" || kind === "plain_text") return textObject(element, ctx, true);
    return el("span", "unsupported", `[${kind}]`);
  }

  function allOptions(element) {
    const options = [...(element.options || [])];
    (element.option_groups || []).forEach((g) => options.push(...(g.options || [])));
    return options;
  }

  function richText(block, ctx) {
    // Enough of rich_text for what apps post: sections, lists, quotes, preformatted text.
    const root = el("div", "rich-text");
    const inlineElements = (elements, parent) => (elements || []).forEach((e) => {
      if (e.type === "text") {
        let node = plain(e.text);
        const s = e.style || {};
        if (s.code) { const c = el("code"); c.append(node); node = c; }
        if (s.bold) { const b = el("strong"); b.append(node); node = b; }
        if (s.italic) { const i = el("em"); i.append(node); node = i; }
        if (s.strike) { const x = el("s"); x.append(node); node = x; }
        parent.append(node);
      } else if (e.type === "link") {
        parent.append(mrkdwn(`<${e.url}|${e.text || e.url}>`, ctx).firstChild);
      } else if (e.type === "user") {
        parent.append(el("span", "mention", `@${ctx.users[e.user_id] || e.user_id}`));
      } else if (e.type === "channel") {
        parent.append(mrkdwn(`<#${e.channel_id}>`, ctx).firstChild);
      } else if (e.type === "emoji") {
        parent.append(plain(CelluleText.emoji(e.name)));
      }
    });
    (block.elements || []).forEach((section) => {
      if (section.type === "rich_text_list") {
        const list = el(section.style === "ordered" ? "ol" : "ul");
        (section.elements || []).forEach((item) => { const li = el("li"); inlineElements(item.elements, li); list.append(li); });
        root.append(list);
      } else {
        const tag = section.type === "rich_text_preformatted" ? "pre"
          : section.type === "rich_text_quote" ? "blockquote" : "p";
        const node = el(tag);
        inlineElements(section.elements, node);
        root.append(node);
      }
    });
    return root;
  }

  function render(blocks, ctx, onAction) {
    const root = el("div", "blocks");
    (blocks || []).forEach((block, i) => {
      const blockId = block.block_id || `block-${i}`;
      let node;
      switch (block.type) {
        case "header": {
          node = el("h3", "block-header");
          node.append(plain(block.text ? block.text.text : ""));
          break;
        }
        case "section": {
          node = el("div", "block-section");
          const main = el("div", "section-main");
          if (block.text) main.append(textObject(block.text, ctx));
          if (block.fields) {
            const grid = el("div", "fields");
            block.fields.forEach((f) => { const cell = el("div", "field"); cell.append(textObject(f, ctx)); grid.append(cell); });
            main.append(grid);
          }
          node.append(main);
          if (block.accessory) {
            const acc = el("div", "accessory");
            acc.append(interactive(block.accessory, blockId, ctx, onAction));
            node.append(acc);
          }
          break;
        }
        case "context": {
          node = el("div", "block-context");
          (block.elements || []).forEach((e) => node.append(interactive(e, blockId, ctx, onAction)));
          break;
        }
        case "divider":
          node = el("hr", "block-divider");
          break;
        case "actions": {
          node = el("div", "block-actions");
          (block.elements || []).forEach((e) => node.append(interactive(e, blockId, ctx, onAction)));
          break;
        }
        case "rich_text":
          node = richText(block, ctx);
          break;
        case "image":
          node = el("div", "image-alt", `[${block.alt_text || "image"}]`);
          break;
        case "markdown":
          node = CelluleText.markdown(block.text, ctx);
          break;
        default:
          node = el("div", "unsupported", `[${block.type} block]`);
      }
      root.append(node);
    });
    return root;
  }

  // -- modals ---------------------------------------------------------------------------------
  let uid = 0;

  // One input block: label, control, hint and the place for its inline error.
  function input(block, i, ctx) {
    const blockId = block.block_id || `block-${i}`;
    const element = block.element || {};
    const actionId = element.action_id || `action-${i}`;
    const id = `in-${++uid}`;
    const wrap = el("div", "input-block");
    wrap.dataset.blockId = blockId;
    const labelText = (block.label ? block.label.text : "") + (block.optional ? " (optional)" : "");
    let read;
    let control;
    const kind = element.type;
    const options = allOptions(element);
    if (kind === "checkboxes" || kind === "radio_buttons") {
      control = el("fieldset", "choices");
      control.id = id;
      const legend = el("legend", null, labelText);
      control.append(legend);
      const boxType = kind === "checkboxes" ? "checkbox" : "radio";
      const initial = new Set((element.initial_options || (element.initial_option ? [element.initial_option] : []))
        .map((o) => o.value));
      options.forEach((o, k) => {
        const box = el("input");
        box.type = boxType;
        box.name = id;
        box.value = o.value;
        box.id = `${id}-${k}`;
        box.checked = initial.has(o.value);
        const label = el("label", null, optionLabel(o));
        label.htmlFor = box.id;
        const row = el("div", "choice");
        row.append(box, label);
        control.append(row);
      });
      read = () => {
        const picked = [...control.querySelectorAll("input:checked")].map((b) => b.value);
        return boxType === "radio" ? (picked[0] ?? null) : picked;
      };
      wrap.append(control);
    } else {
      const label = el("label", "input-label", labelText);
      label.htmlFor = id;
      wrap.append(label);
      if (kind === "plain_text_input" || kind === "email_text_input" || kind === "url_text_input" || kind === "number_input") {
        control = el(element.multiline ? "textarea" : "input");
        if (!element.multiline) control.type = { email_text_input: "email", url_text_input: "url", number_input: "number" }[kind] || "text";
        if (element.initial_value) control.value = element.initial_value;
        if (element.max_length) control.maxLength = element.max_length;
        if (element.placeholder) control.placeholder = element.placeholder.text;
        read = () => (control.value.trim() === "" ? null : control.value);
      } else if (kind === "datepicker" || kind === "timepicker") {
        control = el("input");
        control.type = kind === "datepicker" ? "date" : "time";
        control.value = element.initial_date || element.initial_time || "";
        read = () => control.value || null;
      } else {
        // Selects: static options, or the workspace's people or channels.
        const multi = kind.startsWith("multi_");
        control = el("select");
        control.multiple = multi;
        let choices = options.map((o) => [o.value, optionLabel(o)]);
        if (/users_select$/.test(kind)) choices = Object.entries(ctx.people || {});
        if (/(conversations|channels)_select$/.test(kind)) choices = Object.entries(ctx.channels).map(([k, v]) => [k, `#${v}`]);
        if (!multi) control.append(new Option(element.placeholder ? element.placeholder.text : "Choose…", ""));
        const initial = new Set([
          ...(element.initial_options || []).map((o) => o.value),
          ...(element.initial_option ? [element.initial_option.value] : []),
          ...(element.initial_users || []), ...(element.initial_user ? [element.initial_user] : []),
          ...(element.initial_conversation ? [element.initial_conversation] : []),
          ...(element.initial_channel ? [element.initial_channel] : []),
        ]);
        choices.forEach(([value, text]) => {
          const option = new Option(text, value);
          option.selected = initial.has(value);
          control.append(option);
        });
        read = () => (multi ? [...control.selectedOptions].map((o) => o.value) : control.value || null);
      }
      control.id = id;
      wrap.append(control);
    }
    if (block.hint) wrap.append(el("p", "hint", block.hint.text));
    const error = el("p", "field-error");
    error.id = `${id}-error`;
    error.setAttribute("role", "alert");
    control.setAttribute("aria-describedby", error.id);
    wrap.append(error);
    const empty = (v) => v === null || (Array.isArray(v) && v.length === 0);
    return {
      node: wrap,
      blockId,
      collect: (values) => {
        const v = read();
        if (!empty(v)) values[blockId] = { [actionId]: v };
      },
      missing: () => !block.optional && empty(read()),
      showError: (text) => { error.textContent = text || ""; control.setAttribute("aria-invalid", text ? "true" : "false"); },
    };
  }

  function modal(view, ctx, onAction) {
    const form = el("form", "modal-form");
    form.noValidate = true;
    const inputs = [];
    (view.blocks || []).forEach((block, i) => {
      if (block.type === "input") {
        const field = input(block, i, ctx);
        inputs.push(field);
        form.append(field.node);
      } else {
        form.append(render([block], ctx, onAction));
      }
    });
    return { form, inputs };
  }

  return { render, modal, textObject };
})();
