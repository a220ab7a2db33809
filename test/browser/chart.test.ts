import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, startTestServer, watch, type TestServer } from './harness.js';

// The spectator's score chart (issue 16 papercuts): a legend of team names (never "Value: --"),
// lines drawn early in the game, and a chart that follows the window when it is resized.
describeBrowser('the score chart', () => {
  let srv: TestServer;
  let browser: Browser;
  let page: Page;
  let seen: ReturnType<typeof watch>;
  const chartWidth = async () => (await page.locator('[data-testid=chart] .uplot').boundingBox())?.width ?? 0;
  const boxWidth = async () => (await page.getByTestId('chart').boundingBox())?.width ?? 0;

  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    for (const [id, name] of [['juliet', 'Juliet'], ['kilo', 'Kilo']]) expect((await srv.api('POST', '/api/admin/teams', { id, name, members: [] })).status).toBe(201);
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
    expect((await srv.api('POST', '/api/admin/adjustments', { team: 'kilo', points: 40, reason: 'a tidy runbook' })).status).toBe(201);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    seen = watch(page);
    await page.goto(srv.url);
    await page.locator('[data-testid=chart] .uplot').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('the legend names the teams and shows no empty value', async () => {
    const legend = page.locator('[data-testid=chart] .u-legend');
    await legend.getByText('Kilo').waitFor();
    await legend.getByText('Juliet').waitFor();
    const text = await legend.innerText();
    expect(text).not.toContain('Value');
    expect(text).not.toContain('--');
    await shot(page, 'chart-early-game');
  });

  it('follows the window when it is resized', async () => {
    const wide = await chartWidth();
    expect(wide).toBeGreaterThan(300);
    await page.setViewportSize({ width: 700, height: 900 });
    await expect.poll(chartWidth).toBeLessThan(wide);
    // Inside its card, never wider than it.
    await expect.poll(async () => Math.abs((await chartWidth()) - (await boxWidth()))).toBeLessThanOrEqual(2);
    await page.setViewportSize({ width: 1280, height: 900 });
    await expect.poll(async () => Math.abs((await chartWidth()) - (await boxWidth()))).toBeLessThanOrEqual(2);
    expect(await chartWidth()).toBeGreaterThan(600);
    await shot(page, 'chart-after-resize');
    expect(seen.errors).toEqual([]);
  });
});
