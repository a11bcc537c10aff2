/**
 * Safe Journey counsellor console: sign in, watch the queue live, take the
 * next chat, read the handover summary, answer, close with an outcome.
 * Everything a user wrote is shown as text, never as HTML.
 */
import { io, type Socket } from 'socket.io-client';
import { QUEUE_EVENTS } from '../../core/console-events.js';
import { ApiError, call, type Ticket, token } from './api.js';
import { renderCannedEditor } from './canned-editor.js';
import { renderChat } from './chat-view.js';
import { button, el } from './dom.js';
import { renderOverview } from './overview-view.js';
import { renderQueue, tickWaits } from './queue-view.js';
import { renderReports } from './reports-view.js';
import { type Lang, STRINGS } from './strings.js';

const app = document.getElementById('app') as HTMLElement;
const lang: Lang = (sessionStorage.getItem('sj-console-lang') as Lang) ?? 'vi';
const s = STRINGS[lang];
document.title = s.title;
document.documentElement.lang = lang;

interface Me {
  id: string;
  displayName: string;
  role: string;
  available: boolean;
}

let socket: Socket | undefined;
let me: Me | undefined;
let openChat: (HTMLElement & { addUserMessage?: (t: string) => void }) | undefined;
let openTicketId: string | undefined;
const seenEmergencies = new Set<string>();

function showLogin(message = '') {
  socket?.close();
  app.replaceChildren();
  const user = el('input', { attrs: { id: 'u', autocomplete: 'username', required: '' } });
  const pass = el('input', {
    attrs: { id: 'p', type: 'password', autocomplete: 'current-password', required: '' },
  });
  const error = el('p', { class: 'error', text: message, attrs: { role: 'alert' } });
  const form = el(
    'form',
    { class: 'login' },
    el('h1', { text: s.title }),
    el('label', { text: s.username, attrs: { for: 'u' } }),
    user,
    el('label', { text: s.password, attrs: { for: 'p' } }),
    pass,
    el('button', { text: s.signIn, attrs: { type: 'submit' }, class: 'primary' }),
    error,
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const r = await call<{ token: string }>('POST', '/login', {
        username: user.value,
        password: pass.value,
      });
      token.set(r.token);
      await start();
    } catch {
      error.textContent = s.wrongLogin;
    }
  });
  app.append(form);
  user.focus();
}

const overviewBox = el('div');
const cannedBox = el('div');
const queueBox = el('section', { class: 'panel', attrs: { 'aria-label': s.queue } });
const mineBox = el('section', { class: 'panel', attrs: { 'aria-label': s.mine } });
const chatBox = el('main', { class: 'chat-box' });

async function refresh() {
  try {
    const q = await call<{ queued: Ticket[]; claimed: Ticket[]; online: number }>('GET', '/queue');
    const emergencies = q.queued.filter((t) => t.level === 'emergency');
    const fresh = emergencies.filter((t) => !seenEmergencies.has(t.id));
    for (const t of fresh) seenEmergencies.add(t.id);
    if (fresh.length > 0) beep();
    document.title =
      emergencies.length > 0 ? `${s.emergencyAlert} (${emergencies.length}) — ${s.title}` : s.title;
    if (me && me.role !== 'counsellor') overviewBox.replaceChildren(await renderOverview(s));
    queueBox.replaceChildren(
      el('h2', { text: `${s.queue} (${q.queued.length})` }),
      renderQueue(s, q.queued, s.claim, (t) => void claim(t.id)),
    );
    mineBox.replaceChildren(
      el('h2', { text: s.mine }),
      renderQueue(s, q.claimed, s.open, (t) => void show(t.id), s.noChats),
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) showLogin();
  }
}

async function claim(id: string) {
  try {
    await call('POST', `/tickets/${id}/claim`);
    await show(id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) alertText(s.taken);
  }
  await refresh();
}

async function helpNext() {
  try {
    const r = await call<{ ticket: Ticket }>('POST', '/queue/next');
    await show(r.ticket.id);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) alertText(s.empty);
  }
  await refresh();
}

async function show(id: string) {
  openTicketId = id;
  openChat = await renderChat(
    s,
    id,
    () => {
      openChat = undefined;
      openTicketId = undefined;
      chatBox.replaceChildren();
      void refresh();
    },
    (ticketId) => socket?.emit('typing', { ticketId }),
  );
  chatBox.replaceChildren(openChat);
}

function alertText(text: string) {
  const note = el('p', { class: 'notice', text, attrs: { role: 'alert' } });
  chatBox.prepend(note);
  setTimeout(() => note.remove(), 6000);
}

/** A short tone for a new emergency (no file to fetch). */
function beep() {
  try {
    const ctx = new AudioContext();
    const osc = ctx.createOscillator();
    osc.frequency.value = 880;
    osc.connect(ctx.destination);
    osc.start();
    osc.stop(ctx.currentTime + 0.3);
  } catch {
    // No audio here (a headless browser, a locked-down PC): the title still alerts.
  }
}

async function start() {
  try {
    me = (await call<{ counsellor: Me }>('GET', '/me')).counsellor;
  } catch {
    showLogin();
    return;
  }
  const availability = el('input', { attrs: { type: 'checkbox', id: 'avail', role: 'switch' } });
  availability.checked = me.available;
  const availabilityLabel = el('label', {
    text: me.available ? s.online : s.away,
    attrs: { for: 'avail' },
  });
  availability.addEventListener('change', async () => {
    await call('PUT', '/me/availability', { available: availability.checked });
    availabilityLabel.textContent = availability.checked ? s.online : s.away;
  });
  const header = el(
    'header',
    {},
    el('h1', { text: s.title }),
    el('span', { class: 'who', text: `${me.displayName} (${me.role})` }),
    availability,
    availabilityLabel,
    button(lang === 'vi' ? 'English' : 'Tiếng Việt', () => {
      sessionStorage.setItem('sj-console-lang', lang === 'vi' ? 'en' : 'vi');
      location.reload();
    }),
    me.role === 'counsellor'
      ? null
      : button(s.reports, () => {
          openChat = undefined;
          openTicketId = undefined;
          chatBox.replaceChildren(renderReports(s));
        }),
    button(s.signOut, async () => {
      socket?.close(); // before the server closes it, which would read as "ended elsewhere"
      await call('POST', '/logout').catch(() => undefined);
      token.clear();
      showLogin();
    }),
    // Every session of mine ends (another PC, a phone left signed in), this one too.
    button(s.signOutEverywhere, async () => {
      socket?.close();
      await call('POST', '/me/sessions/revoke').catch(() => undefined);
      token.clear();
      showLogin();
    }),
  );
  app.replaceChildren(
    header,
    el(
      'div',
      { class: 'layout' },
      el(
        'aside',
        {},
        button(s.helpNext, () => void helpNext(), 'primary help-next'),
        overviewBox,
        queueBox,
        mineBox,
        cannedBox,
      ),
      chatBox,
    ),
  );
  socket = io('/console', { auth: { token: token.get() } });
  for (const event of QUEUE_EVENTS) {
    socket.on(event, () => void refresh());
  }
  socket.on('message.received', (m: { ticketId: string; text: string }) => {
    if (m.ticketId === openTicketId) openChat?.addUserMessage?.(m.text);
    void refresh();
  });
  socket.on('delivery.failed', (d: { conversationId: string; reason: string; at: string }) => {
    const banner = chatBox.querySelector<HTMLElement & { add?: (r: string, at: string) => void }>(
      `[data-conversation="${CSS.escape(d.conversationId)}"] .undelivered`,
    );
    banner?.add?.(d.reason, d.at);
  });
  socket.on('connect_error', () => showLogin());
  // Only the server ends a session's socket this way: signed out everywhere, or revoked.
  socket.on('disconnect', (reason) => {
    if (reason !== 'io server disconnect') return;
    token.clear();
    showLogin(s.sessionEnded);
  });
  setInterval(() => tickWaits(queueBox), 1000);
  if (me.role !== 'counsellor') cannedBox.replaceChildren(await renderCannedEditor(s));
  await refresh();
}

if (token.get()) void start();
else showLogin();
