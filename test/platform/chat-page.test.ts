import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, startTestServer, type TestServer } from '../browser/harness.js';

// The chat page as spectators use it on their phones: through the firedrill server's own port
// (/t/<team>/), two people, messages in Japanese and emoji arriving live without a reload.
describeBrowser('the chat page through /t/<team>/', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    expect((await srv.api('POST', '/api/admin/teams', { id: 'echo', name: 'Echo' })).status).toBe(201);
    await srv.services.platform!.ready('echo');
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('posts from one phone and shows the message live on another, as text', { timeout: 60_000 }, async () => {
    const a = await (await browser.newContext({ viewport: { width: 390, height: 700 } })).newPage();
    const b = await (await browser.newContext({ viewport: { width: 390, height: 700 } })).newPage();
    // b's live stream must be attached before a posts: its response headers are the sign.
    const streaming = b.waitForResponse((r) => r.url().includes('/t/echo/api/stream') && r.status() === 200);
    await a.goto(`${srv.url}/t/echo`);
    await b.goto(`${srv.url}/t/echo/`);
    expect(await a.title()).toBe('Chat');
    expect(a.url()).toBe(`${srv.url}/t/echo/`);
    await streaming;

    const text = '<b>こんにちは</b> 🍜 ラーメン';
    await a.locator('#name').fill('Aiko 🌸');
    await a.locator('#text').fill(text);
    await a.locator('#send').click();
    const onB = b.locator('#messages li', { hasText: 'ラーメン' });
    await onB.waitFor({ timeout: 15_000 });
    expect(await onB.locator('.text').textContent()).toBe(text);
    expect(await b.locator('#messages b').count()).toBe(0); // shown as text, never as HTML
    expect(await a.locator('#status').textContent()).toBe('');
    await shot(b, 'chat-page-live');
  });
});
