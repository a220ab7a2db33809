import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
}

const TEAMS = [
  ['alpha', 'Alpha'],
  ['bravo', 'Bravo'],
  ['charlie', 'Charlie'],
  ['delta', 'Delta'],
] as const;

/** Everything on screen inside the viewport: nothing clipped, nothing to scroll to. */
async function inside(page: Page, selector: string): Promise<void> {
  const vp = page.viewportSize()!;
  const box = (await page.locator(selector).first().boundingBox())!;
  expect(box, selector).toBeTruthy();
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width, `${selector} right edge`).toBeLessThanOrEqual(vp.width + 1);
  expect(box.y + box.height, `${selector} bottom edge`).toBeLessThanOrEqual(vp.height + 1);
}

// The big screen (issue 16): a projector at 1920×1080 (and 1280×720) shows every team as a
// colour block, the chart full width inside the screen, and a ticker that moves live.
describeBrowser('the big screen', () => {
  let srv: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    for (const [id, name] of TEAMS) expect((await srv.api('POST', '/api/admin/teams', { id, name, members: [] })).status).toBe(201);
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  for (const [width, height, who, points] of [
    [1920, 1080, 'delta', 40],
    [1280, 720, 'charlie', 90],
  ] as const) {
    it(`${width}×${height}: every team, the chart inside the screen, the ticker live`, async () => {
      const page = await (await browser.newContext({ viewport: { width, height } })).newPage();
      const seen = watch(page);
      await page.goto(`${srv.url}/?screen=big`);
      await page.getByTestId('live-state').and(page.locator('[data-state=open]')).waitFor();
      const blocks = page.locator('[data-testid=big-blocks] .block');
      await expect.poll(() => blocks.count()).toBe(TEAMS.length);
      for (const [id] of TEAMS) await inside(page, `[data-testid=big-blocks] .block[data-team=${id}]`);
      // Before any fault every team is healthy.
      expect(await page.locator('.block[data-health=healthy]').count()).toBe(TEAMS.length);
      await page.locator('[data-testid=chart] .uplot').waitFor({ timeout: 30_000 });
      await shot(page, `big-screen-${width}x${height}-start`);
      await inside(page, '[data-testid=chart] .uplot');
      // Full width: the chart takes most of the screen's width, and a good part of its height.
      const chart = (await page.locator('[data-testid=chart] .uplot').boundingBox())!;
      expect(chart.width).toBeGreaterThan(width * 0.6);
      expect(chart.height).toBeGreaterThan(height * 0.3);
      // No scrolling on a projector.
      expect(await page.evaluate<number>('document.documentElement.scrollHeight')).toBeLessThanOrEqual(height);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);

      // An award lifts a team to the top: the ticker says so without a reload.
      expect((await srv.api('POST', '/api/admin/adjustments', { team: who, points, reason: 'a tidy runbook' })).status).toBe(201);
      const name = TEAMS.find(([id]) => id === who)![1];
      await page.locator('[data-testid=ticker] li[data-kind=rank]', { hasText: `${name} is now #1` }).waitFor({ timeout: 15_000 });
      await expect.poll(() => page.locator('.block').first().getAttribute('data-team')).toBe(who);
      await shot(page, `big-screen-${width}x${height}`);
      expect(seen.errors).toEqual([]);
      await page.context().close();
    });
  }

  it('each block says what its users met in the last minute, from the board rows (issue 16)', async () => {
    const page = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
    const seen = watch(page);
    await page.goto(`${srv.url}/?screen=big`);
    await page.getByTestId('live-state').and(page.locator('[data-state=open]')).waitFor();
    await srv.services.store.append({ type: 'traffic.minute', team: 'bravo', source: 'test', data: { minute: 0, requests: 100, failed: 37, slow: 2 } });
    const chip = page.locator('.block[data-team=bravo] [data-testid=traffic]');
    await chip.waitFor({ timeout: 15_000 });
    expect(await chip.getAttribute('data-rate')).toBe('0.37');
    expect(await chip.innerText()).toContain('37%');
    expect(seen.errors).toEqual([]);
    await page.context().close();
  });
});

// The ending (issue 16): the game finishes by itself at a (sped-up) duration, and every page shows
// the results without a reload; the console offers the export files.
describeBrowser('the game ends by itself and everyone sees the results', () => {
  let srv: TestServer;
  let browser: Browser;
  let scenarioFile: string;
  const pages: Record<string, Page> = {};
  const seen: Array<ReturnType<typeof watch>> = [];

  beforeAll(async () => {
    const base = resolve('challenges/chat-service');
    const yaml = readFileSync(join(base, 'scenario.yaml'), 'utf8')
      .replace(/^\$schema:.*$/m, '')
      .replace(/^(\s*)platform: platform\.yaml$/m, `$1platform: ${join(base, 'platform.yaml')}`)
      .replace(/^(\s*)duration: 90m$/m, '$1duration: 2m');
    scenarioFile = join(tmpdir(), `fd-short-${process.pid}.yaml`);
    writeFileSync(scenarioFile, yaml);
    srv = await startTestServer({ scenario: scenarioFile, speed: 20 });
    browser = await launchBrowser();
    const created = (await srv.api<Created>('POST', '/api/admin/teams', { id: 'echo', name: 'Echo', members: [{ name: 'Emi', role: 'IC' }] })).body;
    expect((await srv.api('POST', '/api/admin/teams', { id: 'fox', name: 'Fox', members: [] })).status).toBe(201);
    const viewport = { viewport: { width: 1280, height: 900 } };
    pages.team = (await signedIn(browser, srv.url, created.token, viewport)).page;
    pages.admin = (await signedIn(browser, srv.url, srv.adminToken, viewport)).page;
    pages.board = await (await browser.newContext(viewport)).newPage();
    await pages.board.goto(srv.url);
    for (const p of Object.values(pages)) seen.push(watch(p));
    for (const p of Object.values(pages)) await p.getByTestId('live-state').and(p.locator('[data-state=open]')).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
    rmSync(scenarioFile, { force: true });
  });

  it('every page shows the podium and the final table once the time is up', async () => {
    expect((await srv.api('POST', '/api/admin/adjustments', { team: 'fox', points: 25, reason: 'helped another team' })).status).toBe(201);
    for (const p of Object.values(pages)) expect(await p.getByTestId('results').count()).toBe(0);
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
    // 2 game minutes at ×20: about six seconds, nobody presses "finish".
    for (const p of Object.values(pages)) await p.locator('[data-testid=game-state][data-phase=finished]').waitFor({ timeout: 30_000 });
    expect((await srv.api<{ phase: string }>('GET', '/api/game')).body.phase).toBe('finished');
    for (const [name, p] of Object.entries(pages)) {
      await p.getByTestId('results').waitFor({ timeout: 15_000 });
      await p.getByTestId('podium').waitFor();
      await shot(p, `results-${name}`);
      const podium = p.getByTestId('podium');
      await podium.locator('.step-1', { hasText: 'Fox' }).waitFor();
      await podium.locator('.step-2', { hasText: 'Echo' }).waitFor();
      const table = p.getByTestId('final-table');
      expect(await table.locator('tbody tr').count()).toBe(2);
      await shot(p, `results-${name}`);
    }
    // The console offers the files the server exports.
    const links = pages.admin!.getByTestId('export-links');
    for (const href of ['/api/admin/export/results.json', '/api/admin/export/results.csv', '/api/admin/export/events.jsonl', '/api/admin/export/retro/echo.md?lang=ja']) {
      expect(await links.locator(`a[href="${href}"]`).count(), href).toBe(1);
    }
    for (const s of seen) expect(s.errors).toEqual([]);
  });
});
