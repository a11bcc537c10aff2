/// <reference lib="dom" />
// page.evaluate callbacks run in the browser, so this file also sees DOM types.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { browserMissing, useChromium } from '../support/browser.js';
import { connectChat, nextEvent, startTestServer, type TestServer } from '../support/server.js';

const NEUTRAL = 'https://neutral.example/weather';

describe.skipIf(browserMissing)('web widget in a real browser (Chromium)', () => {
  const chromium = useChromium();
  let server: TestServer;
  afterEach(async () => {
    await server?.cleanup();
  });

  /** A phone-sized page that records every request and serves the neutral site locally. */
  async function openDemo(): Promise<{ page: Page; requests: string[] }> {
    const context = await chromium().newContext({
      viewport: { width: 360, height: 740 },
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.route('https://neutral.example/**', (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: '<title>Weather</title><h1>Weather today</h1>',
      }),
    );
    await page.goto(`${server.url}/`);
    return { page, requests };
  }

  it('answers an unaccented question with the sourced article, survives a reload, and quick-exits', async () => {
    server = await startTestServer();
    const { page, requests } = await openDemo();
    await page.getByRole('button', { name: /Hỏi đáp an toàn/ }).click();
    const dialog = page.getByRole('dialog', { name: 'Hỏi đáp an toàn' });
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(() => dialog.getByRole('log').textContent()).toMatch(/Safe Journey/);

    await dialog
      .getByRole('textbox', { name: 'Tin nhắn của bạn' })
      .fill('lam sao biet cty xkld co giay phep ko');
    await dialog.getByRole('button', { name: 'Gửi' }).click();
    const title = dialog.getByRole('heading', {
      name: 'Kiểm tra công ty xuất khẩu lao động có giấy phép',
    });
    await title.waitFor();
    const source = dialog.getByRole('link', { name: /69\/2020\/QH14/ });
    expect(await source.getAttribute('href')).toMatch(/^https:\/\//);
    expect(await source.getAttribute('rel')).toBe('noopener noreferrer');

    // School-safe: no cookies, no localStorage, only a sessionStorage key; no request to anyone else.
    expect(await page.context().cookies()).toEqual([]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('sj-session'))).toMatch(/^[\w-]{16,}$/);
    const origin = new URL(server.url).origin;
    expect(requests.filter((u) => !u.startsWith(origin))).toEqual([]);

    await page.reload();
    await page
      .getByRole('heading', { name: 'Kiểm tra công ty xuất khẩu lao động có giấy phép' })
      .waitFor();
    expect(await page.getByRole('log').textContent()).toContain(
      'lam sao biet cty xkld co giay phep ko',
    );

    await page.getByRole('button', { name: /Thoát nhanh/ }).click();
    await page.waitForURL(NEUTRAL);
    expect(await page.textContent('h1')).toBe('Weather today');
    expect(await page.evaluate(() => sessionStorage.getItem('sj-session'))).toBeNull();
    await page.goBack().catch(() => undefined);
    expect(page.url()).not.toBe(`${server.url}/`);
  });

  it('restores the conversation after a server restart without reloading the page', async () => {
    server = await startTestServer();
    const { page } = await openDemo();
    await page.getByRole('button', { name: /Hỏi đáp an toàn/ }).click();
    const input = page.getByRole('textbox', { name: 'Tin nhắn của bạn' });
    await input.fill('tong dai 111 la gi');
    await input.press('Enter');
    await page.getByRole('heading', { name: /Tổng đài 111/ }).waitFor();

    server = await server.restart();
    // The page reconnects by itself and redraws the stored conversation, then keeps going.
    await input.fill('cty giu ho chieu cua em');
    await input.press('Enter');
    await page.getByRole('heading', { name: /hộ chiếu/i }).waitFor();
    const log = await page.getByRole('log').textContent();
    expect(log).toContain('tong dai 111 la gi');
    expect(log).toMatch(/Tổng đài 111/);
  });

  it('is usable by keyboard alone, and Esc three times quick-exits', async () => {
    server = await startTestServer();
    const { page } = await openDemo();
    const widgetFocus = () =>
      page.evaluate(
        () => document.querySelector('#safe-journey-widget')?.shadowRoot?.activeElement?.className,
      );
    // Tab through the page (the scrollable code sample takes focus first) to the chat button.
    for (let i = 0; i < 5 && (await widgetFocus()) !== 'launcher'; i++)
      await page.keyboard.press('Tab');
    expect(await widgetFocus()).toBe('launcher');
    await page.keyboard.press('Enter');
    const focused = await page.evaluate(
      () => document.querySelector('#safe-journey-widget')?.shadowRoot?.activeElement?.id,
    );
    expect(focused).toBe('sj-input');
    await page.keyboard.type('111');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: /Tổng đài 111/ }).waitFor();
    // Choices are real buttons a keyboard can reach.
    expect(
      await page.getByRole('button', { name: 'Nói chuyện với tư vấn viên' }).count(),
    ).toBeGreaterThan(0);

    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(NEUTRAL);
  });

  it('says so when the network has too many chats open, instead of "reconnecting" forever', async () => {
    server = await startTestServer({ WIDGET_MAX_CONNECTIONS_PER_IP: '1' });
    // Another tab on the same address holds the only slot.
    const other = connectChat(server.url, 'session-other-tab-000000');
    await nextEvent(other, 'history');
    try {
      const { page } = await openDemo();
      await page.getByRole('button', { name: /Hỏi đáp an toàn/ }).click();
      await expect
        .poll(() => page.getByRole('status').textContent())
        .toMatch(/quá nhiều cuộc trò chuyện/);
    } finally {
      other.close();
    }
  });

  it('fits a 360 px wide phone screen', async () => {
    server = await startTestServer();
    const { page } = await openDemo();
    await page.getByRole('button', { name: /Hỏi đáp an toàn/ }).click();
    const box = await page.getByRole('dialog').boundingBox();
    expect(box?.x).toBeGreaterThanOrEqual(0);
    expect((box?.x ?? 0) + (box?.width ?? 999)).toBeLessThanOrEqual(360);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      360,
    );
  });
});

describe('widget budget', () => {
  it('the built widget script is at most 60 KB gzipped', () => {
    const script = readFileSync(
      new URL('../../dist/widget/safe-journey-widget.js', import.meta.url),
    );
    expect(gzipSync(script).length).toBeLessThanOrEqual(60 * 1024);
  });
});
