import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

// A spectator's side of a team: its panel, "report a problem", and the team's real chat service
// behind /t/:team/ (the embedded platform runs it as processes). One server, one team.
describeBrowser('a spectator uses a team’s service', () => {
  let srv: TestServer;
  let browser: Browser;
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const created = await srv.api('POST', '/api/admin/teams', { id: 'echo', name: 'Echo Company of Extremely Long Team Names' });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('reports a problem from the team’s panel; the organizers see the report', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${srv.url}/`);
    await page.locator('.board-row[data-team=echo]').click();
    const panel = page.locator('#team-panel');
    await panel.getByRole('heading', { name: 'Echo Company of Extremely Long Team Names' }).waitFor();
    const form = panel.getByTestId('report-form');
    await form.locator('textarea').fill('my message never appeared in #general');
    await form.getByRole('button', { name: 'Report a problem' }).click();
    await form.getByText('Thanks — the organizers can see your report.').waitFor();
    await expect(form.locator('textarea').inputValue()).resolves.toBe('');

    const events = await srv.api<{ events: Array<{ team: string; source: string; data: { text: string } }> }>('GET', '/api/admin/events?type=report.filed');
    expect(events.body.events).toMatchObject([{ team: 'echo', source: 'spectator', data: { text: 'my message never appeared in #general' } }]);

    const { context: org, page: admin } = await signedIn(browser, srv.url, srv.adminToken);
    await admin.getByTestId('reports').locator('tr[data-team=echo]').getByText('my message never appeared in #general').waitFor();
    expect(seen.errors).toEqual([]);
    await org.close();
    await context.close();
  });

  it('opens the team’s chat service from the panel and posts a message that appears', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${srv.url}/?team=echo`);
    const [chat] = await Promise.all([context.waitForEvent('page'), page.locator('#team-panel').getByTestId('open-chat').click()]);
    await chat.waitForLoadState();
    expect(new URL(chat.url()).pathname).toBe('/t/echo/');
    await chat.locator('#form').waitFor();
    // A second spectator watches the same room: the message reaches them live.
    const other = await context.newPage();
    await other.goto(`${srv.url}/t/echo/`);
    await other.locator('#form').waitFor();

    await chat.locator('#name').fill('Eri');
    await chat.locator('#text').fill('hello from the stands 🔥');
    await chat.locator('#send').click();
    await chat.locator('#messages li', { hasText: 'hello from the stands 🔥' }).waitFor();
    await other.locator('#messages li', { hasText: 'hello from the stands 🔥' }).waitFor({ timeout: 15_000 });
    await expect(chat.locator('#text').inputValue()).resolves.toBe('');
    await shot(chat, 'chat-page-spectator');
    await context.close();
  });

  it('keeps a long fault title inside the team’s row on a 390 px phone', { timeout: 60_000 }, async () => {
    // The second fault has the longest title; get there by skipping the first.
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
    expect((await srv.api('POST', '/api/admin/teams/echo/faults/next', {})).status).toBe(200);
    expect((await srv.api('POST', '/api/admin/teams/echo/faults/site-unreachable/skip', {})).status).toBe(200);
    expect((await srv.api('POST', '/api/admin/teams/echo/faults/next', {})).status).toBe(200);

    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${srv.url}/`);
    const chip = page.locator('.board-row[data-team=echo] [data-testid=fault-state][data-state=injected]');
    await chip.waitFor({ timeout: 45_000 });
    // Spectators see the fault's public symptom, never its cause, until the reveal.
    await expect(chip.textContent()).resolves.toContain('Messages do not load');
    await expect(chip.textContent()).resolves.not.toContain('the backend cannot reach the database');
    // (A string: the test project has no DOM types. page.evaluate runs it outside the page's CSP.)
    const fits = await page.evaluate<{ inside: boolean; phaseShown: boolean; rowOverflow: number; page: number }>(`(() => {
      const row = document.querySelector('.board-row[data-team=echo]');
      const r = row.getBoundingClientRect();
      const inside = [...row.querySelectorAll('*')].every((el) => {
        const b = el.getBoundingClientRect();
        return b.left >= r.left - 0.5 && b.right <= r.right + 0.5;
      });
      // The title gives way; the state word is whole inside the chip.
      const chip = row.querySelector('[data-testid=fault-state]').getBoundingClientRect();
      const phase = row.querySelector('.fault-phase').getBoundingClientRect();
      const phaseShown = phase.width > 0 && phase.right <= chip.right + 0.5;
      return { inside, phaseShown, rowOverflow: row.scrollWidth - row.clientWidth, page: document.documentElement.scrollWidth };
    })()`);
    expect(fits).toEqual({ inside: true, phaseShown: true, rowOverflow: 0, page: 390 });
    await shot(page, 'spectator-phone-long-fault');
    await context.close();
  });
});
