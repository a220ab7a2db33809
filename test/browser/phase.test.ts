import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
}

// Every audience hears every game-phase change live (issue 14, defect 4): the war room, the
// spectator board and the organizer console follow start, pause, resume and finish with no
// reload; the countdown to the end is frozen while paused and gone once finished.
describeBrowser('every audience hears the game phase', () => {
  let srv: TestServer;
  let browser: Browser;
  let team: Page;
  let board: Page;
  let admin: Page;
  let token: string;
  const seen: Array<ReturnType<typeof watch>> = [];
  const clockOf = (p: Page) => p.getByTestId('game-clock').textContent();
  /** Wait for a page to show a phase (polled from Node: the page's CSP forbids eval'd predicates). */
  const shows = (p: Page, phase: string) => p.locator(`[data-testid=game-state][data-phase=${phase}]`).waitFor({ timeout: 20_000 });

  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const created = (await srv.api<Created>('POST', '/api/admin/teams', { id: 'india', name: 'India', members: [{ name: 'Ito', role: 'IC' }] })).body;
    const viewport = { viewport: { width: 1280, height: 900 } };
    token = created.token;
    team = (await signedIn(browser, srv.url, created.token, viewport)).page;
    admin = (await signedIn(browser, srv.url, srv.adminToken, viewport)).page;
    board = await (await browser.newContext(viewport)).newPage();
    await board.goto(srv.url);
    for (const p of [team, board, admin]) seen.push(watch(p));
    for (const p of [team, board, admin]) await shows(p, 'not_started');
    for (const p of [team, board, admin]) await p.getByTestId('live-state').and(p.locator('[data-state=open]')).waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('the war room shows the countdown to the scenario duration before the start', async () => {
    const duration = srv.services.scenario.game.durationMs;
    await expect.poll(async () => Number(await team.getByTestId('countdown').getAttribute('data-left'))).toBe(Math.round(duration / 1000));
  });

  it('the war room before the start shows the scenario description and the team members', async () => {
    const pregame = team.getByTestId('pregame');
    await pregame.getByText(srv.services.scenario.description.en.slice(0, 40), { exact: false }).waitFor({ timeout: 20_000 });
    await pregame.getByTestId('members').getByText('Ito (IC)').waitFor();
  });

  it('the countdown fits a 390 px phone in Japanese', async () => {
    const phone = (await signedIn(browser, srv.url, token, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })).page;
    await phone.goto(`${srv.url}/team?lang=ja`);
    await phone.getByText('終了まで 1:30:00').waitFor();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(phone, 'war-room-countdown-phone-ja');
    await phone.context().close();
  });

  it('start, pause, resume and finish reach every page without a reload', async () => {
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
    for (const p of [team, board, admin]) await shows(p, 'running');

    expect((await srv.api('POST', '/api/admin/game/pause', {})).status).toBe(200);
    for (const p of [team, board, admin]) await shows(p, 'paused');
    // Paused: the countdown holds still (two reads with a tick of the page clock between them).
    const left = await team.getByTestId('countdown').getAttribute('data-left');
    await team.waitForTimeout(1_500);
    expect(await team.getByTestId('countdown').getAttribute('data-left')).toBe(left);
    expect(Number(left)).toBeLessThanOrEqual(Math.round(srv.services.scenario.game.durationMs / 1000));

    expect((await srv.api('POST', '/api/admin/game/resume', {})).status).toBe(200);
    for (const p of [team, board, admin]) await shows(p, 'running');
    // Running: the war room's countdown moves again.
    await expect.poll(async () => Number(await team.getByTestId('countdown').getAttribute('data-left')), { timeout: 10_000 }).toBeLessThan(Number(left));
    await shot(team, 'war-room-countdown');

    expect((await srv.api('POST', '/api/admin/game/finish', {})).status).toBe(200);
    for (const p of [team, board, admin]) await shows(p, 'finished');
    await shot(team, 'war-room-finished');
    await shot(board, 'board-finished');
    // The clock has stopped on every page and no countdown is left.
    const clocks = await Promise.all([team, board, admin].map(clockOf));
    await team.waitForTimeout(1_500);
    expect(await Promise.all([team, board, admin].map(clockOf))).toEqual(clocks);
    for (const p of [team, board, admin]) expect(await p.getByTestId('countdown').count()).toBe(0);
    // The server's own clock agrees the game is over.
    expect((await srv.api<{ phase: string }>('GET', '/api/game')).body.phase).toBe('finished');
    for (const s of seen) expect(s.errors).toEqual([]);
  });
});
