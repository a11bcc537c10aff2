import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ActivityJson,
  type BotFrameworkFake,
  type ConnectorActivity,
  startBotFrameworkFake,
} from '../fakes/botframework-fake.js';
import { waitUntil } from '../fakes/fake-server.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { pollQueue, pollUntil } from '../support/poll.js';
import { startTestServer, type TestServer } from '../support/server.js';

const DAY = 86_400_000;
const SEND = '/v3/conversations/';

/**
 * Bot Framework end to end: the fake plays the channel (POSTs Activities to
 * /api/messages) and the Bot Connector at serviceUrl (receives our replies).
 * Most tests run in anonymous mode (no app id, as with the local Emulator);
 * the auth tests configure an app id.
 */
describe('Bot Framework channel', () => {
  let fake: BotFrameworkFake;
  let server: TestServer;
  const extraServers: { close(): void }[] = [];
  afterEach(async () => {
    await server?.cleanup();
    await fake?.close();
    for (const s of extraServers.splice(0)) s.close();
  });

  async function start(extra: Record<string, string> = {}) {
    fake = await startBotFrameworkFake();
    const env = {
      BOTFRAMEWORK_ANONYMOUS: 'true',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_POLL_MS: '50',
    };
    server = await startTestServer({ ...env, ...extra });
    return `${server.url}/api/messages`;
  }

  const inConversation = (conversationId: string) =>
    fake.messages().filter((m) => m.conversationId === conversationId);
  const texts = (conversationId: string) =>
    inConversation(conversationId).map((m) => m.activity.text as string);
  const conversationOf = (userId: string) =>
    server.store.findConversation('botframework', `directline:${userId}`);

  it('answers a message at the connector as a reply, with suggested actions that carry payloads', async () => {
    const hook = await start();
    const inbound = fake.message('u1', 'đường dây nóng 111 là gì');
    const out = await fake.send(hook, inbound);
    expect([out.status, out.body]).toEqual([200, '']);

    const reply = await waitUntil(() => inConversation('conv-u1')[0]);
    expect(reply.replyToId).toBe(inbound.id);
    expect(reply.activity).toMatchObject({
      type: 'message',
      textFormat: 'plain',
      from: { id: 'bot' },
      recipient: { id: 'u1' },
      conversation: { id: 'conv-u1' },
      channelId: 'directline',
    });
    expect(reply.activity.text).toMatch(/111/);
    const actions = reply.activity.suggestedActions.actions as ActivityJson[];
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.length).toBeLessThanOrEqual(10);
    for (const a of actions) {
      expect(a).toMatchObject({ type: 'messageBack', title: expect.any(String) });
      expect(a.value.payload).toEqual(expect.any(String));
    }
    expect(actions.some((a) => a.value.payload === 'cmd:person')).toBe(true);
    // Anonymous mode: no token goes to the connector.
    const call = fake.server.requests.find((r) => r.path.startsWith(SEND));
    expect(call?.headers.authorization).toBeUndefined();
    expect(fake.rejected).toEqual([]);
    // The conversation keeps where to write later.
    const conversation = await conversationOf('u1');
    expect(conversation?.context.address).toMatchObject({
      serviceUrl: fake.serviceUrl,
      conversationId: 'conv-u1',
      userId: 'u1',
      botId: 'bot',
    });
  });

  it('with an app id, refuses a missing, malformed, bogus or foreign token (401) and stores nothing', async () => {
    const hook = await start({
      BOTFRAMEWORK_ANONYMOUS: 'false',
      BOTFRAMEWORK_APP_ID: 'our-app-id',
      BOTFRAMEWORK_APP_PASSWORD: 'our-secret',
    });
    const activity = fake.message('u-bad', 'xin chào');
    // A well-formed token for another bot is refused on its audience, before any key is fetched.
    const foreign = unsignedJwt({ aud: 'another-bot', iss: 'https://api.botframework.com' });
    for (const authorization of [undefined, 'Basic abc', 'Bearer bogus', `Bearer ${foreign}`]) {
      const res = await fake.send(hook, activity, authorization ? { authorization } : {});
      expect(res.status).toBe(401);
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(await conversationOf('u-bad')).toBeUndefined();
    expect(fake.server.requests).toEqual([]);
  });

  it('in anonymous mode still refuses a bogus token, and rejects a body that is not an Activity', async () => {
    const hook = await start();
    const bogus = await fake.send(hook, fake.message('u-anon', 'xin chào'), {
      authorization: 'Bearer bogus',
    });
    expect(bogus.status).toBe(401);
    const { serviceUrl: _, ...noServiceUrl } = fake.message('u-anon', 'xin chào');
    expect((await fake.send(hook, noServiceUrl)).status).toBe(400);
    expect((await fake.send(hook, 'not json')).status).toBe(400);
    await new Promise((r) => setTimeout(r, 150));
    expect(await conversationOf('u-anon')).toBeUndefined();
    expect(fake.received).toEqual([]);
  });

  it('answers the same Activity once, even when three copies overlap', async () => {
    const hook = await start();
    const activity = fake.message('u-dup', 'làm sao biết công việc ở nước ngoài là lừa đảo');
    const results = await Promise.all([1, 2, 3].map(() => fake.send(hook, activity)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    await waitUntil(() => (texts('conv-u-dup').length ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const conversation = await conversationOf('u-dup');
    const stored = await server.store.listMessages(conversation?.id as string);
    expect(stored.filter((m) => m.direction === 'in')).toHaveLength(1);
    expect(texts('conv-u-dup')).toHaveLength(stored.filter((m) => m.direction === 'out').length);
  });

  it('acknowledges at once, then retries through 5xx, a dropped connection and a 429 with Retry-After', async () => {
    const hook = await start();
    fake.server.failNext(2, { status: 503 }, SEND);
    fake.server.failNext(1, { network: true }, SEND);
    fake.server.failNext(1, { status: 429, retryAfterSeconds: 1 }, SEND);
    const out = await fake.send(hook, fake.message('u-flaky', 'menu'));
    expect(out.status).toBe(200);
    // The 200 came before any reply could be delivered: the turn runs after it.
    expect(fake.received).toEqual([]);
    const sent = await waitUntil(() => inConversation('conv-u-flaky')[0], 10_000);
    const attempts = fake.server.requests.filter((r) => r.path.startsWith(SEND));
    expect(attempts).toHaveLength(5);
    expect(sent.at - (attempts[3]?.at ?? 0)).toBeGreaterThanOrEqual(1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(texts('conv-u-flaky')).toHaveLength(1);
  });

  it('sends a pending reply after a restart, and only once', async () => {
    const hook = await start({ OUTBOX_RETRY_BASE_MS: '1500' });
    fake.server.failNext(1, { status: 502 }, SEND);
    await fake.send(hook, fake.message('u-restart', 'menu'));
    await waitUntil(() => (fake.server.requests.length ? true : undefined));
    server = await server.restart();
    expect(fake.received).toEqual([]);
    const sent = await waitUntil(() => inConversation('conv-u-restart')[0], 10_000);
    expect(sent.replyToId).toMatch(/^conv-u-restart\|/);
    await new Promise((r) => setTimeout(r, 300));
    expect(texts('conv-u-restart')).toHaveLength(1);
  });

  it('sends a 2600-character article whole, and splits a longer message on a sentence within 4000', async () => {
    const hook = await start();
    // Pressing a suggested action: the label as text, {payload} as value (messageBack).
    await fake.send(
      hook,
      fake.message('u-long', 'Đọc thêm', { value: { payload: 'more:debt-bondage' } }),
    );
    const article = await waitUntil(() => inConversation('conv-u-long')[0]);
    await new Promise((r) => setTimeout(r, 200));
    // Over Messenger's 2000 but within Bot Framework's 4000: one message, actions attached.
    expect(texts('conv-u-long')).toHaveLength(1);
    expect(article.activity.text.length).toBeGreaterThan(2000);
    expect(article.activity.text).toMatch(/nợ/);
    expect(article.activity.suggestedActions.actions.length).toBeGreaterThan(0);

    // A counsellor may write 4000 characters; with their name as title the message is longer.
    const { api, ticket } = await claimedBy(
      'hoa',
      hook,
      fake.message('u-long', 'tôi muốn nói chuyện với tư vấn viên'),
    );
    const sentences: string[] = [];
    for (let i = 1; sentences.join(' ').length < 3800; i++) {
      sentences.push(`Điều ${i}: không ai được giữ hộ chiếu của bạn, kể cả người môi giới.`);
    }
    // The last sentence pads the message to exactly the 4000 characters a counsellor may write.
    const rest = 4000 - sentences.join(' ').length - ' Gọi 111 .'.length;
    sentences.push(`Gọi 111 ${'ngay '.repeat(Math.floor(rest / 5))}${'!'.repeat(rest % 5)}.`);
    const long = sentences.join(' ');
    expect(long).toHaveLength(4000);
    expect((await api('POST', `/tickets/${ticket}/messages`, { text: long })).status).toBe(200);
    const pieces = await waitUntil(() => {
      const all = texts('conv-u-long');
      const got = all.slice(all.findIndex((t) => t.startsWith('Cô hoa\n')));
      return got.join(' ').includes(sentences.at(-1) as string) ? got : undefined;
    });
    expect(pieces).toHaveLength(2);
    for (const p of pieces) expect(p.length).toBeLessThanOrEqual(4000);
    // Every cut falls after a sentence, and nothing is lost or reordered.
    for (const p of pieces.slice(0, -1)) expect(p).toMatch(/\.$/);
    const joined = pieces.join(' ');
    expect(
      sentences.every((line, i) => joined.indexOf(line) > joined.indexOf(sentences[i - 1] ?? '')),
    ).toBe(true);
  });

  it('delivers a counsellor reply days later as a proactive message to the latest conversation', async () => {
    const hook = await start();
    // The person wrote eight days ago: Messenger would refuse, Bot Framework has no window.
    const old = fake.message('u-help', 'tôi muốn nói chuyện với tư vấn viên');
    old.timestamp = new Date(Date.now() - 8 * DAY).toISOString();
    const { api, ticket, counsellor } = await claimedBy('lan', hook, old);
    // "Lan is typing…" shows in the person's chat.
    await server.handoff.counsellorTyping(ticket, counsellor);
    const typing = await waitUntil(() => fake.received.find((r) => r.activity.type === 'typing'));
    expect(typing.conversationId).toBe('conv-u-help');
    const res = await api('POST', `/tickets/${ticket}/messages`, {
      text: 'Chào bạn, mình là Lan.',
    });
    expect(res.status).toBe(200);
    const human = await waitUntil(() => findText('mình là Lan'));
    expect(human.conversationId).toBe('conv-u-help');
    expect(human.replyToId).toBeUndefined(); // POST …/activities: not a reply to any activity
    expect(human.activity).toMatchObject({ from: { id: 'bot' }, recipient: { id: 'u-help' } });

    // The person comes back from a new Web Chat conversation: the next reply follows them.
    await fake.send(
      hook,
      fake.message('u-help', 'mình vẫn ở đây', { conversationId: 'conv-u-help-2' }),
    );
    await pollUntil(async () => {
      const c = await conversationOf('u-help');
      return c?.context.address?.conversationId === 'conv-u-help-2' ? true : undefined;
    });
    await api('POST', `/tickets/${ticket}/messages`, { text: 'Bạn cần mình giúp gì?' });
    const second = await waitUntil(() => findText('cần mình giúp'));
    expect(second.conversationId).toBe('conv-u-help-2');
  });

  it('gives a kind answer to a photo, greets a person who joins, and hears their language', async () => {
    const hook = await start();
    await fake.send(hook, fake.attachment('u-media', 'image/jpeg'));
    await waitUntil(() => (texts('conv-u-media').length ? true : undefined));
    expect(texts('conv-u-media')[0]).toMatch(/chữ/);

    await fake.send(hook, fake.conversationUpdate('u-new', 'added'));
    const greeting = await waitUntil(() => inConversation('conv-u-new')[0]);
    expect(greeting.activity.suggestedActions.actions.length).toBeGreaterThan(0);
    expect(greeting.replyToId).toBeUndefined();

    await fake.send(hook, fake.message('u-en', 'hello', { locale: 'en-US' }));
    await waitUntil(() => (texts('conv-u-en').length ? true : undefined));
    expect((await conversationOf('u-en'))?.locale).toBe('en');
  });

  it('marks a person who left as unreachable and sends nothing more to them', async () => {
    const hook = await start();
    const { api, ticket } = await claimedBy(
      'mai',
      hook,
      fake.message('u-gone', 'tôi muốn nói chuyện với tư vấn viên'),
    );
    await fake.send(hook, fake.conversationUpdate('u-gone', 'removed'));
    const gone = await pollUntil(async () => {
      const c = await conversationOf('u-gone');
      return c?.context.unreachable ? c : undefined;
    });
    const before = fake.server.requests.length;
    await api('POST', `/tickets/${ticket}/messages`, { text: 'Bạn còn đó không?' });
    await pollUntil(async () =>
      (await server.store.undelivered(gone.id)).length ? true : undefined,
    );
    const view = await api('GET', `/tickets/${ticket}`);
    expect(view.body.undelivered.map((u: { reason: string }) => u.reason)).toContain('blocked');
    expect(fake.server.requests.length).toBe(before);
  });

  it('treats a vanished conversation (404) as unreachable and a refused token (401) as an auth error', async () => {
    const hook = await start();
    const connector = await statusServer({ '/v3/conversations/conv-404/': 404 });
    const lost = fake.message('u-404', 'menu', { conversationId: 'conv-404' });
    await fake.send(hook, { ...lost, serviceUrl: connector.url });
    // The conversation is marked unreachable just before the message is settled as undelivered.
    const c404 = await pollUntil(async () => {
      const c = await conversationOf('u-404');
      return c?.context.unreachable && (await server.store.undelivered(c.id)).length
        ? c
        : undefined;
    });
    expect((await server.store.undelivered(c404.id))[0]?.error).toBe('blocked');

    const refused = fake.message('u-401', 'menu', { conversationId: 'conv-401' });
    await fake.send(hook, { ...refused, serviceUrl: connector.url });
    const c401 = await pollUntil(async () => {
      const c = await conversationOf('u-401');
      return c && (await server.store.undelivered(c.id)).length ? c : undefined;
    });
    expect((await server.store.undelivered(c401.id))[0]?.error).toBe('auth');
    expect(c401.context.unreachable).toBeUndefined();
    // Neither was retried, and after the 404 nothing more was tried in that conversation.
    expect(connector.paths.filter((p) => p.includes('conv-404'))).toHaveLength(1);
    expect(connector.paths.filter((p) => p.includes('conv-401'))).toHaveLength(
      (await server.store.undelivered(c401.id)).length,
    );
  });

  it('refuses to start with half a configuration, anonymous with an app id, or anonymous in production', async () => {
    await expect(startTestServer({ BOTFRAMEWORK_APP_ID: 'x' })).rejects.toThrow(
      /BOTFRAMEWORK_APP_PASSWORD/,
    );
    await expect(
      startTestServer({
        BOTFRAMEWORK_ANONYMOUS: 'true',
        BOTFRAMEWORK_APP_ID: 'x',
        BOTFRAMEWORK_APP_PASSWORD: 'y',
      }),
    ).rejects.toThrow(/BOTFRAMEWORK_ANONYMOUS.*BOTFRAMEWORK_APP_ID/);
    await expect(
      startTestServer({ BOTFRAMEWORK_ANONYMOUS: 'true', NODE_ENV: 'production' }),
    ).rejects.toThrow(/BOTFRAMEWORK_ANONYMOUS=true is refused when NODE_ENV=production/);
  });

  /** The person asks for a counsellor, who takes the chat. */
  async function claimedBy(name: string, hook: string, message: ActivityJson) {
    const counsellor = await signedInCounsellor(server.store, name);
    const api = consoleApi(server.url, counsellor.token);
    await fake.send(hook, message);
    const ticket = await pollQueue(api);
    expect((await api('POST', `/tickets/${ticket}/claim`)).status).toBe(200);
    return { api, ticket, counsellor };
  }

  function findText(part: string): ConnectorActivity | undefined {
    return fake.messages().find((m) => (m.activity.text as string | undefined)?.includes(part));
  }

  /** A connector that answers every send under a path prefix with a status (401 elsewhere). */
  async function statusServer(routes: Record<string, number>) {
    const paths: string[] = [];
    const srv = createServer((req, res) => {
      paths.push(req.url ?? '');
      req.resume();
      const status = Object.entries(routes).find(([p]) => req.url?.startsWith(p))?.[1] ?? 401;
      const code = status === 404 ? 'ConversationNotFound' : 'Unauthorized';
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code, message: 'refused' } }));
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    extraServers.push({
      close: () => {
        srv.closeAllConnections();
        srv.close();
      },
    });
    return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, paths };
  }
});

/** A JWT whose signature is never checked: it is refused on its claims first. */
function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return `${part({ alg: 'RS256', typ: 'JWT', kid: 'k1' })}.${part({ ...claims, exp })}.c2ln`;
}
