/**
 * Safe Journey web widget: one <script> tag, a launcher button and a chat
 * panel in a shadow root. School-safe: no cookies, nothing in localStorage
 * (the session key lives in sessionStorage and dies with the tab), no request
 * to anyone but the Safe Journey server. Quick exit (button, or Esc three
 * times) clears everything and replaces the page, so Back does not return.
 */
import { io, type Socket } from 'socket.io-client';
import { readOptions } from './options.js';
import { type Reply, renderMessage, type WidgetMessage } from './render.js';
import { STRINGS } from './strings.js';
import { styles } from './styles.js';

const SESSION_KEY = 'sj-session';
const OPEN_KEY = 'sj-open';

type Ack =
  | { ok: true; replies: Reply[]; duplicate: boolean }
  | { ok: false; error: { code: string; message: string } };

function randomId(bytes: number): string {
  const a = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...a))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

function sessionKey(): string {
  let key = sessionStorage.getItem(SESSION_KEY);
  if (!key) {
    key = randomId(24);
    sessionStorage.setItem(SESSION_KEY, key);
  }
  return key;
}

function start(script: HTMLScriptElement | null) {
  const o = readOptions(script);
  // The widget's own few words exist in vi and en; the bot's answers come in any locale.
  const s = o.lang === 'en' ? STRINGS.en : STRINGS.vi;
  const host = document.createElement('div');
  host.id = 'safe-journey-widget';
  const root = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = styles(o);

  const launcher = document.createElement('button');
  launcher.className = 'launcher';
  launcher.type = 'button';
  launcher.textContent = `💬 ${o.title}`;
  launcher.setAttribute('aria-haspopup', 'dialog');

  const panel = document.createElement('section');
  panel.className = 'panel';
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', o.title);
  panel.innerHTML = `<header><h2></h2><button type="button" class="exit"></button><button type="button" class="close"></button></header>
<div class="log" role="log" aria-live="polite" aria-relevant="additions"></div><div class="status" role="status"></div>
<form><label class="sr-only" for="sj-input"></label><textarea id="sj-input" rows="1" maxlength="2000"></textarea><button type="submit"></button></form>`;
  const q = <T extends Element>(sel: string) => panel.querySelector(sel) as T;
  q<HTMLElement>('h2').textContent = o.title;
  const exitButton = q<HTMLButtonElement>('.exit');
  exitButton.textContent = s.quickExit;
  exitButton.title = s.quickExitHint;
  exitButton.setAttribute('aria-label', s.quickExitHint);
  const closeButton = q<HTMLButtonElement>('.close');
  closeButton.textContent = '✕';
  closeButton.setAttribute('aria-label', s.close);
  const log = q<HTMLElement>('.log');
  const status = q<HTMLElement>('.status');
  const form = q<HTMLFormElement>('form');
  const input = q<HTMLTextAreaElement>('textarea');
  input.placeholder = s.placeholder;
  q<HTMLLabelElement>('label').textContent = s.inputLabel;
  q<HTMLButtonElement>('form button').textContent = s.send;

  root.append(style, launcher, panel);
  document.body.append(host);

  const socket: Socket = io(`${o.server}/chat`, {
    auth: { session: sessionKey(), lang: o.lang },
    withCredentials: false,
    ackTimeout: 15_000,
    retries: 3,
  });

  const transcript: WidgetMessage[] = [];
  function draw() {
    log.replaceChildren(
      ...transcript.map((m, i) => renderMessage(m, s, choose, i === transcript.length - 1)),
    );
    // Show the start of the newest message: an answer is read from its title down.
    const last = log.lastElementChild as HTMLElement | null;
    log.scrollTop = last ? Math.max(0, last.offsetTop - 8) : 0;
  }
  function push(m: WidgetMessage) {
    transcript.push(m);
    draw();
  }

  socket.on('history', (h: { messages: WidgetMessage[]; welcome: Reply }) => {
    transcript.length = 0;
    if (h.messages.length === 0)
      transcript.push({ from: 'bot', text: h.welcome.text, reply: h.welcome });
    else transcript.push(...h.messages);
    status.textContent = '';
    draw();
  });
  // Messages outside a turn: a counsellor joined, wrote, or closed the chat.
  socket.on('replies', (r: { replies: Reply[] }) => {
    status.textContent = '';
    for (const reply of r.replies) push({ from: 'bot', text: reply.text, reply });
  });
  // A counsellor is typing: shown for a few seconds, cleared by their message.
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  socket.on('typing', () => {
    status.textContent = s.typing;
    clearTimeout(typingTimer);
    typingTimer = setTimeout(() => {
      if (status.textContent === s.typing) status.textContent = '';
    }, 4000);
  });
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  socket.on(
    'connect_error',
    (error: Error & { data?: { code?: string; retryAfterSeconds?: number } }) => {
      // Too many connections from this network (a school behind one address): the server
      // refused in its middleware, so Socket.IO will not retry by itself. Try again when it says.
      if (error.data?.code === 'rate_limited') {
        status.textContent = s.busy;
        clearTimeout(retryTimer);
        const seconds = Math.min(300, Math.max(1, error.data.retryAfterSeconds ?? 30));
        // A little jitter, so a whole classroom does not come back in the same second.
        retryTimer = setTimeout(() => socket.connect(), (seconds + Math.random() * 5) * 1000);
        return;
      }
      status.textContent = s.offline;
    },
  );
  socket.on('disconnect', () => {
    status.textContent = s.offline;
  });

  function send(event: 'message' | 'choice', data: Record<string, string>, shown: string) {
    push({ from: 'user', text: shown });
    status.textContent = socket.connected ? '' : s.offline;
    socket.emit(event, { id: randomId(12), ...data }, (err: unknown, ack: Ack) => {
      if (err || !ack) {
        status.textContent = s.failed;
        return;
      }
      if (!ack.ok) {
        status.textContent = ack.error.code === 'too_long' ? s.tooLong : ack.error.message;
        return;
      }
      status.textContent = '';
      for (const r of ack.replies) push({ from: 'bot', text: r.text, reply: r });
    });
  }
  function choose(label: string, payload: string) {
    send('choice', { label, payload }, label);
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    send('message', { text }, text);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      form.requestSubmit();
    }
  });

  function setOpen(open: boolean) {
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute('aria-expanded', String(open));
    sessionStorage.setItem(OPEN_KEY, open ? '1' : '0');
    if (open) input.focus();
    else launcher.focus();
  }
  launcher.addEventListener('click', () => setOpen(true));
  closeButton.addEventListener('click', () => setOpen(false));
  if (sessionStorage.getItem(OPEN_KEY) === '1') {
    panel.hidden = false;
    launcher.hidden = true;
  }

  function quickExit() {
    sessionStorage.removeItem(SESSION_KEY);
    sessionStorage.removeItem(OPEN_KEY);
    clearTimeout(retryTimer);
    socket.disconnect();
    host.remove();
    document.title = '';
    location.replace(o.exitUrl);
  }
  exitButton.addEventListener('click', quickExit);
  // Esc three times within two seconds, anywhere on the page (also inside the widget).
  let presses: number[] = [];
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape') return;
    const now = Date.now();
    presses = [...presses.filter((t) => now - t < 2000), now];
    if (presses.length >= 3) quickExit();
  };
  document.addEventListener('keydown', onKey, true);
}

const current = document.currentScript as HTMLScriptElement | null;
if (document.readyState === 'loading')
  document.addEventListener('DOMContentLoaded', () => start(current));
else start(current);
