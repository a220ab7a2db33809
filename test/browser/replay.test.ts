import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { fromRoot } from '../../src/paths.js';
import { startReplayServer, type ReplayServer } from '../../src/replay-server.js';
import { describeBrowser, launchBrowser, signedIn, watch } from './harness.js';

const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));

// A `firedrill replay` server's console: the organizer pauses, resumes, sets the pace and seeks with
// the page's own controls. The replay's waits are held (it moves only when seeked), so nothing here
// depends on wall time.
describeBrowser('the console drives a replay', () => {
  let rs: ReplayServer;
  let browser: Browser;
  let admin: Page;
  let seen: ReturnType<typeof watch>;
  const position = async () => (await (await fetch(`${rs.url}/api/replay`)).json()) as { paused: boolean; speed: number; gameTime: number };
  const controls = () => admin.getByTestId('replay-controls');

  beforeAll(async () => {
    const config = loadConfig({ flags: { port: 0, logLevel: 'silent' }, env: {} });
    rs = await startReplayServer(config, recorded, { speed: 1, logger: false, sleep: () => new Promise<void>(() => undefined) });
    browser = await launchBrowser();
    admin = (await signedIn(browser, rs.url, rs.adminToken, { viewport: { width: 1280, height: 900 } })).page;
    seen = watch(admin);
    await admin.goto(`${rs.url}/admin`);
    await controls().waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await rs?.close();
  });

  it('pauses and resumes', async () => {
    await controls().getByRole('button', { name: 'Pause', exact: true }).click();
    await expect.poll(async () => (await position()).paused).toBe(true);
    await controls().getByTestId('replay-position').getByText('paused').waitFor();
    await controls().getByRole('button', { name: 'Resume', exact: true }).click();
    await expect.poll(async () => (await position()).paused).toBe(false);
  });

  it('sets the pace and seeks to a game minute', async () => {
    await controls().getByLabel('Set speed').fill('120');
    await controls().getByRole('button', { name: 'Set speed', exact: true }).click();
    await expect.poll(async () => (await position()).speed).toBe(120);
    await controls().getByLabel('game minute').fill('12');
    await controls().getByRole('button', { name: 'Go to', exact: true }).click();
    await expect.poll(async () => (await position()).gameTime).toBe(12 * 60_000);
    await controls().getByTestId('replay-position').getByText(/^12:00 \//).waitFor();
    expect(seen.errors).toEqual([]);
  });
});
