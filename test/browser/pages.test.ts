import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, startTestServer, watch, type TestServer } from './harness.js';

describeBrowser('web pages in a real browser', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('renders the Japanese UI by the browser language, and remembers a switch to English', async () => {
    const context = await browser.newContext({ locale: 'ja-JP', viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${srv.url}/`);
    await page.getByRole('heading', { name: 'リーダーボード' }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('ja');
    const file = await shot(page, 'spectator-ja');
    console.log(`screenshot: ${file}`);

    await page.getByTestId('lang-switch').click();
    await page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Leaderboard' }).waitFor();
    expect(seen.errors).toEqual([]);
    await context.close();
  });

  it('fits a 375 px phone without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    for (const path of ['/', '/team', '/admin']) {
      await page.goto(`${srv.url}${path}`);
      await page.locator('main').first().waitFor();
      const width = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(width, path).toBeLessThanOrEqual(375);
    }
    await shot(page, 'admin-signin-phone');
    await context.close();
  });

  it('signs an organizer in with the token form, and shows the server’s message for a bad token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${srv.url}/admin`);
    await page.locator('input[name=token]').fill('not-a-valid-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'that token is not valid' }).waitFor();

    await page.locator('input[name=token]').fill(srv.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('game-controls').waitFor();
    // The cookie is HttpOnly: the page's scripts cannot read the token.
    expect(await page.evaluate<string>('document.cookie')).not.toContain(srv.adminToken);
    await shot(page, 'admin-console');
    await context.close();
  });

  it('toggles the big-screen mode for the projector and keeps it in the address', async () => {
    const context = await browser.newContext({ viewport: { width: 1920, height: 1080 } });
    const page = await context.newPage();
    await page.goto(`${srv.url}/?screen=big`);
    // The projector view shows the teams as colour blocks (no "Leaderboard" heading).
    await page.getByTestId('big-blocks').waitFor({ state: 'attached' });
    expect(await page.evaluate('document.body.classList.contains("big")')).toBe(true);
    await expect(page.getByTestId('lang-switch').isVisible()).resolves.toBe(false);
    await page.getByTestId('big-toggle').click();
    await expect.poll(() => page.evaluate('document.body.classList.contains("big") || location.search.includes("screen=big")')).toBe(false);
    await context.close();
  });
});
