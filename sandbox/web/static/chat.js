/* Community Hotline sandbox: chat page.
 *
 * Plain JS, no build step. Talks only to the sandbox's control API.
 * Honesty rule: a message's body is the sandbox's server-rendered `sandbox.html`
 * (inserted by setTrustedHtml, the only innerHTML in this file); everything else,
 * including whatever a person types and every name, goes in through textContent.
 */
"use strict";

(() => {
  const L = JSON.parse(document.getElementById("labels").textContent);
  const $ = (id) => document.getElementById(id);
  const API = "/sandbox/api";
  const POLL_TIMEOUT_S = 25;
  const ACTION_SHOW_MS = 5000;
  const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
  const SAFE_URL = /^(https?:|tg:|mailto:)/i;

  const S = {
    bot: null,
    users: [],
    chats: [],
    config: {},
    lastSeq: 0,
    userId: null,
    chatId: null,
    threadId: null, // null = the whole chat, or a forum's General topic
    messages: [],
    loading: false,
    unread: new Map(), // "chat" or "chat:thread" -> count
    replyTo: null,
    editing: null,
    attachment: null,
    actionTimer: null,
    action: null,
    loadToken: 0,
    stickToBottom: true,
    pendingCallbacks: new Map(), // callback_query_id -> shown?
    forcedReplies: [], // bot messages whose force_reply already set the reply target
    markupPlaceholder: null, // input_field_placeholder of the bot's reply keyboard
  };

  // ---------------------------------------------------------------- helpers

  function h(tag, props, ...children) {
    const node = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === "class") node.className = value;
        else if (key === "text") node.textContent = value;
        else if (key === "dataset") Object.assign(node.dataset, value);
        else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
        else node.setAttribute(key, value === true ? "" : String(value));
      }
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** The one place that inserts HTML: the sandbox's own rendering of what the bot sent. */
  function setTrustedHtml(node, html) {
    node.innerHTML = html;
    for (const a of node.querySelectorAll("a[href]")) {
      if (SAFE_URL.test(a.getAttribute("href"))) {
        a.target = "_blank";
        a.rel = "noopener noreferrer";
      } else {
        a.removeAttribute("href");
      }
    }
  }

  async function api(method, path, body) {
    const opts = { method, headers: { Accept: "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    const resp = await fetch(API + path, opts);
    let data = null;
    try {
      data = await resp.json();
    } catch {
      data = null;
    }
    if (!resp.ok) {
      const err = new Error((data && data.error) || `${resp.status} ${resp.statusText}`);
      err.status = resp.status;
      throw err;
    }
    return data;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function fullName(u) {
    if (!u) return "?";
    if (u.title) return u.title;
    return [u.first_name, u.last_name].filter(Boolean).join(" ") || u.username || String(u.id);
  }

  function initials(name) {
    const letter = /[\p{L}\p{N}]/u;
    const firstLetter = (word) => Array.from(word).find((ch) => letter.test(ch)) || "";
    const parts = String(name).trim().split(/\s+/).filter((w) => letter.test(w));
    if (!parts.length) return "?";
    const second = parts.length > 1 ? firstLetter(parts[1]) : "";
    return (firstLetter(parts[0]) + second).toUpperCase();
  }

  function avatarInto(node, name, id) {
    node.textContent = initials(name);
    node.className = node.className.replace(/\bc\d\b/g, "").trim();
    node.classList.add("c" + (Math.abs(Number(id) || 0) % 7));
  }

  function avatar(name, id, extra) {
    const node = h("span", { class: "avatar" + (extra ? " " + extra : ""), "aria-hidden": "true" });
    avatarInto(node, name, id);
    return node;
  }

  function kindLabel(persona) {
    if (!persona) return L.kind_other;
    return L["kind_" + persona] || persona;
  }

  function hhmm(unix) {
    const d = new Date(unix * 1000);
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  function dayLabel(unix) {
    const d = new Date(unix * 1000);
    const today = new Date();
    if (d.toDateString() === today.toDateString()) return L.today;
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" +
      String(d.getDate()).padStart(2, "0");
  }

  function humanSize(bytes) {
    if (!bytes && bytes !== 0) return "";
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function toast(text, kind) {
    const node = h("div", { class: "toast" + (kind ? " " + kind : ""), role: "status", text });
    $("toasts").append(node);
    setTimeout(() => node.classList.add("leaving"), 2600);
    setTimeout(() => node.remove(), 3000);
  }

  function alertBox(text) {
    $("alert-text").textContent = text;
    const dlg = $("alert-dialog");
    if (!dlg.open) dlg.showModal();
  }

  function showError(err) {
    toast(L.error + ": " + (err && err.message ? err.message : String(err)), "error");
  }

  // ---------------------------------------------------------------- state

  const currentUser = () => S.users.find((u) => u.id === S.userId) || null;
  const personaUsers = () => S.users.filter((u) => !S.bot || u.id !== S.bot.id);

  function chatsFor(userId) {
    if (userId === null) return [];
    const me = S.users.find((u) => u.id === userId);
    const list = [{
      id: userId,
      type: "private",
      title: S.bot ? fullName(S.bot) : L.bot,
      private: true,
      blocked: !!(me && me.blocked),
    }];
    for (const chat of S.chats) {
      if (chat.type === "private") continue;
      const members = chat.members || [];
      if (members.includes(userId)) list.push(chat);
    }
    return list;
  }

  const currentChat = () => chatsFor(S.userId).find((c) => c.id === S.chatId) || null;
  const isForum = (chat) => !!(chat && chat.is_forum);

  function topicsOf(chat) {
    return (chat && chat.topics) || [];
  }

  function threadKey(chatId, threadId) {
    return threadId === null || threadId === undefined ? String(chatId) : chatId + ":" + threadId;
  }

  /** Which forum tab a message belongs to: a topic's thread id, or null for General. */
  function tabOf(msg, chat) {
    if (!isForum(chat)) return null;
    const ids = new Set(topicsOf(chat).map((t) => t.message_thread_id));
    const tid = msg.message_thread_id;
    return tid !== undefined && tid !== null && ids.has(tid) ? tid : null;
  }

  async function loadState() {
    const st = await api("GET", "/state");
    S.bot = st.bot || null;
    S.users = st.users || [];
    S.chats = st.chats || [];
    S.config = st.config || {};
    if (typeof st.last_seq === "number" && S.lastSeq === 0) S.lastSeq = st.last_seq;
    return st;
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const num = (k) => (params.has(k) && params.get(k) !== "" ? Number(params.get(k)) : null);
    return { user: num("user"), chat: num("chat"), thread: num("thread") };
  }

  function writeHash() {
    const params = new URLSearchParams();
    if (S.userId !== null) params.set("user", S.userId);
    if (S.chatId !== null) params.set("chat", S.chatId);
    if (S.threadId !== null) params.set("thread", S.threadId);
    const next = "#" + params.toString();
    if (location.hash !== next) history.replaceState(null, "", next);
  }

  // ---------------------------------------------------------------- persona + chat list

  function renderPersonas() {
    const select = $("persona-select");
    select.textContent = "";
    const users = personaUsers();
    const order = ["resident", "social_worker", "expert", "staff"];
    const groups = new Map();
    for (const u of users) {
      const key = u.persona || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(u);
    }
    const keys = [...groups.keys()].sort((a, b) => {
      const ia = order.indexOf(a) < 0 ? 99 : order.indexOf(a);
      const ib = order.indexOf(b) < 0 ? 99 : order.indexOf(b);
      return ia - ib || a.localeCompare(b);
    });
    if (!users.length) select.append(h("option", { value: "", text: L.no_users }));
    for (const key of keys) {
      const group = h("optgroup", { label: kindLabel(key) });
      for (const u of groups.get(key)) {
        const label = fullName(u) + (u.username ? " @" + u.username : "") +
          " · " + kindLabel(u.persona) + (u.blocked ? " ⛔" : "");
        group.append(h("option", { value: u.id, text: label, selected: u.id === S.userId }));
      }
      select.append(group);
    }
    const me = currentUser();
    const av = $("persona-avatar");
    if (me) {
      avatarInto(av, fullName(me), me.id);
      av.hidden = false;
    } else {
      av.hidden = true;
    }
  }

  function unreadFor(chat) {
    let n = 0;
    for (const [key, count] of S.unread) {
      if (key === String(chat.id) || key.startsWith(chat.id + ":")) n += count;
    }
    return n;
  }

  function renderChatList() {
    const list = $("chat-list");
    list.textContent = "";
    const chats = chatsFor(S.userId);
    $("sidebar-empty").hidden = S.userId !== null;
    for (const chat of chats) {
      const name = chat.private ? chat.title : fullName(chat);
      const sub = chat.private
        ? (S.bot && S.bot.username ? "@" + S.bot.username + " · " : "") + L.private_chat
        : (isForum(chat) ? topicsOf(chat).length + " " + L.topics + " · " : "") +
          (chat.members || []).length + " " + L.members;
      const n = unreadFor(chat);
      const btn = h("button", {
        type: "button",
        class: "chat-item" + (chat.id === S.chatId ? " active" : ""),
        dataset: { chatId: chat.id },
        onclick: () => openChat(chat.id, null),
      },
      avatar(name, chat.private && S.bot ? S.bot.id : chat.id),
      h("span", { class: "chat-item-body" },
        h("span", { class: "chat-item-title", text: name }),
        h("span", { class: "chat-item-sub", text: sub })),
      chat.blocked ? h("span", { class: "badge muted", text: "⛔" }) : null,
      n ? h("span", { class: "badge", text: n }) : null);
      list.append(h("li", null, btn));
    }
  }

  function selectPersona(userId, chatId, threadId) {
    S.userId = userId;
    resetComposer();
    renderPersonas();
    const chats = chatsFor(userId);
    const target = chats.find((c) => c.id === chatId) || chats[0] || null;
    if (target) {
      openChat(target.id, target.id === chatId ? threadId : null, { keepList: true });
    } else {
      S.chatId = null;
      renderChatList();
      renderChat();
    }
  }

  // ---------------------------------------------------------------- chat view

  function openChat(chatId, threadId, opts) {
    const switching = chatId !== S.chatId || threadId !== S.threadId;
    S.chatId = chatId;
    S.threadId = threadId === undefined ? null : threadId;
    if (switching) {
      resetComposer();
      S.messages = [];
      S.loading = true;
      S.stickToBottom = true;
      S.action = null;
    }
    S.unread.delete(threadKey(chatId, S.threadId));
    if (!isForum(currentChat())) {
      for (const key of [...S.unread.keys()]) {
        if (key.startsWith(chatId + ":")) S.unread.delete(key);
      }
    }
    document.body.classList.toggle("has-chat", true);
    document.body.classList.toggle("no-chat", false);
    writeHash();
    renderChatList();
    renderChat();
    if (!opts || !opts.keepList || switching) refreshMessages();
    if (!matchMedia("(max-width: 720px)").matches) $("composer-input").focus();
  }

  function renderChat() {
    const chat = currentChat();
    const has = !!chat;
    $("chat-empty").hidden = has;
    $("chat-header").hidden = !has;
    $("messages").hidden = !has;
    if (!has) {
      $("messages-inner").textContent = "";
      $("topic-tabs").hidden = true;
      $("composer").hidden = true;
      $("blocked-bar").hidden = true;
      $("reply-keyboard").hidden = true;
      document.body.classList.add("no-chat");
      document.body.classList.remove("has-chat");
      return;
    }
    const name = chat.private ? chat.title : fullName(chat);
    $("chat-title").textContent = name;
    avatarInto($("chat-avatar"), name, chat.private && S.bot ? S.bot.id : chat.id);
    renderStatus();

    const block = $("block-btn");
    block.hidden = !chat.private;
    block.textContent = chat.blocked ? L.unblock : L.block;
    block.classList.toggle("danger", !chat.blocked);
    $("blocked-bar").hidden = !(chat.private && chat.blocked);
    $("composer").hidden = !!(chat.private && chat.blocked);

    renderTabs(chat);
    renderMessages();
  }

  function renderStatus() {
    const chat = currentChat();
    if (!chat) return;
    const status = $("chat-status");
    status.classList.toggle("active", !!S.action);
    if (S.action) {
      status.textContent = S.action === "typing" ? L.typing : L.chat_action + " (" + S.action + ")";
    } else if (chat.private) {
      status.textContent = L.bot + (S.bot && S.bot.username ? " · @" + S.bot.username : "");
    } else {
      status.textContent = (chat.members || []).length + " " + L.members;
    }
  }

  function renderTabs(chat) {
    const nav = $("topic-tabs");
    nav.textContent = "";
    if (!isForum(chat)) {
      nav.hidden = true;
      return;
    }
    nav.hidden = false;
    const tabs = [{ id: null, name: L.general_topic, closed: false }].concat(
      topicsOf(chat).map((t) => ({ id: t.message_thread_id, name: t.name, closed: t.is_closed })),
    );
    for (const tab of tabs) {
      const n = S.unread.get(threadKey(chat.id, tab.id)) || 0;
      nav.append(h("button", {
        type: "button",
        role: "tab",
        class: "topic-tab" + (tab.id === S.threadId ? " active" : "") + (tab.closed ? " closed" : ""),
        "aria-selected": tab.id === S.threadId ? "true" : "false",
        title: tab.closed ? L.topic_closed : null,
        dataset: { threadId: tab.id === null ? "" : tab.id },
        onclick: () => openChat(chat.id, tab.id),
      },
      h("span", { class: "topic-hash", text: "#" }),
      h("span", { text: tab.name }),
      tab.closed ? h("span", { class: "topic-lock", text: "🔒" }) : null,
      n ? h("span", { class: "badge", text: n }) : null));
    }
    const active = nav.querySelector(".topic-tab.active");
    if (active) active.scrollIntoView({ block: "nearest", inline: "nearest" });
  }

  async function refreshMessages() {
    const chat = currentChat();
    if (!chat) return;
    const token = ++S.loadToken;
    let data;
    if (chat.private && !S.chats.some((c) => c.id === chat.id)) {
      // The sandbox makes a private chat on its first message; until then it is empty.
      S.loading = false;
      S.messages = [];
      renderMessages();
      renderReplyKeyboard();
      return;
    }
    try {
      data = await api("GET", "/chats/" + encodeURIComponent(chat.id) + "/messages");
    } catch (err) {
      if (err.status === 404) data = { messages: [] };
      else {
        showError(err);
        return;
      }
    }
    if (token !== S.loadToken) return; // a newer load (or another chat) won
    S.loading = false;
    S.messages = (data && data.messages) || [];
    renderMessages();
    renderReplyKeyboard();
  }

  function visibleMessages() {
    const chat = currentChat();
    if (!chat) return [];
    if (!isForum(chat)) return S.messages;
    return S.messages.filter((m) => tabOf(m, chat) === S.threadId);
  }

  function isOwn(msg) {
    return !!(msg.from && msg.from.id === S.userId);
  }

  function lastOwnEditable() {
    const msgs = visibleMessages();
    for (let i = msgs.length - 1; i >= 0; i--) {
      if (isOwn(msgs[i])) return typeof msgs[i].text === "string" ? msgs[i] : null;
    }
    return null;
  }

  function renderMessages() {
    const box = $("messages");
    const inner = $("messages-inner");
    const nearBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
    const stick = S.stickToBottom || nearBottom;
    const oldTop = box.scrollTop;
    inner.textContent = "";
    const chat = currentChat();
    if (!chat) return;
    const msgs = visibleMessages();
    if (!msgs.length) {
      inner.append(h("div", { class: "service-line empty" },
        h("span", { text: S.loading ? L.loading : L.no_messages })));
    }
    const editable = lastOwnEditable();
    let lastDay = null;
    let prev = null;
    for (const msg of msgs) {
      const day = msg.date ? dayLabel(msg.date) : null;
      if (day && day !== lastDay) {
        inner.append(h("div", { class: "day-sep" }, h("span", { text: day })));
        lastDay = day;
        prev = null;
      }
      const node = renderMessage(msg, chat, prev, editable && editable.message_id === msg.message_id);
      inner.append(node);
      prev = node.classList.contains("service-line") ? null : msg;
    }
    if (stick) {
      box.scrollTop = box.scrollHeight;
      S.stickToBottom = false;
    } else {
      box.scrollTop = oldTop;
    }
  }

  function senderOf(msg) {
    if (msg.sender_chat) return { name: fullName(msg.sender_chat), id: msg.sender_chat.id };
    if (msg.from) return { name: fullName(msg.from), id: msg.from.id };
    return { name: "?", id: 0 };
  }

  function serviceText(msg) {
    if (msg.forum_topic_created) return "# " + msg.forum_topic_created.name;
    if (msg.forum_topic_edited) return "# " + (msg.forum_topic_edited.name || "✎");
    if (msg.forum_topic_closed) return "🔒 " + L.topic_closed;
    if (msg.forum_topic_reopened) return "🔓";
    if (msg.new_chat_members) return "+ " + msg.new_chat_members.map(fullName).join(", ");
    if (msg.left_chat_member) return "− " + fullName(msg.left_chat_member);
    if (msg.new_chat_title) return "✎ " + msg.new_chat_title;
    if (msg.pinned_message) return "📌 " + snippet(msg.pinned_message);
    if (msg.group_chat_created || msg.supergroup_chat_created) return "✦ " + L.group;
    return null;
  }

  function snippet(msg) {
    if (!msg) return "";
    const text = msg.text || msg.caption || "";
    if (text) return text.length > 90 ? text.slice(0, 90) + "…" : text;
    if (msg.photo) return "🖼 " + L.photo;
    if (msg.document) return "📄 " + (msg.document.file_name || L.document);
    if (msg.voice) return "🎤 " + L.voice;
    return L.service;
  }

  function fileUrl(msg, fileId, kind) {
    const urls = (msg.sandbox && msg.sandbox.file_urls) || {};
    for (const key of [fileId, kind]) {
      const value = urls[key];
      if (typeof value === "string" && value.startsWith("/sandbox/files/")) return value;
    }
    return "/sandbox/files/" + encodeURIComponent(fileId);
  }

  function renderMedia(msg) {
    const parts = [];
    if (Array.isArray(msg.photo) && msg.photo.length) {
      const best = msg.photo[msg.photo.length - 1];
      const src = fileUrl(msg, best.file_id, "photo");
      const img = h("img", {
        class: "photo",
        src,
        alt: L.photo,
        loading: "lazy",
        width: best.width || null,
        height: best.height || null,
      });
      img.addEventListener("load", () => keepBottomAfterLoad());
      parts.push(h("a", { class: "photo-link", href: src, target: "_blank", rel: "noopener" }, img));
    }
    const doc = msg.document || msg.audio || msg.video || msg.animation;
    if (doc && doc.file_id) {
      const kind = msg.document ? "document" : msg.audio ? "audio" : msg.video ? "video" : "animation";
      const href = fileUrl(msg, doc.file_id, kind);
      const name = doc.file_name || L.document;
      parts.push(h("a", { class: "doc-link", href, download: name, title: L.download },
        h("span", { class: "doc-icon", "aria-hidden": "true", text: "📄" }),
        h("span", { class: "doc-body" },
          h("span", { class: "doc-name", text: name }),
          h("span", { class: "doc-meta", text: [doc.mime_type, humanSize(doc.file_size)].filter(Boolean).join(" · ") }))));
    }
    if (msg.voice && msg.voice.file_id) {
      parts.push(h("div", { class: "voice" },
        h("span", { "aria-hidden": "true", text: "🎤" }),
        h("audio", { controls: true, preload: "none", src: fileUrl(msg, msg.voice.file_id, "voice") })));
    }
    if (msg.sticker && msg.sticker.file_id) {
      parts.push(h("img", { class: "sticker", alt: msg.sticker.emoji || "sticker",
        src: fileUrl(msg, msg.sticker.file_id, "sticker") }));
    }
    return parts;
  }

  function keepBottomAfterLoad() {
    const box = $("messages");
    if (box.scrollHeight - box.scrollTop - box.clientHeight < 400) box.scrollTop = box.scrollHeight;
  }

  function renderQuote(msg) {
    const r = msg.reply_to_message;
    if (!r) return null;
    // Telegram makes every topic message a reply to the topic's creation; clients hide it.
    if (r.forum_topic_created && r.message_id === msg.message_thread_id) return null;
    const who = senderOf(r);
    const text = msg.quote && msg.quote.text ? msg.quote.text : snippet(r);
    return h("button", {
      type: "button",
      class: "quote c" + (Math.abs(Number(who.id) || 0) % 7),
      title: L.reply,
      onclick: () => flashMessage(r.message_id),
    },
    h("span", { class: "quote-name", text: who.id === S.userId ? L.you : who.name }),
    h("span", { class: "quote-text", text }));
  }

  function flashMessage(messageId) {
    const node = document.querySelector('.msg[data-message-id="' + Number(messageId) + '"]');
    if (!node) return;
    node.scrollIntoView({ block: "center", behavior: "smooth" });
    node.classList.remove("flash");
    void node.offsetWidth;
    node.classList.add("flash");
  }

  function renderKeyboard(msg) {
    const markup = msg.reply_markup;
    if (!markup || !Array.isArray(markup.inline_keyboard) || !markup.inline_keyboard.length) {
      return null;
    }
    const kb = h("div", { class: "inline-kb" });
    for (const row of markup.inline_keyboard) {
      const rowNode = h("div", { class: "kb-row" });
      for (const button of row) rowNode.append(renderButton(msg, button));
      kb.append(rowNode);
    }
    return kb;
  }

  function renderButton(msg, button) {
    const label = h("span", { class: "kb-label", text: button.text });
    if (typeof button.callback_data === "string") {
      return h("button", {
        type: "button",
        class: "kb-btn",
        dataset: { callback: button.callback_data },
        onclick: (ev) => pressCallback(msg, button, ev.currentTarget),
      }, label);
    }
    if (typeof button.url === "string") {
      const safe = SAFE_URL.test(button.url);
      return h("a", {
        class: "kb-btn url" + (safe ? "" : " disabled"),
        href: safe ? button.url : null,
        target: "_blank",
        rel: "noopener noreferrer",
        title: button.url,
      }, label, h("span", { class: "kb-corner", "aria-hidden": "true", text: "↗" }));
    }
    if (button.copy_text && typeof button.copy_text.text === "string") {
      return h("button", {
        type: "button",
        class: "kb-btn",
        onclick: async () => {
          try {
            await navigator.clipboard.writeText(button.copy_text.text);
            toast(L.copied);
          } catch (err) {
            showError(err);
          }
        },
      }, label, h("span", { class: "kb-corner", "aria-hidden": "true", text: "⧉" }));
    }
    return h("button", {
      type: "button",
      class: "kb-btn disabled",
      title: L.unsupported_button,
      onclick: () => toast(L.unsupported_button),
    }, label);
  }

  async function pressCallback(msg, button, node) {
    if (node.classList.contains("pending")) return;
    node.classList.add("pending");
    try {
      const res = await api("POST", "/users/" + S.userId + "/callbacks", {
        chat_id: msg.chat.id,
        message_id: msg.message_id,
        data: button.callback_data,
      });
      const answer = res && res.answer;
      if (res && res.callback_query_id) S.pendingCallbacks.set(res.callback_query_id, !!answer);
      if (answer) showAnswer(answer);
    } catch (err) {
      showError(err);
    } finally {
      node.classList.remove("pending");
    }
  }

  function showAnswer(answer) {
    if (!answer || !answer.text) return;
    if (answer.show_alert) alertBox(answer.text);
    else toast(answer.text, "answer");
  }

  function renderMessage(msg, chat, prev, editable) {
    const service = serviceText(msg);
    const html = msg.sandbox && typeof msg.sandbox.html === "string" ? msg.sandbox.html : null;
    const media = renderMedia(msg);
    if (service && !msg.text && msg.caption === undefined && !media.length) {
      const line = h("span");
      if (html && html.trim()) setTrustedHtml(line, html);
      else line.textContent = service;
      return h("div", { class: "service-line msg", dataset: { messageId: msg.message_id } }, line);
    }
    const own = isOwn(msg);
    const who = senderOf(msg);
    const grouped = !!(prev && senderOf(prev).id === who.id && msg.date - prev.date < 300);
    const showName = !chat.private && !own && !grouped;
    const showAvatar = !chat.private && !own;

    const visual = !!((msg.photo && msg.photo.length) || msg.sticker);
    const mediaOnly = visual && !msg.document && !hasTextBody(msg, html);
    const bubble = h("div", { class: "bubble" + (mediaOnly ? " media-only" : "") });
    if (showName) {
      bubble.append(h("div", { class: "sender c" + (Math.abs(Number(who.id) || 0) % 7), text: who.name }));
    }
    const quote = renderQuote(msg);
    if (quote) bubble.append(quote);
    for (const part of media) bubble.append(part);
    const body = h("div", { class: "text" });
    if (html !== null) setTrustedHtml(body, html);
    else body.textContent = msg.text || msg.caption || "";
    if (body.childNodes.length) bubble.append(body);
    bubble.append(h("span", { class: "meta" },
      msg.edit_date ? h("span", { class: "edited", text: L.edited }) : null,
      msg.date ? h("time", { text: hhmm(msg.date) }) : null));

    const actions = h("div", { class: "msg-actions" },
      h("button", {
        type: "button",
        class: "msg-action reply-btn",
        title: L.reply,
        "aria-label": L.reply,
        onclick: () => startReply(msg),
      }, h("span", { "aria-hidden": "true", text: "↩" }), h("span", { class: "action-label", text: L.reply })),
      editable ? h("button", {
        type: "button",
        class: "msg-action edit-btn",
        title: L.edit,
        "aria-label": L.edit,
        onclick: () => startEdit(msg),
      }, h("span", { "aria-hidden": "true", text: "✎" }), h("span", { class: "action-label", text: L.edit })) : null);

    const column = h("div", { class: "msg-col" }, bubble, renderKeyboard(msg), actions);
    return h("div", {
      class: "msg " + (own ? "own" : "other") + (grouped ? " grouped" : "") +
        (msg.from && msg.from.is_bot ? " from-bot" : ""),
      dataset: {
        messageId: msg.message_id,
        direction: (msg.sandbox && msg.sandbox.direction) || "",
        from: msg.from ? msg.from.id : "",
      },
    },
    showAvatar ? (grouped ? h("span", { class: "avatar-spacer" }) : avatar(who.name, who.id)) : null,
    column);
  }

  function hasTextBody(msg, html) {
    return !!((html && html.trim()) || msg.text || msg.caption);
  }

  // ---------------------------------------------------------------- reply keyboard

  /** The reply keyboard (or force-reply) the bot last sent in this view, as Telegram keeps it. */
  function currentReplyMarkup() {
    const msgs = visibleMessages();
    let userSpokeAfter = false;
    for (let i = msgs.length - 1; i >= 0; i--) {
      const m = msgs[i];
      if (isOwn(m)) userSpokeAfter = true;
      if (!(m.from && m.from.is_bot)) continue;
      const markup = (m.sandbox && m.sandbox.keyboard) || null;
      if (!markup) continue;
      if (markup.remove_keyboard) return null;
      if (markup.force_reply) return userSpokeAfter ? null : { force: m, markup };
      if (Array.isArray(markup.keyboard)) {
        if (markup.one_time_keyboard && userSpokeAfter) return null;
        return { keyboard: markup.keyboard, markup };
      }
    }
    return null;
  }

  function renderReplyKeyboard() {
    const box = $("reply-keyboard");
    box.textContent = "";
    const found = currentReplyMarkup();
    const chat = currentChat();
    S.markupPlaceholder = (found && found.markup.input_field_placeholder) || null;
    updatePlaceholder();
    if (found && found.force && !S.replyTo && !S.editing &&
        S.forcedReplies.indexOf(found.force.message_id) < 0) {
      S.forcedReplies.push(found.force.message_id);
      startReply(found.force);
    }
    if (!found || !found.keyboard || (chat && chat.private && chat.blocked)) {
      box.hidden = true;
      return;
    }
    for (const row of found.keyboard) {
      const rowNode = h("div", { class: "kb-row" });
      for (const b of row) {
        const text = typeof b === "string" ? b : b.text;
        rowNode.append(h("button", {
          type: "button",
          class: "reply-kb-btn",
          text,
          onclick: () => sendText(text, {}),
        }));
      }
      box.append(rowNode);
    }
    box.hidden = false;
  }

  // ---------------------------------------------------------------- composer

  function resetComposer() {
    S.replyTo = null;
    S.editing = null;
    clearAttachment();
    renderContext();
    const input = $("composer-input");
    input.value = "";
    autosize();
  }

  function startReply(msg) {
    S.editing = null;
    S.replyTo = msg;
    renderContext();
    $("composer-input").focus();
  }

  function startEdit(msg) {
    S.replyTo = null;
    clearAttachment();
    S.editing = msg;
    const input = $("composer-input");
    input.value = msg.text || "";
    autosize();
    renderContext();
    input.focus();
  }

  function renderContext() {
    const ctx = $("composer-context");
    const target = S.editing || S.replyTo;
    ctx.hidden = !target;
    ctx.classList.toggle("editing", !!S.editing);
    if (!target) return;
    const who = senderOf(target);
    $("context-title").textContent = (S.editing ? L.editing : L.replying_to + " " +
      (who.id === S.userId ? L.you : who.name));
    $("context-text").textContent = snippet(target);
  }

  function clearAttachment() {
    S.attachment = null;
    $("file-input").value = "";
    $("as-file").checked = false;
    $("composer-attachment").hidden = true;
    updatePlaceholder();
  }

  function updatePlaceholder() {
    $("composer-input").placeholder = S.attachment
      ? L.caption_hint
      : S.markupPlaceholder || L.placeholder;
  }

  function autosize() {
    const input = $("composer-input");
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 160) + "px";
  }

  function readAsBase64(file) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => {
        const url = String(reader.result);
        resolve(url.slice(url.indexOf(",") + 1));
      };
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(file);
    });
  }

  function baseSendFields() {
    const chat = currentChat();
    const body = { chat_id: chat.id };
    if (isForum(chat) && S.threadId !== null) body.message_thread_id = S.threadId;
    if (S.replyTo) body.reply_to_message_id = S.replyTo.message_id;
    return body;
  }

  async function sendText(text, extra) {
    const chat = currentChat();
    if (!chat || S.userId === null) return;
    const body = Object.assign(baseSendFields(), extra, { text });
    await postMessage(body);
  }

  async function postMessage(body) {
    try {
      await api("POST", "/users/" + S.userId + "/messages", body);
      S.replyTo = null;
      renderContext();
      S.stickToBottom = true;
      await refreshMessages();
      return true;
    } catch (err) {
      showError(err);
      return false;
    }
  }

  async function submitComposer(ev) {
    ev.preventDefault();
    const chat = currentChat();
    if (!chat || S.userId === null) return;
    const input = $("composer-input");
    const text = input.value;
    const sendBtn = $("send-btn");
    if (sendBtn.disabled) return;
    sendBtn.disabled = true;
    try {
      if (S.editing) {
        if (!text.trim()) return;
        await api("POST", "/users/" + S.userId + "/edits", {
          chat_id: chat.id,
          message_id: S.editing.message_id,
          text,
        });
        S.editing = null;
        input.value = "";
        renderContext();
        await refreshMessages();
      } else if (S.attachment) {
        const { file, data } = S.attachment;
        const body = baseSendFields();
        if (text.trim()) body.caption = text;
        if (PHOTO_TYPES.has(file.type) && !$("as-file").checked) body.photo_b64 = data;
        else {
          body.document = {
            filename: file.name || "file",
            mime_type: file.type || "application/octet-stream",
            data_b64: data,
          };
        }
        if (await postMessage(body)) {
          clearAttachment();
          input.value = "";
        }
      } else {
        if (!text.trim()) return;
        // Read as Telegram Desktop reads its box: **bold**, __italic__, [text](url)...
        const typed = { shortcut_text: text };
        if (await postMessage(Object.assign(baseSendFields(), typed))) input.value = "";
      }
    } catch (err) {
      showError(err);
    } finally {
      sendBtn.disabled = false;
      autosize();
    }
  }

  async function pickFile() {
    const file = $("file-input").files[0];
    if (!file) return;
    try {
      const data = await readAsBase64(file);
      S.editing = null;
      S.attachment = { file, data };
      renderContext();
      $("attachment-name").textContent = (PHOTO_TYPES.has(file.type) ? "🖼 " : "📄 ") +
        file.name + " · " + humanSize(file.size);
      $("composer-attachment").hidden = false;
      updatePlaceholder();
      $("composer-input").focus();
    } catch (err) {
      showError(err);
    }
  }

  // ---------------------------------------------------------------- block / unblock

  async function toggleBlock() {
    const chat = currentChat();
    if (!chat || !chat.private) return;
    try {
      await api("POST", "/users/" + S.userId + "/" + (chat.blocked ? "unblock" : "block"));
      await loadState();
      renderPersonas();
      renderChatList();
      renderChat();
      renderReplyKeyboard();
    } catch (err) {
      showError(err);
    }
  }

  // ---------------------------------------------------------------- settings panel

  function fieldsFor(value, path, container) {
    for (const [key, v] of Object.entries(value || {})) {
      const p = path.concat(key);
      if (v !== null && typeof v === "object" && !Array.isArray(v)) {
        const fs = h("fieldset", { class: "nested" }, h("legend", { text: key }));
        fieldsFor(v, p, fs);
        container.append(fs);
      } else if (typeof v === "boolean") {
        container.append(h("label", { class: "row" },
          h("input", { type: "checkbox", checked: v, dataset: { path: JSON.stringify(p), kind: "bool" } }),
          " " + key));
      } else if (typeof v === "number" || v === null) {
        container.append(h("label", { class: "field" }, key,
          h("input", { type: "number", step: "any", value: v === null ? "" : v,
            dataset: { path: JSON.stringify(p), kind: "number" } })));
      } else if (typeof v === "string") {
        container.append(h("label", { class: "field" }, key,
          h("input", { type: "text", value: v, dataset: { path: JSON.stringify(p), kind: "string" } })));
      } else if (Array.isArray(v)) {
        container.append(h("label", { class: "field" }, key,
          h("input", { type: "text", value: v.join(", "), dataset: { path: JSON.stringify(p), kind: "list" } })));
      }
    }
  }

  function collectFields(container, base) {
    const out = JSON.parse(JSON.stringify(base || {}));
    for (const input of container.querySelectorAll("input[data-path]")) {
      const path = JSON.parse(input.dataset.path);
      let target = out;
      for (const key of path.slice(0, -1)) target = target[key];
      const last = path[path.length - 1];
      const kind = input.dataset.kind;
      if (kind === "bool") target[last] = input.checked;
      else if (kind === "number") target[last] = input.value === "" ? null : Number(input.value);
      else if (kind === "list") target[last] = input.value.split(",").map((s) => s.trim()).filter(Boolean);
      else target[last] = input.value;
    }
    return out;
  }

  function fillSettings() {
    const cfg = S.config || {};
    const flood = $("flood-fields");
    flood.textContent = "";
    if (typeof cfg.flood_limits === "boolean" || cfg.flood_limits === undefined ||
        cfg.flood_limits === null) {
      flood.append(h("label", { class: "check" },
        h("input", { type: "checkbox", id: "flood-on", checked: !!cfg.flood_limits }),
        h("span", { text: L.flood_on })));
    } else {
      fieldsFor(cfg.flood_limits, [], flood);
    }
    const faults = cfg.faults || {};
    const rate = Number(faults.rate || 0);
    const on = rate > 0;
    $("fault-on").checked = on;
    $("fault-rate").value = rate || (on ? "" : "0.2");
    const kinds = new Set(faults.kinds || []);
    for (const box of document.querySelectorAll('input[name="fault-kind"]')) {
      box.checked = kinds.size ? kinds.has(box.value) : box.value === "5xx";
    }
    $("fault-methods").value = Array.isArray(faults.methods) ? faults.methods.join(", ") : "";
    $("fault-slow").value = typeof faults.slow_ms === "number" ? faults.slow_ms : 500;
  }

  async function openSettings() {
    const panel = $("settings-panel");
    if (!panel.hidden) {
      closeSettings();
      return;
    }
    try {
      await loadState();
    } catch (err) {
      showError(err);
    }
    fillSettings();
    $("settings-status").textContent = "";
    panel.hidden = false;
    $("settings-btn").setAttribute("aria-expanded", "true");
  }

  function closeSettings() {
    $("settings-panel").hidden = true;
    $("settings-btn").setAttribute("aria-expanded", "false");
  }

  async function saveSettings(ev) {
    ev.preventDefault();
    $("settings-status").textContent = "…";
    const on = $("fault-on").checked;
    const methods = $("fault-methods").value.split(",").map((s) => s.trim()).filter(Boolean);
    const faults = {
      rate: Number($("fault-rate").value || 0),
      kinds: [...document.querySelectorAll('input[name="fault-kind"]:checked')].map((b) => b.value),
      methods: methods.length ? methods : null,
    };
    const slow = $("fault-slow").value;
    if (slow !== "") faults.slow_ms = Number(slow);
    if (!faults.kinds.length) faults.kinds = ["5xx"];
    const body = { faults: on ? faults : null }; // null: no fault injection at all
    if ($("flood-on")) body.flood_limits = $("flood-on").checked;
    else if (S.config.flood_limits && typeof S.config.flood_limits === "object") {
      body.flood_limits = collectFields($("flood-fields"), S.config.flood_limits);
    }
    try {
      S.config = (await api("POST", "/config", body)) || S.config;
      fillSettings();
      $("settings-status").textContent = L.saved;
    } catch (err) {
      $("settings-status").textContent = L.error + ": " + err.message;
    }
  }

  // ---------------------------------------------------------------- new persona

  function groupChats() {
    return S.chats.filter((c) => c.type === "supergroup" || c.type === "group");
  }

  function openPersonaDialog(empty) {
    const form = $("persona-form");
    form.reset();
    $("persona-error").hidden = true;
    $("persona-dialog-note").hidden = !empty;
    $("join-groups-row").hidden = !groupChats().length;
    syncJoinDefault();
    const dlg = $("persona-dialog");
    if (!dlg.open) dlg.showModal();
  }

  function syncJoinDefault() {
    const form = $("persona-form");
    form.elements.join_groups.checked = form.elements.persona.value === "staff";
  }

  async function submitPersona(ev) {
    ev.preventDefault();
    const form = $("persona-form");
    const f = form.elements;
    const body = {
      first_name: f.first_name.value.trim(),
      language_code: f.language_code.value,
      persona: f.persona.value,
    };
    if (f.last_name.value.trim()) body.last_name = f.last_name.value.trim();
    if (f.username.value.trim()) body.username = f.username.value.trim();
    if (!body.first_name) return;
    try {
      const user = await api("POST", "/users", body);
      if (f.join_groups.checked && !$("join-groups-row").hidden) {
        for (const chat of groupChats()) {
          await api("POST", "/chats/" + chat.id + "/members", { user_id: user.id });
        }
      }
      $("persona-dialog").close();
      await loadState();
      selectPersona(user.id, user.id, null);
    } catch (err) {
      const e = $("persona-error");
      e.textContent = L.error + ": " + err.message;
      e.hidden = false;
    }
  }

  // ---------------------------------------------------------------- live updates

  function setOffline(off) {
    $("offline-banner").hidden = !off;
  }

  function showAction(chatId, threadId, action) {
    if (chatId !== S.chatId) return;
    if (isForum(currentChat()) && (threadId ?? null) !== S.threadId) return;
    S.action = action || "typing";
    renderStatus();
    clearTimeout(S.actionTimer);
    S.actionTimer = setTimeout(() => {
      S.action = null;
      renderStatus();
    }, ACTION_SHOW_MS);
  }

  async function handleEvents(events) {
    let refresh = false;
    let reload = false;
    let listDirty = false;
    for (const ev of events) {
      const chatId = ev.chat_id;
      if (ev.type === "topic" || ev.type === "member") reload = true;
      if (!S.chats.some((c) => c.id === chatId)) reload = true; // a chat the page has not seen
      if (ev.type === "chat_action") {
        showAction(chatId, ev.message_thread_id, ev.action);
        continue;
      }
      if (ev.type === "callback_answer") {
        const id = ev.callback_query_id;
        if (id && S.pendingCallbacks.has(id) && !S.pendingCallbacks.get(id)) {
          S.pendingCallbacks.set(id, true);
          showAnswer(ev.answer || ev);
        }
        continue;
      }
      if (!["message", "edit", "delete"].includes(ev.type)) continue;
      if (chatId === S.chatId) {
        refresh = true;
        if (ev.type === "message" && isForum(currentChat())) {
          const msg = ev.message || {};
          const tab = tabOf({ message_thread_id: msg.message_thread_id ?? ev.message_thread_id },
            currentChat());
          if (tab !== S.threadId) bumpUnread(threadKey(chatId, tab));
        }
        if (ev.type === "message" && chatId === S.chatId) {
          S.action = null;
          renderStatus();
        }
      } else if (ev.type === "message") {
        const relevant = chatsFor(S.userId).find((c) => c.id === chatId);
        if (relevant) {
          const msg = ev.message || {};
          const tab = tabOf({ message_thread_id: msg.message_thread_id ?? ev.message_thread_id },
            relevant);
          bumpUnread(threadKey(chatId, tab));
          listDirty = true;
        }
      }
    }
    if (reload) {
      await loadState();
      renderPersonas();
      renderChatList();
      renderChat();
    } else if (listDirty) {
      renderChatList();
    }
    if (refresh || reload) {
      renderTabs(currentChat());
      await refreshMessages();
    }
  }

  function bumpUnread(key) {
    S.unread.set(key, (S.unread.get(key) || 0) + 1);
  }

  async function pollLoop() {
    for (;;) {
      try {
        const resp = await fetch(API + "/events?after=" + S.lastSeq + "&timeout=" + POLL_TIMEOUT_S);
        if (!resp.ok) throw new Error(String(resp.status));
        const data = await resp.json();
        setOffline(false);
        const events = data.events || [];
        const serverSeq = typeof data.last_seq === "number" ? data.last_seq : S.lastSeq;
        if (serverSeq < S.lastSeq) {
          // The sandbox restarted: start over from its state.
          S.lastSeq = 0;
          await boot(true);
          continue;
        }
        // Continue from the last event's seq: a long backlog comes in pages.
        const lastEvent = events.length ? events[events.length - 1].seq : null;
        S.lastSeq = typeof lastEvent === "number" ? lastEvent : Math.max(S.lastSeq, serverSeq);
        if (events.some((ev) => ev.type === "reset")) {
          // The sandbox forgot everyone: start over from its (empty) state.
          S.messages = [];
          S.unread.clear();
          await boot(true);
          continue;
        }
        if (events.length) await handleEvents(events);
      } catch {
        setOffline(true);
        await sleep(1500);
      }
    }
  }

  // ---------------------------------------------------------------- boot

  async function boot(again) {
    await loadState();
    const want = readHash();
    const users = personaUsers();
    let userId = users.some((u) => u.id === want.user) ? want.user : null;
    if (userId === null && S.userId !== null && users.some((u) => u.id === S.userId)) userId = S.userId;
    if (userId === null && users.length) {
      const resident = users.find((u) => u.persona === "resident");
      userId = (resident || users[0]).id;
    }
    if (userId === null) {
      S.userId = null;
      S.chatId = null;
      renderPersonas();
      renderChatList();
      renderChat();
      if (!again) openPersonaDialog(true);
      return;
    }
    const chatId = want.chat !== null ? want.chat : userId;
    selectPersona(userId, chatId, want.thread);
    if (again) await refreshMessages();
  }

  function wire() {
    $("persona-select").addEventListener("change", (ev) => {
      const id = Number(ev.target.value);
      if (!Number.isNaN(id)) selectPersona(id, id, null);
    });
    $("new-persona-btn").addEventListener("click", () => openPersonaDialog(false));
    $("persona-form").addEventListener("submit", submitPersona);
    $("persona-form").elements.persona.addEventListener("change", syncJoinDefault);
    $("persona-cancel").addEventListener("click", () => $("persona-dialog").close());
    $("settings-btn").addEventListener("click", openSettings);
    $("settings-close").addEventListener("click", closeSettings);
    $("settings-form").addEventListener("submit", saveSettings);
    $("block-btn").addEventListener("click", toggleBlock);
    $("unblock-btn").addEventListener("click", toggleBlock);
    $("back-btn").addEventListener("click", () => {
      document.body.classList.remove("has-chat");
      document.body.classList.add("no-chat");
    });
    $("composer").addEventListener("submit", submitComposer);
    $("file-input").addEventListener("change", pickFile);
    $("attachment-cancel").addEventListener("click", clearAttachment);
    $("context-cancel").addEventListener("click", () => {
      const wasEditing = !!S.editing;
      S.replyTo = null;
      S.editing = null;
      if (wasEditing) $("composer-input").value = "";
      renderContext();
      autosize();
    });
    const input = $("composer-input");
    input.addEventListener("input", autosize);
    input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        $("composer").requestSubmit();
      } else if (ev.key === "ArrowUp" && !input.value && !S.attachment) {
        const last = lastOwnEditable();
        if (last) {
          ev.preventDefault();
          startEdit(last);
        }
      } else if (ev.key === "Escape" && (S.replyTo || S.editing)) {
        $("context-cancel").click();
      }
    });
    $("messages").addEventListener("click", (ev) => {
      const spoiler = ev.target.closest("tg-spoiler, .tg-spoiler");
      if (spoiler) spoiler.classList.add("revealed");
      const quote = ev.target.closest("blockquote.expandable");
      if (quote) quote.classList.toggle("open");
      // As in Telegram, a /command in the bot's text sends that command when clicked.
      const command = ev.target.closest(".msg.from-bot .tg-bot_command");
      if (command) sendText(command.textContent.trim(), {});
    });
    $("messages").addEventListener("scroll", () => {
      const box = $("messages");
      S.stickToBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
    });
    window.addEventListener("hashchange", () => {
      const want = readHash();
      if (want.user !== null && want.user !== S.userId) selectPersona(want.user, want.chat, want.thread);
      else if (want.chat !== null && (want.chat !== S.chatId || want.thread !== S.threadId)) {
        openChat(want.chat, want.thread);
      }
    });
  }

  async function start() {
    wire();
    for (;;) {
      try {
        await boot(false);
        setOffline(false);
        break;
      } catch {
        setOffline(true);
        await sleep(1500);
      }
    }
    document.body.dataset.ready = "1";
    pollLoop();
  }

  start();
})();
