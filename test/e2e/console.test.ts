/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so this file also sees DOM types.
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/handoff/passwords.js';
import { browserMissing, useChromium } from '../support/browser.js';
import { content } from '../support/conversation.js';
import { startTestServer, type TestServer } from '../support/server.js';

const PASSWORD = 'counsellor-password-1';
const SHOTS = 'test-results/screenshots';

describe.skipIf(browserMissing)('counsellor console in a real browser (Chromium)', () => {
  const chromium = useChromium();
  let server: TestServer;
  beforeAll(() => {
    mkdirSync(SHOTS, { recursive: true });
  });
  afterEach(async () => {
    await server?.cleanup();
  });

  /** The widget on a 360 px phone, opened: the page and its message box. */
  async function openWidget() {
    const user = await (
      await chromium().newContext({ viewport: { width: 360, height: 740 } })
    ).newPage();
    await user.goto(`${server.url}/`);
    await user.getByRole('button', { name: /Hỏi đáp an toàn/ }).click();
    return { user, input: user.getByRole('textbox', { name: 'Tin nhắn của bạn' }) };
  }

  /** A fresh server with one counsellor, Chị Lan. */
  async function serverWithLan(): Promise<TestServer> {
    const started = await startTestServer();
    await started.store.createCounsellor({
      username: 'lan',
      displayName: 'Chị Lan',
      role: 'counsellor',
      passwordHash: await hashPassword(PASSWORD),
      languages: ['vi'],
    });
    return started;
  }

  async function signIn(username: string): Promise<Page> {
    const page = await (
      await chromium().newContext({ viewport: { width: 1366, height: 768 } })
    ).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Tên đăng nhập').fill(username);
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Nhận người tiếp theo' }).waitFor();
    return page;
  }

  it('takes an emergency from the widget, talks both ways, inserts a suggestion, and closes with an outcome', async () => {
    server = await startTestServer();
    const passwordHash = await hashPassword(PASSWORD);
    for (const [username, displayName] of [
      ['lan', 'Chị Lan'],
      ['mai', 'Chị Mai'],
    ]) {
      await server.store.createCounsellor({
        username: username as string,
        displayName: displayName as string,
        role: 'counsellor',
        passwordHash,
        languages: ['vi'],
      });
    }
    const lan = await signIn('lan');
    const mai = await signIn('mai');
    await lan.getByRole('switch').check();

    const { user, input } = await openWidget();
    await input.fill('em đang bị nhốt ở Campuchia, bọn nó đánh em');
    await input.press('Enter');
    await user.getByText(/Bạn có an toàn để tiếp tục nhắn tin không/).waitFor();

    // The counsellor sees it at the top of the queue within a second, with its level in words.
    const firstRow = lan.locator('section[aria-label="Hàng chờ"] tbody tr').first();
    await firstRow.getByText('KHẨN CẤP').waitFor({ timeout: 1000 });
    expect(await firstRow.textContent()).toMatch(/nhốt/);
    expect(await lan.title()).toMatch(/Khẩn cấp/);
    await lan.screenshot({ path: `${SHOTS}/console-queue-1366x768.png` });

    // Mai's view goes stale (her queue refresh is held), Lan claims, then Mai is told it is taken.
    await mai.locator('section[aria-label="Hàng chờ"] tbody tr').first().waitFor();
    let releaseMai: () => void = () => undefined;
    const held = new Promise<void>((r) => {
      releaseMai = r;
    });
    await mai.route('**/api/console/queue', async (route) => {
      await held;
      await route.continue();
    });
    await firstRow.getByRole('button', { name: 'Nhận' }).click();
    await lan.getByRole('region', { name: 'Tóm tắt bàn giao' }).waitFor();
    await mai
      .locator('section[aria-label="Hàng chờ"] tbody tr')
      .first()
      .getByRole('button', { name: 'Nhận' })
      .click();
    await mai.getByRole('alert').getByText('Người khác đã nhận cuộc trò chuyện này.').waitFor();
    releaseMai();

    // The summary shows why it was flagged.
    const summary = await lan.getByRole('region', { name: 'Tóm tắt bàn giao' }).textContent();
    expect(summary).toMatch(/KHẨN CẤP/);
    expect(summary).toMatch(/«bị nhốt»/);
    await user.getByText(/Chị Lan \(tư vấn viên\) đã vào cuộc trò chuyện/).waitFor();

    // Both directions, and user text is only ever text.
    const reply = lan.getByRole('textbox', { name: 'Trả lời (Enter để gửi)' });
    await reply.pressSequentially('Chị là Lan. Em có đang an toàn để nhắn không?');
    await user.getByText('Tư vấn viên đang nhập…').waitFor();
    await reply.press('Enter');
    await user.getByText('Chị là Lan. Em có đang an toàn để nhắn không?').waitFor();
    let dialogs = 0;
    lan.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const payload = '<img src=x onerror="window.__xss=1;alert(1)"> em vẫn ở đây';
    await input.fill(payload);
    await input.press('Enter');
    const transcript = lan.getByRole('list', { name: 'Nội dung' });
    await transcript.getByText(payload).waitFor();
    expect(await transcript.locator('img').count()).toBe(0);
    expect(
      await lan.evaluate(() => (window as unknown as { __xss?: number }).__xss),
    ).toBeUndefined();
    expect(dialogs).toBe(0);

    // A knowledge-base suggestion, inserted then sent.
    await lan
      .getByRole('region', { name: 'Gợi ý từ kho kiến thức' })
      .getByRole('button', { name: 'Chèn' })
      .first()
      .click();
    const inserted = await reply.inputValue();
    expect(inserted.length).toBeGreaterThan(50);
    await reply.press('Enter');
    await user.getByText(inserted.slice(0, 40), { exact: false }).waitFor();
    await lan.screenshot({ path: `${SHOTS}/console-chat-1366x768.png` });

    // Close with an outcome; the user gets the goodbye and is back with the bot.
    await lan.getByRole('combobox', { name: 'Kết quả' }).selectOption('referral');
    await lan.getByRole('combobox', { name: 'Chi tiết' }).selectOption('rescue');
    await lan.getByRole('textbox', { name: 'Cơ quan được giới thiệu' }).fill('Công an tỉnh');
    await lan.getByRole('button', { name: 'Kết thúc' }).click();
    await user.getByText(/Tư vấn viên đã kết thúc cuộc trò chuyện/).waitFor();
    await input.fill('tổng đài 111 là gì');
    await input.press('Enter');
    await user.getByRole('heading', { name: /Tổng đài 111/ }).waitFor();
    const closed = (await server.store.listOpenTickets()).length;
    expect(closed).toBe(0);
  });

  it('shows why the learned model raised a chat that no phrase list caught: its level and the words that weighed', async () => {
    server = await serverWithLan();
    const lan = await signIn('lan');
    await lan.getByRole('switch').check();
    const { user, input } = await openWidget();
    // No phrase of triage.yaml is in it (checked below): only the model reads the danger.
    const said = 'cửa phòng bị khoá từ bên ngoài, họ lấy hết điện thoại của tụi em rồi';
    expect(content().triage.screen(said).level).toBe('none');
    await input.fill(said);
    await input.press('Enter');
    await user.getByText(/Bạn có an toàn để tiếp tục nhắn tin không/).waitFor();

    const row = lan.locator('section[aria-label="Hàng chờ"] tbody tr').first();
    await row.getByText('KHẨN CẤP').waitFor({ timeout: 1000 });
    expect(await row.textContent()).toMatch(
      /Mô hình: có thể đang gặp nguy hiểm ngay.*«[^»]*khoa[^»]*»/,
    );
    await row.getByRole('button', { name: 'Nhận' }).click();
    const summary = lan.getByRole('region', { name: 'Tóm tắt bàn giao' });
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/Mô hình: có thể đang gặp nguy hiểm ngay/);
    await lan.screenshot({ path: `${SHOTS}/console-model-signal-1366x768.png` });
  });

  it('signs out everywhere: the same counsellor on another PC is back at sign-in, told why', async () => {
    server = await serverWithLan();
    const here = await signIn('lan');
    const elsewhere = await signIn('lan');
    await here.getByRole('button', { name: 'Đăng xuất mọi nơi' }).click();
    await here.getByRole('button', { name: 'Đăng nhập' }).waitFor();
    // The other PC's live connection is closed by the server: no refresh needed to notice.
    await elsewhere.getByText(/Phiên đăng nhập này đã kết thúc/).waitFor({ timeout: 2000 });
    expect(await elsewhere.evaluate(() => sessionStorage.getItem('sj-console-token'))).toBeNull();
  });
});

describe.skipIf(browserMissing)('supervisor view in a real browser (Chromium)', () => {
  const chromium = useChromium();
  let server: TestServer;
  afterAll(async () => {
    await server?.cleanup();
  });

  it('shows the shift overview, canned replies and the referral directory, in English too', async () => {
    server = await startTestServer();
    const passwordHash = await hashPassword(PASSWORD);
    const sup = await server.store.createCounsellor({
      username: 'sup',
      displayName: 'Sup',
      role: 'supervisor',
      passwordHash,
      languages: ['vi', 'en'],
    });
    await server.store.saveCannedReply({
      locale: 'vi',
      title: 'Chào hỏi',
      text: 'Chào em, chị là tư vấn viên.',
      updatedBy: sup.id,
    });
    const conv = await server.store.openConversation('web', 'someone', 'vi');
    await server.store.appendMessage({
      conversationId: conv.id,
      direction: 'in',
      text: 'cho em gặp tư vấn viên',
    });
    await server.store.openTicket({
      conversationId: conv.id,
      channel: 'web',
      locale: 'vi',
      level: 'urgent',
      signals: [],
      reason: 'asked',
    });

    const page = await (
      await chromium().newContext({ viewport: { width: 1366, height: 768 } })
    ).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Tên đăng nhập').fill('sup');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    const overview = page.getByRole('region', { name: 'Tổng quan ca trực' });
    await overview.waitFor();
    expect(await overview.textContent()).toMatch(/Đang tư vấn\s*0/);
    // Nobody is online, so the Vietnamese ticket waits in a language nobody online speaks.
    expect(await overview.textContent()).toMatch(/không ai trực nói được\s*vi: 1/);

    await page.getByRole('button', { name: 'Nhận người tiếp theo' }).click();
    await page
      .getByRole('combobox', { name: 'Câu trả lời mẫu' })
      .selectOption({ label: 'Chào hỏi' });
    expect(await page.getByRole('textbox', { name: 'Trả lời (Enter để gửi)' }).inputValue()).toBe(
      'Chào em, chị là tư vấn viên.',
    );

    await page.getByText('Danh bạ chuyển tuyến').click();
    await page
      .getByRole('textbox', { name: 'Tỉnh/thành (tên mới hoặc cũ)' })
      .first()
      .fill('Hà Giang');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await page.getByText('Tuyên Quang (Hà Giang)').waitFor();
    await page.screenshot({ path: `${SHOTS}/console-supervisor-1366x768.png` });

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('button', { name: 'Help next' }).waitFor();
    await page.getByRole('region', { name: 'Shift overview' }).waitFor();
  });

  it('shows the reports page with the figures of the period as bars', async () => {
    server = await startTestServer();
    const passwordHash = await hashPassword(PASSWORD);
    await server.store.createCounsellor({
      username: 'boss',
      displayName: 'Boss',
      role: 'supervisor',
      passwordHash,
      languages: ['vi'],
    });
    const now = new Date();
    const regions = ['northern-mountains', 'red-river-delta', 'north-central', 'mekong-delta'];
    const outcomes = ['information', 'information', 'counselling', 'referral'];
    for (let i = 0; i < 40; i++) {
      await server.store.recordEvent({
        at: now,
        channel: i % 3 ? 'web' : 'zalo',
        kind: 'ticket',
        outcome: outcomes[i % 4] as string,
        detail: 'none',
        region: regions[i % 4 === 3 ? 0 : i % 4] as string,
        waitSeconds: 30 + i * 5,
      });
      await server.store.recordEvent({
        at: now,
        channel: 'web',
        kind: 'turn',
        intent: i % 5 ? 'answer' : 'fallback',
        topic: i % 2 ? 'hotline-111' : 'fake-job-offers',
      });
    }
    for (const [i, text] of ['cách nấu phở bò ngon', 'công thức nấu phở bò'].entries()) {
      await server.engine.handle({
        channel: 'web',
        userId: `gap-${i}`,
        messageId: `gap-${i}`,
        text,
        receivedAt: now,
      });
    }
    const page = await (
      await chromium().newContext({ viewport: { width: 1366, height: 768 } })
    ).newPage();
    await page.goto(`${server.url}/console/`);
    await page.getByLabel('Tên đăng nhập').fill('boss');
    await page.getByLabel('Mật khẩu').fill(PASSWORD);
    await page.getByRole('button', { name: 'Đăng nhập' }).click();
    await page.getByRole('button', { name: 'Báo cáo' }).click();
    const outcomesTable = page.getByRole('region', { name: 'Kết quả', exact: true });
    await outcomesTable.waitFor();
    expect(await outcomesTable.textContent()).toMatch(/Kết quả \(40\)/);
    // People read names, not ids: regions and topics as the hotline and the articles say them.
    expect(await page.getByRole('region', { name: 'Vùng' }).textContent()).toMatch(
      /Trung du và miền núi phía Bắc\s*20/,
    );
    const topics = await page.getByRole('region', { name: 'Chủ đề được hỏi' }).textContent();
    expect(topics).toMatch(/111/);
    expect(topics).not.toMatch(/hotline-111|fake-job-offers/);
    expect(await page.locator('.wait-figures').textContent()).toMatch(/40/);
    // The editors' list of what the bot could not answer is on the same page.
    await page.getByRole('region', { name: /Câu hỏi bot chưa trả lời được/ }).waitFor();
    await page.screenshot({ path: `${SHOTS}/console-reports-1366x768.png`, fullPage: true });
  });
});
