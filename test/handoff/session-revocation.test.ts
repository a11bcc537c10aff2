import { io as connect, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/handoff-types.js';
import { hashPassword } from '../../src/handoff/passwords.js';
import { consoleApi, signedInCounsellor } from '../support/counsellors.js';
import { nextEvent, startTestServer, type TestServer } from '../support/server.js';

/**
 * Ending counsellor sessions over real HTTP and real Socket.IO: "sign out
 * everywhere", a supervisor's revocation, and sign-out, each closing the live
 * console sockets of the sessions it ends and no others.
 */
const PASSWORD = 'a-long-test-password';
let passwordHash: string | undefined;

async function counsellor(server: TestServer, username: string, role: Role = 'counsellor') {
  passwordHash ??= await hashPassword(PASSWORD);
  return signedInCounsellor(server.store, username, role, passwordHash);
}

/** A second, real sign-in: another device of the same counsellor. */
async function signIn(server: TestServer, username: string): Promise<string> {
  const res = await consoleApi(server.url)('POST', '/login', { username, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body.token;
}

describe('counsellor session revocation', () => {
  let server: TestServer;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const s of sockets.splice(0)) s.close();
    await server?.cleanup();
  });

  /** A console socket, connected; resolves once the server has accepted it. */
  async function live(token: string): Promise<Socket> {
    const socket = connect(`${server.url}/console`, {
      auth: { token },
      transports: ['websocket'],
      forceNew: true,
    });
    sockets.push(socket);
    await nextEvent(socket, 'connect');
    return socket;
  }
  const closedBy = (socket: Socket) => nextEvent<string>(socket, 'disconnect');
  /** Gives a socket that should stay connected time to be (wrongly) closed. */
  const settle = () => new Promise((r) => setTimeout(r, 200));

  it('signs a counsellor out everywhere: the other device gets 401 and its socket closes', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const mai = await counsellor(server, 'mai');
    const a = lan.token;
    const b = await signIn(server, 'lan');
    const onB = await live(b);
    const onMai = await live(mai.token);
    const bClosed = closedBy(onB);

    const res = await consoleApi(server.url, a)('POST', '/me/sessions/revoke');
    expect(res).toEqual({ status: 200, body: { revoked: 2 } });
    expect(await bClosed).toBe('io server disconnect');
    expect((await consoleApi(server.url, b)('GET', '/me')).status).toBe(401);
    expect((await consoleApi(server.url, a)('GET', '/me')).status).toBe(401);
    // A colleague is untouched.
    await settle();
    expect(onMai.connected).toBe(true);
    expect((await consoleApi(server.url, mai.token)('GET', '/me')).status).toBe(200);
    // The revoked token cannot open a new socket either.
    const again = connect(`${server.url}/console`, {
      auth: { token: b },
      transports: ['websocket'],
      forceNew: true,
    });
    sockets.push(again);
    expect((await nextEvent<Error>(again, 'connect_error')).message).toMatch(/unauthorised/);
    // Signing in again works: revocation is not a lockout.
    expect(await signIn(server, 'lan')).toBeTruthy();
    expect(await server.store.listAudit({ counsellorId: lan.id })).toMatchObject([
      { action: 'revoke-sessions' },
    ]);
  });

  it('lets a supervisor revoke a colleague, but not a counsellor, and nobody a higher role', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const mai = await counsellor(server, 'mai');
    const sup = await counsellor(server, 'sup', 'supervisor');
    const boss = await counsellor(server, 'boss', 'admin');
    const onMai = await live(mai.token);

    // A plain counsellor: 403, and nothing changes.
    const denied = await consoleApi(server.url, lan.token)(
      'POST',
      `/counsellors/${mai.id}/sessions/revoke`,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    await settle();
    expect(onMai.connected).toBe(true);
    expect((await consoleApi(server.url, mai.token)('GET', '/me')).status).toBe(200);

    const supCall = consoleApi(server.url, sup.token);
    // Not above one's own role, and not someone who does not exist.
    const notAdmin = await supCall('POST', `/counsellors/${boss.id}/sessions/revoke`);
    expect(notAdmin.status).toBe(403);
    expect(notAdmin.body.error.message).toMatch(/only an admin/);
    expect((await consoleApi(server.url, boss.token)('GET', '/me')).status).toBe(200);
    expect((await supCall('POST', '/counsellors/no-such-id/sessions/revoke')).status).toBe(404);

    const maiClosed = closedBy(onMai);
    expect(await supCall('POST', `/counsellors/${mai.id}/sessions/revoke`)).toEqual({
      status: 200,
      body: { revoked: 1 },
    });
    expect(await maiClosed).toBe('io server disconnect');
    expect((await consoleApi(server.url, mai.token)('GET', '/me')).status).toBe(401);
    expect((await supCall('GET', '/me')).status).toBe(200);
    expect(await server.store.listAudit({ counsellorId: sup.id })).toMatchObject([
      { action: `revoke-sessions:${mai.id}` },
    ]);
    // An admin may sign out a supervisor.
    const bossCall = consoleApi(server.url, boss.token);
    expect((await bossCall('POST', `/counsellors/${sup.id}/sessions/revoke`)).status).toBe(200);
    expect((await supCall('GET', '/me')).status).toBe(401);
  });

  it('signing out closes that session’s socket only, not the same counsellor’s other devices', async () => {
    server = await startTestServer();
    const lan = await counsellor(server, 'lan');
    const other = await signIn(server, 'lan');
    const onThis = await live(lan.token);
    const onOther = await live(other);
    const thisClosed = closedBy(onThis);

    expect((await consoleApi(server.url, lan.token)('POST', '/logout')).status).toBe(204);
    expect(await thisClosed).toBe('io server disconnect');
    await settle();
    expect(onOther.connected).toBe(true);
    expect((await consoleApi(server.url, other)('GET', '/me')).status).toBe(200);
  });
});
