import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

// The organizer console, driven as an organizer would: one server, one team created in the page,
// then the game and the team's faults run from the console's own buttons. The steps build on each
// other (the same game), so they run in order in one file.
describeBrowser('the organizer console runs a game', () => {
  let srv: TestServer;
  let browser: Browser;
  let admin: Page;
  let seen: ReturnType<typeof watch>;
  const row = () => admin.locator('tr[data-team=delta]');
  /** Click a button that asks in place, then confirm. */
  const confirmed = async (scope: ReturnType<Page['locator']>, name: string) => {
    await scope.getByRole('button', { name, exact: true }).click();
    await scope.getByRole('button', { name: 'Confirm', exact: true }).click();
  };

  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const ctx = await signedIn(browser, srv.url, srv.adminToken, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    admin = ctx.page;
    seen = watch(admin);
    await admin.getByTestId('game-controls').waitFor();
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('creates a team; its join link is shown once and signs a new browser into the war room', async () => {
    const form = admin.getByTestId('create-team');
    await form.getByLabel('id (a-z, 0-9, -)').fill('delta');
    await form.getByLabel('Name').fill('Delta Force');
    await form.getByLabel('Members (comma-separated)').fill('Dai, Dee');
    await form.getByRole('button', { name: 'Create a team' }).click();
    const link = (await form.getByTestId('join-link').textContent())?.trim() ?? '';
    expect(link).toMatch(/\/join\?token=/);
    // The form is emptied and the team is listed.
    await expect(form.getByLabel('Name').inputValue()).resolves.toBe('');
    await row().getByText('Delta Force').waitFor();

    const team = await browser.newContext();
    const war = await team.newPage();
    await war.goto(link);
    expect(new URL(war.url()).pathname).toMatch(/^\/team/);
    await war.getByRole('heading', { name: 'Delta Force · War room' }).waitFor();
    await war.getByTestId('briefing').waitFor();
    await team.close();

    // Shown once: a reload of the console does not bring it back.
    await admin.reload();
    await row().waitFor();
    await expect(admin.getByTestId('join-link').count()).resolves.toBe(0);
  });

  it('starts the game, triggers the team’s fault, extends its deadline and skips it', { timeout: 60_000 }, async () => {
    await admin.getByTestId('game-controls').getByRole('button', { name: 'Start' }).click();
    await admin.locator('[data-testid=game-state][data-state=running]').waitFor();

    await confirmed(row(), 'Trigger next');
    // The console follows the fault from armed to injected without a reload.
    await row().locator('[data-testid=fault-state][data-state=injected]').waitFor({ timeout: 45_000 });
    const deadline = row().getByTestId('deadline');
    const before = Number(await deadline.getAttribute('data-deadline'));
    expect(before).toBeGreaterThan(0);

    await row().getByLabel('minutes').fill('7');
    await row().getByRole('button', { name: 'Extend' }).click();
    await expect.poll(async () => Number(await deadline.getAttribute('data-deadline'))).toBe(before + 7 * 60_000);
    await shot(admin, 'admin-fault-injected');

    await confirmed(row(), 'Skip');
    await row().locator('[data-testid=played] [data-fault=site-unreachable][data-status=skipped]').waitFor();
    // The next fault waits its turn: nothing to revert or extend.
    await expect(row().getByRole('button', { name: 'Extend' }).count()).resolves.toBe(0);
    expect(seen.errors).toEqual([]);
  });

  it('speaks as a persona while seeing the team’s channel: each question’s state, and the team’s current fault', async () => {
    const form = admin.getByTestId('persona-form');
    await form.locator('textarea').fill('When will it be back? <b>now</b>');
    await form.getByLabel('Expects an answer (scored)').check();
    await form.getByRole('button', { name: 'Send' }).click();
    const panel = admin.getByTestId('persona-channel');
    // The line as the team reads it (text, never HTML), with its question state.
    const line = panel.locator('li', { hasText: 'When will it be back? <b>now</b>' });
    await line.locator('[data-testid=question-state][data-state=open]').waitFor();
    await expect(panel.locator('li b', { hasText: 'now' }).count()).resolves.toBe(0);
    await panel.getByTestId('persona-fault').getByText('Current fault:').waitFor();
    const answer = await srv.api<{ messages: Array<{ text: string; question?: { state: string } }> }>('GET', '/api/admin/teams/delta/channels');
    expect(answer.body.messages.at(-1)).toMatchObject({ text: 'When will it be back? <b>now</b>', question: { state: 'open' } });
    expect(seen.errors).toEqual([]);
  });

  it('freezes the public board: spectators stop, the console keeps moving, unfreezing reveals', async () => {
    const spectator = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const board = await spectator.newPage();
    await board.goto(`${srv.url}/`);
    await board.getByTestId('live-state').and(board.locator('[data-state=open]')).waitFor();
    const spectatorScore = board.locator('.board-row[data-team=delta] [data-testid=score]');
    await expect.poll(() => spectatorScore.textContent()).toBe('0');

    await admin.getByTestId('freeze').click();
    await admin.getByTestId('freeze').and(admin.getByText('Unfreeze public board')).waitFor();
    await board.getByText('The board is frozen').waitFor();

    // Points given elsewhere (not by this console's form, which would refresh it by itself).
    expect((await srv.api('POST', '/api/admin/adjustments', { team: 'delta', points: 40, reason: 'great handover notes' })).status).toBe(201);
    // (Page scripts may not eval strings under the CSP, so waits poll from here.)
    await expect.poll(() => row().getByTestId('admin-score').getAttribute('data-milli'), { timeout: 10_000 }).toBe('40000');
    // The organizers' view moved; the spectator's did not.
    await expect(spectatorScore.textContent()).resolves.toBe('0');
    await shot(board, 'spectator-frozen-phone');

    await admin.getByTestId('freeze').click();
    await expect.poll(() => spectatorScore.textContent()).toBe('40');
    await expect(board.getByText('The board is frozen').count()).resolves.toBe(0);
    await spectator.close();
  });

  it('pulls the kill switch: asks for a reason and a confirmation, pauses the game, reverts the fault', { timeout: 60_000 }, async () => {
    await confirmed(row(), 'Trigger next');
    await row().locator('[data-testid=fault-state][data-state=injected]').waitFor({ timeout: 45_000 });

    const kill = admin.getByTestId('kill-switch');
    await expect(kill.isDisabled()).resolves.toBe(true);
    await admin.locator('#game').getByPlaceholder('Reason').fill('chat service on fire for real');
    await kill.click();
    await admin.getByText('Revert every active fault for every team now?').waitFor();
    await admin.getByTestId('kill-switch-confirm').click();

    await admin.locator('[data-testid=game-state][data-state=paused]').waitFor();
    await admin.getByTestId('game-controls').getByRole('button', { name: 'Resume' }).waitFor();
    await row().locator('[data-testid=played] [data-fault=database-unreachable][data-status=reverted]').waitFor();
    await shot(admin, 'admin-after-kill-switch');
    const events = await srv.api<{ events: Array<{ type: string; data: { reason?: string } }> }>('GET', '/api/admin/events?type=game.revert_all');
    expect(events.body.events.map((e) => e.data.reason)).toEqual(['chat service on fire for real']);
  });

  it('shows a warning raised on the server in the warnings panel without a reload', async () => {
    await srv.services.store.append({ type: 'warning.raised', team: 'delta', source: 'system', data: { code: 'disk_nearly_full', message: 'data volume at 93%' } });
    const panel = admin.getByTestId('warnings');
    await panel.locator('tr', { hasText: 'disk_nearly_full' }).getByText('data volume at 93%').waitFor({ timeout: 15_000 });
  });

  it('exports the whole event log as a JSON download', async () => {
    const [download] = await Promise.all([admin.waitForEvent('download'), admin.getByTestId('export').click()]);
    expect(download.suggestedFilename()).toMatch(/^firedrill-events-.*\.json$/);
    const file = await download.path();
    const json = JSON.parse(readFileSync(file, 'utf8')) as { events: Array<{ seq: number; type: string; team: string | null }> };
    const types = json.events.map((e) => e.type);
    expect(types).toContain('team.created');
    expect(types).toContain('game.revert_all');
    expect(types).toContain('warning.raised');
    // Every event once, in order.
    const seqs = json.events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(seen.errors).toEqual([]);
    await shot(admin, 'admin-console-end');
  });
});
