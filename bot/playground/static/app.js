// The playground page: polls the workspace's state once a second and lets you act in it as one of
// the sample people. Every action goes to the emulator, which sends the bot what Slack would send.
"use strict";

(() => {
  const { el, mrkdwn, markdown, plain, emoji } = CelluleText;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 1000;
  const TIMELINE_EMOJI = "pushpin";
  const ALERT_EMOJI = "rotating_light";
  // One-click reactions the bot acts on: [emoji, what it means, tooltip].
  const QUICK_REACTIONS = [
    [TIMELINE_EMOJI, "timeline", "Add to the incident timeline"],
    [ALERT_EMOJI, "alert", "Mark as the alert: when we were alerted (time to detect)"],
  ];

  const ui = {
    person: localStorage.getItem("cellule.person") || "",
    channel: "",
    panel: null, // {kind: "thread" | "pins" | "canvas", ts?}
    state: null,
    lastText: "",
    viewKey: "",
    focusTs: "",
    busy: false,
  };

  // -- talking to the server ----------------------------------------------------------------
  async function act(action, body) {
    ui.busy = true;
    setStatus("Sending…");
    try {
      const response = await fetch(`/playground/do/${action}`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user: ui.person, ...body }),
      });
      const answer = await response.json();
      if (!response.ok || !answer.ok) throw new Error(answer.error || `HTTP ${response.status}`);
      return answer;
    } finally {
      ui.busy = false;
      setStatus("");
      await poll(true);
    }
  }

  async function poll(once) {
    try {
      const response = await fetch(`/playground/state?user=${encodeURIComponent(ui.person)}`, { cache: "no-store" });
      const text = await response.text();
      if (text !== ui.lastText) {
        ui.lastText = text;
        ui.state = JSON.parse(text);
        render();
      }
    } catch (e) {
      setStatus("The playground server does not answer; is it still running?");
    }
    if (!once) setTimeout(() => poll(false), POLL_MS);
  }

  function setStatus(text) {
    const s = ui.state;
    if (!text && s && s.replaying) text = "Replaying the example incident TSR-2641 through the bot…";
    if (!text && s && s.replay_error) text = `The example incident could not be replayed: ${s.replay_error}`;
    $("status").textContent = text;
    document.body.dataset.ready = s && s.ready ? "true" : "false";
  }

  // -- context for rendering text -----------------------------------------------------------
  function context() {
    const s = ui.state;
    const channels = {};
    s.channels.forEach((c) => { channels[c.id] = c.is_im ? `@${s.users[c.members.find((m) => m !== s.bot.id)] || c.id}` : c.name; });
    const people = {};
    s.people.forEach((p) => { people[p.id] = p.real_name; });
    const users = { ...s.users, [s.bot.id]: "Cellule" };
    return { users, channels, usergroups: s.usergroups, people };
  }

  function current() {
    return ui.state.channels.find((c) => c.id === ui.channel);
  }

  function clock(ts) {
    // In the bot's zone (INCIDENT_TIMEZONE), as the bot writes times, not the browser's.
    const d = new Date(parseFloat(ts) * 1000);
    return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", hourCycle: "h23",
                                      timeZone: (ui.state && ui.state.timezone) || undefined });
  }

  // -- rendering ------------------------------------------------------------------------------
  function render() {
    const s = ui.state;
    if (!s.people.some((p) => p.id === ui.person)) ui.person = s.people[0].id;
    if (!s.channels.some((c) => c.id === ui.channel)) ui.channel = s.example || s.channels[0].id;
    setStatus("");
    renderViolations();
    renderPeople();
    const ctx = context();
    renderChannels(ctx);
    renderHeader(ctx);
    renderMessages(ctx);
    renderEphemerals(ctx);
    renderPanel(ctx);
    renderModal(ctx);
  }

  function renderViolations() {
    const v = ui.state.violations || [];
    $("violations").hidden = !v.length;
    $("violations-summary").textContent = `Slack would have refused ${v.length} call${v.length === 1 ? "" : "s"} from the bot`;
    $("violations-list").replaceChildren(...v.map((text) => el("li", null, text)));
  }

  function renderPeople() {
    const select = $("person");
    if (select.options.length) { select.value = ui.person; return; }
    ui.state.people.forEach((p) => {
      const role = p.crisis_unit ? "crisis unit" : "stakeholder";
      select.append(new Option(`${p.real_name} (${p.locale}, ${role})`, p.id));
    });
    select.value = ui.person;
  }

  function renderChannels(ctx) {
    const list = $("channels");
    list.replaceChildren();
    ui.state.channels.forEach((c) => {
      const li = el("li");
      const b = el("button", "channel-link");
      b.type = "button";
      b.dataset.channel = c.id;
      b.title = c.name;
      b.textContent = c.is_im ? `${ctx.channels[c.id]} (DM)` : `${c.is_private ? "🔒 " : "#"}${c.name}`;
      if (c.id === ui.channel) b.setAttribute("aria-current", "page");
      if (!c.is_member) b.classList.add("not-member");
      b.addEventListener("click", () => selectChannel(c.id));
      li.append(b);
      list.append(li);
    });
  }

  function renderHeader(ctx) {
    const c = current();
    $("channel-name").textContent = c.is_im ? ctx.channels[c.id] : `${c.is_private ? "🔒 " : "#"}${c.name}`;
    const topic = $("channel-topic");
    topic.replaceChildren();
    if (c.topic) topic.append(mrkdwn(c.topic, ctx));
    const marks = $("bookmarks");
    marks.replaceChildren();
    c.bookmarks.forEach((b) => {
      const li = el("li");
      li.append(mrkdwn(`🔖 <${b.link}|${b.title}>`, ctx));
      marks.append(li);
    });
    $("show-pins").textContent = `📌 Pins (${c.pins.length})`;
    $("show-canvas").hidden = !c.canvas;
    $("composer-label").textContent = c.is_member
      ? `Message ${ctx.channels[c.id].startsWith("@") ? "" : "#"}${ctx.channels[c.id]} as ${ctx.people[ui.person]}`
      : `${ctx.people[ui.person]} is not a member of #${c.name}`;
    $("composer-text").disabled = !c.is_member;
    $("send").disabled = !c.is_member;
  }

  function author(m, ctx) {
    if (m.bot_id) return "Cellule";
    return ctx.users[m.user] || m.user || "Slack";
  }

  // One message: author, time, Block Kit or text, files, reactions, and what you can do with it.
  function message(m, ctx, channel, opts = {}) {
    const article = el("article", "message");
    article.dataset.ts = m.ts;
    article.id = `m-${m.ts}`;
    if (m.subtype && m.subtype !== "thread_broadcast" && m.subtype !== "bot_message") article.classList.add("system");
    if (m.ts === ui.focusTs) article.classList.add("focused");
    const meta = el("div", "meta");
    meta.append(el("span", "author", author(m, ctx)));
    if (m.bot_id) meta.append(el("span", "app-tag", "APP"));
    const time = el("time", "time", clock(m.ts));
    time.dateTime = new Date(parseFloat(m.ts) * 1000).toISOString();
    meta.append(time);
    if (channel.pins.includes(m.ts)) meta.append(el("span", "pinned", "📌 pinned"));
    if (m.subtype === "thread_broadcast") meta.append(el("span", "broadcast", "replied to a thread, also sent to the channel"));
    if (m.edited) meta.append(el("span", "edited", "(edited)"));
    article.append(meta);
    const body = el("div", "body");
    const onAction = (element, blockId, value) => click(channel.id, m.ts, element, value);
    if (m.blocks && m.blocks.length) body.append(CelluleBlocks.render(m.blocks, ctx, onAction));
    else if (m.text) body.append(mrkdwn(m.text, ctx));
    article.append(body);
    (m.files || []).forEach((f) => {
      const box = el("div", "file");
      box.append(el("span", "file-icon", "📄"));
      const a = el("a", "file-link", f.name);
      a.href = f.url;
      a.setAttribute("download", f.name);
      box.append(a, el("span", "file-size", `${f.title !== f.name ? `${f.title} · ` : ""}${(f.size / 1024).toFixed(1)} kB`));
      article.append(box);
    });
    if (!article.classList.contains("system")) article.append(reactions(m, channel, ctx));
    if (!opts.inThread && m.reply_count) {
      const b = el("button", "replies", `💬 ${m.reply_count} ${m.reply_count === 1 ? "reply" : "replies"}`);
      b.type = "button";
      b.addEventListener("click", () => openPanel({ kind: "thread", ts: m.ts }));
      article.append(b);
    }
    return article;
  }

  function reactions(m, channel, ctx) {
    const row = el("div", "reactions");
    (m.reactions || []).forEach((r) => {
      const mine = r.users.includes(ui.person);
      const b = el("button", "reaction", `${emoji(r.name)} ${r.count}`);
      b.type = "button";
      b.setAttribute("aria-pressed", mine ? "true" : "false");
      b.title = `:${r.name}: by ${r.users.map((u) => ctx.users[u] || u).join(", ")}`;
      b.setAttribute("aria-label", `${mine ? "Remove" : "Add"} :${r.name}: (${r.count})`);
      b.addEventListener("click", () => react(channel.id, m.ts, r.name));
      row.append(b);
    });
    QUICK_REACTIONS.forEach(([name, meaning, title]) => {
      const already = (m.reactions || []).some((r) => r.name === name && r.users.includes(ui.person));
      if (already || !channel.is_member) return;
      const add = el("button", "add-reaction", `${emoji(name)} +`);
      add.type = "button";
      add.title = title;
      add.setAttribute("aria-label", `Add :${name}: reaction (${meaning})`);
      add.addEventListener("click", () => react(channel.id, m.ts, name));
      row.append(add);
    });
    if (channel.is_member && !m.subtype) {
      const reply = el("button", "reply-button", "Reply");
      reply.type = "button";
      reply.setAttribute("aria-label", "Reply in thread");
      reply.addEventListener("click", () => openPanel({ kind: "thread", ts: m.thread_ts || m.ts }));
      row.append(reply);
    }
    return row;
  }

  function nearBottom(node) {
    return node.scrollHeight - node.scrollTop - node.clientHeight < 80;
  }

  function renderMessages(ctx) {
    const c = current();
    const box = $("messages");
    const stick = nearBottom(box) || box.dataset.channel !== c.id;
    const top = box.scrollTop;
    box.replaceChildren();
    if (!c.messages.length) box.append(el("p", "empty", "No messages yet."));
    c.messages.forEach((m) => box.append(message(m, ctx, c)));
    if (ui.focusTs && box.dataset.channel !== c.id) {
      const target = document.getElementById(`m-${ui.focusTs}`);
      if (target) { target.scrollIntoView({ block: "center" }); box.dataset.channel = c.id; return; }
    }
    box.dataset.channel = c.id;
    box.scrollTop = stick ? box.scrollHeight : top;
  }

  function renderEphemerals(ctx) {
    const box = $("ephemerals");
    box.replaceChildren();
    ui.state.ephemerals.filter((e) => e.channel === ui.channel).forEach((e) => {
      const item = el("div", "ephemeral");
      item.dataset.ts = e.ts;
      const meta = el("div", "meta");
      meta.append(el("span", "author", "Cellule"), el("span", "app-tag", "APP"),
        el("span", "only-you", "Only visible to you"), el("time", "time", clock(e.ts)));
      const dismiss = el("button", "dismiss", "Dismiss");
      dismiss.type = "button";
      dismiss.addEventListener("click", () => act("dismiss", { ts: e.ts }).catch(showError));
      meta.append(dismiss);
      item.append(meta);
      const onAction = (element, blockId, value) => act("click", {
        ephemeral_ts: e.ts, action_id: element.action_id, value,
      }).catch(showError);
      item.append(e.blocks && e.blocks.length ? CelluleBlocks.render(e.blocks, ctx, onAction) : mrkdwn(e.text, ctx));
      box.append(item);
    });
  }

  function openPanel(panel) {
    const box = $("messages");
    const stick = nearBottom(box);
    ui.panel = panel;
    renderPanel(context());
    if (stick) box.scrollTop = box.scrollHeight; // the panel narrows the messages: keep the latest in view
    $("panel-close").focus();
  }

  function renderPanel(ctx) {
    const aside = $("panel");
    const body = $("panel-body");
    const c = current();
    const p = ui.panel;
    $("thread-composer").hidden = true;
    if (!p || (p.kind === "canvas" && !c.canvas)) { aside.hidden = true; return; }
    aside.hidden = false;
    body.replaceChildren();
    if (p.kind === "home") {
      $("panel-title").textContent = "Cellule · Home";
      const home = ui.state.home;
      if (!home) { body.append(el("p", "empty", "Opening the Home tab…")); return; }
      const onAction = (element, blockId, value) => act("click", {
        home: true, action_id: element.action_id, value,
      }).catch(showError);
      body.append(CelluleBlocks.render(home.blocks, ctx, onAction));
    } else if (p.kind === "canvas") {
      $("panel-title").textContent = `Canvas · ${c.canvas.title || c.name}`;
      const doc = markdown(c.canvas.markdown, ctx);
      doc.classList.add("canvas");
      body.append(doc);
    } else if (p.kind === "pins") {
      $("panel-title").textContent = `Pinned in #${c.name}`;
      const pinned = c.pins.map((ts) => findMessage(c, ts)).filter(Boolean);
      if (!pinned.length) body.append(el("p", "empty", "Nothing is pinned."));
      pinned.forEach((m) => body.append(message(m, ctx, c, { inThread: true })));
    } else {
      const parent = c.messages.find((m) => m.ts === p.ts);
      if (!parent) { aside.hidden = true; return; }
      $("panel-title").textContent = "Thread";
      body.append(message(parent, ctx, c, { inThread: true }));
      const replies = parent.replies || [];
      body.append(el("p", "reply-count", `${replies.length} ${replies.length === 1 ? "reply" : "replies"}`));
      replies.forEach((r) => body.append(message(r, ctx, c, { inThread: true })));
      $("thread-composer").hidden = !c.is_member;
    }
  }

  function findMessage(c, ts) {
    for (const m of c.messages) {
      if (m.ts === ts) return m;
      const r = (m.replies || []).find((x) => x.ts === ts);
      if (r) return r;
    }
    return null;
  }

  // -- the modal (a form the bot opened for this person) -----------------------------------------
  function renderModal(ctx) {
    const views = ui.state.views;
    const view = views[views.length - 1];
    const backdrop = $("modal-backdrop");
    if (!view) { backdrop.hidden = true; ui.viewKey = ""; return; }
    const key = `${view.id}:${view.hash}`;
    if (key === ui.viewKey && !backdrop.hidden) return; // keep what the person is typing
    ui.viewKey = key;
    const box = $("modal");
    box.replaceChildren();
    const title = el("h2", null, view.title ? view.title.text : "");
    title.id = "modal-title";
    box.append(title);
    const onAction = (element, blockId, value) => act("click", { view_id: view.id, action_id: element.action_id, value }).catch(showError);
    const { form, inputs } = CelluleBlocks.modal(view, ctx, onAction);
    const general = el("p", "error modal-error");
    general.setAttribute("role", "alert");
    const buttons = el("div", "modal-buttons");
    const close = el("button", "secondary", view.close ? view.close.text : "Close");
    close.type = "button";
    close.addEventListener("click", () => act("close", { view_id: view.id }).catch(showError));
    buttons.append(close);
    if (view.submit) {
      const submit = el("button", "primary", view.submit.text);
      submit.type = "submit";
      buttons.append(submit);
    }
    form.append(general, buttons);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      submitView(view, inputs, general);
    });
    box.append(form);
    backdrop.hidden = false;
    const first = form.querySelector("input, textarea, select");
    if (first) first.focus();
  }

  async function submitView(view, inputs, general) {
    general.textContent = "";
    inputs.forEach((f) => f.showError(""));
    // Slack's client does not send a form with a required field left empty.
    const missing = inputs.filter((f) => f.missing());
    if (missing.length) {
      missing.forEach((f) => f.showError("Please fill out this field."));
      return;
    }
    const values = {};
    inputs.forEach((f) => f.collect(values));
    try {
      const answer = await act("submit", { view_id: view.id, values });
      const response = answer.response || {};
      if (response.response_action === "errors") {
        Object.entries(response.errors || {}).forEach(([blockId, text]) => {
          const field = inputs.find((f) => f.blockId === blockId);
          if (field) field.showError(text); else general.textContent = text;
        });
      }
    } catch (e) {
      general.textContent = e.message;
    }
  }

  // -- actions ----------------------------------------------------------------------------------
  function showError(e) {
    $("composer-error").textContent = e.message || String(e);
  }

  function click(channel, ts, element, value) {
    $("composer-error").textContent = "";
    act("click", { channel, ts, action_id: element.action_id, value }).catch(showError);
  }

  function react(channel, ts, name) {
    $("composer-error").textContent = "";
    act("react", { channel, ts, name }).catch(showError);
  }

  function selectChannel(id, focusTs) {
    ui.channel = id;
    ui.focusTs = focusTs || "";
    if (ui.panel && ui.panel.kind !== "canvas" && ui.panel.kind !== "pins") ui.panel = null;
    $("composer-error").textContent = "";
    const box = $("messages");
    box.dataset.channel = "";
    if (ui.state) render();
  }

  async function send(textarea, error, extra) {
    const text = textarea.value.trim();
    if (!text || ui.busy) return;
    error.textContent = "";
    try {
      await act("send", { channel: ui.channel, text, ...extra });
      textarea.value = "";
    } catch (e) {
      error.textContent = e.message;
    }
  }

  function wire() {
    $("person").addEventListener("change", (e) => {
      ui.person = e.target.value;
      localStorage.setItem("cellule.person", ui.person);
      ui.viewKey = "";
      poll(true);
    });
    $("composer").addEventListener("submit", (e) => { e.preventDefault(); send($("composer-text"), $("composer-error"), {}); });
    $("thread-composer").addEventListener("submit", (e) => {
      e.preventDefault();
      send($("thread-text"), $("thread-error"), { thread_ts: ui.panel && ui.panel.ts });
    });
    for (const [area, form] of [["composer-text", "composer"], ["thread-text", "thread-composer"]]) {
      $(area).addEventListener("keydown", (e) => {
        if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $(form).requestSubmit(); }
      });
    }
    $("show-pins").addEventListener("click", () => openPanel({ kind: "pins" }));
    $("show-canvas").addEventListener("click", () => openPanel({ kind: "canvas" }));
    // Opening the Home tab sends app_home_opened: the bot publishes it for this person.
    $("show-home").addEventListener("click", () => {
      openPanel({ kind: "home" });
      act("home", {}).catch(showError);
    });
    $("panel-close").addEventListener("click", () => { ui.panel = null; renderPanel(context()); });
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && !$("modal-backdrop").hidden && ui.state.views.length) {
        act("close", { view_id: ui.state.views[ui.state.views.length - 1].id }).catch(showError);
      }
    });
    window.addEventListener("hashchange", followHash);
  }

  function followHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const channel = params.get("channel");
    if (channel) selectChannel(channel, params.get("ts"));
  }

  wire();
  followHash();
  poll(false);
})();
