// Slack mrkdwn and canvas Markdown turned into DOM nodes. Never innerHTML: every piece of text from
// a message becomes a text node, so a message cannot inject markup or script.
"use strict";

const CelluleText = (() => {
  // The emoji the bot uses, and a few common ones; others stay as :name:.
  const EMOJI = {
    pushpin: "📌", white_check_mark: "✅", rotating_light: "🚨", warning: "⚠️", mag: "🔍",
    eyes: "👀", memo: "📝", bulb: "💡", fire: "🔥", red_circle: "🔴", large_orange_circle: "🟠",
    large_yellow_circle: "🟡", large_green_circle: "🟢", large_blue_circle: "🔵",
    white_circle: "⚪", black_circle: "⚫", clock1: "🕐", hourglass: "⌛", hourglass_flowing_sand: "⏳",
    repeat: "🔁", arrows_counterclockwise: "🔄", loudspeaker: "📢", mega: "📣", link: "🔗",
    page_facing_up: "📄", bookmark: "🔖", information_source: "ℹ️", x: "❌", heavy_check_mark: "✔️",
    tada: "🎉", thumbsup: "👍", "+1": "👍", pray: "🙏", sos: "🆘", construction: "🚧",
    chart_with_upwards_trend: "📈", calendar: "📅", speech_balloon: "💬", globe_with_meridians: "🌐",
    busts_in_silhouette: "👥", bust_in_silhouette: "👤", rocket: "🚀", lock: "🔒", ok: "🆗",
    question: "❓", exclamation: "❗", no_entry: "⛔", wrench: "🔧", gear: "⚙️", fr: "🇫🇷", gb: "🇬🇧",
    flag_fr: "🇫🇷", flag_gb: "🇬🇧", uk: "🇬🇧", us: "🇺🇸",
  };

  function emoji(name) {
    return EMOJI[name] || `:${name}:`;
  }

  function entities(text) {
    return text.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  }

  function withEmoji(text) {
    return text.replace(/:([a-z0-9_+\-]+):/g, (whole, name) => EMOJI[name] || whole);
  }

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function safeUrl(url) {
    return /^(https?:|mailto:)/i.test(url) ? url : null;
  }

  // A Slack permalink into this workspace opens the message here instead.
  function inPage(url) {
    const m = /slack\.com\/archives\/([CGD][A-Z0-9]+)\/p(\d{10})(\d{6})/.exec(url);
    return m ? `#channel=${m[1]}&ts=${m[2]}.${m[3]}` : null;
  }

  function link(href, label, ctx, className) {
    const local = inPage(href);
    const target = local || safeUrl(href);
    if (!target) return document.createTextNode(label);
    const a = el("a", className, label);
    a.href = target;
    if (!local) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }

  // <…> tokens: mentions, channels, user groups, special mentions, dates and links.
  function angle(inner, ctx) {
    const [target, label] = splitOnce(inner, "|");
    if (target.startsWith("#")) {
      const id = target.slice(1);
      const name = label || (ctx.channels[id] ? ctx.channels[id] : id);
      const a = el("a", "mention channel-mention", `#${name}`);
      a.href = `#channel=${id}`;
      return a;
    }
    if (target.startsWith("@")) {
      const id = target.slice(1);
      return el("span", "mention", `@${ctx.users[id] || label || id}`);
    }
    if (target.startsWith("!subteam^")) {
      const id = target.slice("!subteam^".length);
      const handle = ctx.usergroups[id];
      return el("span", "mention", label || (handle ? `@${handle}` : `@${id}`));
    }
    if (target.startsWith("!date^")) return document.createTextNode(label || target);
    if (target.startsWith("!")) return el("span", "mention", `@${label || target.slice(1)}`);
    return link(entities(target), entities(label || target), ctx);
  }

  function splitOnce(text, sep) {
    const i = text.indexOf(sep);
    return i < 0 ? [text, ""] : [text.slice(0, i), text.slice(i + 1)];
  }

  // Groups: 1 <…>, 2 `code`, 3+4 *bold*, 5+6 _italic_, 7+8 ~strike~ (3, 5, 7: the character before).
  const INLINE = /<([^<>\n]+)>|`([^`\n]+)`|(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])|(^|[^\w~])~(?!\s)([^~\n]+?)~(?![\w~])/g;

  function inline(text, parent, ctx) {
    let last = 0;
    const re = new RegExp(INLINE.source, "g");
    let m;
    while ((m = re.exec(text)) !== null) {
      const before = m[3] ?? m[5] ?? m[7] ?? "";
      parent.append(document.createTextNode(withEmoji(entities(text.slice(last, m.index) + before))));
      if (m[1] !== undefined) parent.append(angle(m[1], ctx));
      else if (m[2] !== undefined) parent.append(el("code", null, entities(m[2])));
      else {
        const tag = m[4] !== undefined ? "strong" : m[6] !== undefined ? "em" : "s";
        const node = el(tag);
        inline(m[4] ?? m[6] ?? m[8], node, ctx);
        parent.append(node);
      }
      last = re.lastIndex;
    }
    parent.append(document.createTextNode(withEmoji(entities(text.slice(last)))));
  }

  // mrkdwn: ```code blocks```, > quotes, and inline formatting line by line.
  function mrkdwn(text, ctx) {
    const root = el("div", "mrkdwn");
    const parts = String(text || "").split("```");
    parts.forEach((part, i) => {
      if (i % 2 === 1) {
        root.append(el("pre", null, entities(part.replace(/^\n/, ""))));
        return;
      }
      let quote = null;
      const lines = part.split("\n");
      lines.forEach((line, j) => {
        const q = /^(&gt;|>) ?(.*)$/.exec(line);
        let target = root;
        if (q) {
          if (!quote) { quote = el("blockquote"); root.append(quote); }
          target = quote;
          line = q[2];
        } else {
          quote = null;
        }
        inline(line, target, ctx);
        const last = j === lines.length - 1;
        const quoteEnds = q && (last || !/^(&gt;|>)/.test(lines[j + 1]));
        if (!last && !quoteEnds) target.append(el("br"));  // a blockquote already ends its line
      });
    });
    return root;
  }

  function plain(text) {
    return document.createTextNode(withEmoji(String(text || "")));
  }

  // Canvas Markdown (CommonMark subset): headings, lists, tables, quotes, rules, paragraphs.
  // A backslash escape (`\|`, `\*`) comes first: at the same place, it wins over emphasis.
  const MD_INLINE = /\\([!-\/:-@[-`{-~])|`([^`\n]+)`|\*\*(.+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|(^|[^\w*])\*(?!\s)([^*\n]+?)\*(?![\w*])|(^|[^\w_])_(?!\s)([^_\n]+?)_(?![\w_])|<(https?:[^>\s]+)>|(<!?[@#][A-Z0-9]+>)/g;

  function mdInline(text, parent, ctx) {
    let last = 0;
    const re = new RegExp(MD_INLINE.source, "g");
    let m;
    while ((m = re.exec(text)) !== null) {
      const before = m[6] ?? m[8] ?? "";
      parent.append(document.createTextNode(withEmoji(text.slice(last, m.index) + before)));
      if (m[1] !== undefined) parent.append(document.createTextNode(m[1]));
      else if (m[2] !== undefined) parent.append(el("code", null, m[2]));
      else if (m[3] !== undefined) { const b = el("strong"); mdInline(m[3], b, ctx); parent.append(b); }
      else if (m[4] !== undefined) parent.append(link(m[5], m[4], ctx));
      else if (m[7] !== undefined || m[9] !== undefined) {
        const i = el("em"); mdInline(m[7] ?? m[9], i, ctx); parent.append(i);
      } else if (m[10] !== undefined) parent.append(link(m[10], m[10], ctx));
      else parent.append(angle(m[11].slice(1, -1), ctx));
      last = re.lastIndex;
    }
    parent.append(document.createTextNode(withEmoji(text.slice(last))));
  }

  function cells(line) {
    // An escaped pipe (`\|`) is text inside a cell, not a column border.
    return line.trim().replace(/^\|/, "").replace(/(?<!\\)\|$/, "").split(/(?<!\\)\|/).map((c) => c.trim());
  }

  function markdown(text, ctx) {
    const root = el("div", "markdown");
    const lines = String(text || "").replace(/\r/g, "").split("\n");
    let i = 0;
    let para = [];
    const flush = () => {
      if (!para.length) return;
      const p = el("p");
      para.forEach((line, k) => { if (k) p.append(el("br")); mdInline(line, p, ctx); });
      root.append(p);
      para = [];
    };
    while (i < lines.length) {
      const line = lines[i];
      let m;
      if (!line.trim()) { flush(); i++; continue; }
      if (line.startsWith("```")) {
        flush();
        const code = [];
        i++;
        while (i < lines.length && !lines[i].startsWith("```")) code.push(lines[i++]);
        root.append(el("pre", null, code.join("\n")));
        i++;
        continue;
      }
      if ((m = /^(#{1,6})\s+(.*)$/.exec(line))) {
        flush();
        const h = el(`h${Math.min(m[1].length + 2, 6)}`);
        mdInline(m[2], h, ctx);
        root.append(h);
        i++;
        continue;
      }
      if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) { flush(); root.append(el("hr")); i++; continue; }
      if (line.trim().startsWith("|") && i + 1 < lines.length && /^\s*\|?\s*:?-{2,}/.test(lines[i + 1])) {
        flush();
        const table = el("table");
        const head = el("thead");
        const tr = el("tr");
        cells(line).forEach((c) => { const th = el("th"); mdInline(c, th, ctx); tr.append(th); });
        head.append(tr);
        table.append(head);
        const body = el("tbody");
        i += 2;
        while (i < lines.length && lines[i].trim().startsWith("|")) {
          const row = el("tr");
          cells(lines[i]).forEach((c) => { const td = el("td"); mdInline(c, td, ctx); row.append(td); });
          body.append(row);
          i++;
        }
        table.append(body);
        root.append(table);
        continue;
      }
      if (/^\s*([*+-]|\d+[.)])\s+/.test(line)) {
        flush();
        const ordered = /^\s*\d/.test(line);
        const list = el(ordered ? "ol" : "ul");
        while (i < lines.length && /^\s*([*+-]|\d+[.)])\s+/.test(lines[i])) {
          const li = el("li");
          mdInline(lines[i].replace(/^\s*([*+-]|\d+[.)])\s+/, ""), li, ctx);
          list.append(li);
          i++;
        }
        root.append(list);
        continue;
      }
      if ((m = /^>\s?(.*)$/.exec(line))) {
        flush();
        const q = el("blockquote");
        mdInline(m[1], q, ctx);
        root.append(q);
        i++;
        continue;
      }
      para.push(line);
      i++;
    }
    flush();
    return root;
  }

  return { mrkdwn, markdown, plain, emoji, el };
})();
