import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
  joinLink: string;
}

describeBrowser('live pages against the real server', () => {
  let srv: TestServer;
  let browser: Browser;
  let alpha: Created;
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const a = await srv.api<Created>('POST', '/api/admin/teams', { id: 'alpha', name: 'Alpha Squad', members: [{ name: 'Aiko', role: 'IC' }] });
    const b = await srv.api<Created>('POST', '/api/admin/teams', { id: 'bravo', name: 'Bravo <b>Team</b>' });
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    alpha = a.body;
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('moves a team up the spectator board live when an organizer awards points in the console', async () => {
    const spectator = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true });
    const board = await spectator.newPage();
    const seen = watch(board);
    await board.goto(`${srv.url}/`);
    await board.getByTestId('live-state').and(board.locator('[data-state=open]')).waitFor();
    await board.locator('.board-row').nth(1).waitFor();
    // A marker that a reload would wipe: the change must arrive over the WebSocket.
    await board.evaluate('window.marker = 42');
    const bravoRow = board.locator('.board-row[data-team=bravo]');
    const rankBefore = Number(await bravoRow.getAttribute('data-rank'));

    const { context: org, page: admin } = await signedIn(browser, srv.url, srv.adminToken);
    await admin.getByTestId('adjust-form').waitFor();
    const form = admin.getByTestId('adjust-form');
    await form.locator('select[name=team]').selectOption('bravo');
    await form.locator('input[name=points]').fill('75');
    await form.locator('input[name=reason]').fill('best status page of the morning');
    await form.getByRole('button').click();
    await form.getByText('Adjusted.').waitFor();

    const bravo = board.locator('.board-row[data-team=bravo]');
    await expect.poll(async () => [await bravo.getAttribute('data-rank'), await bravo.getByTestId('score').textContent()]).toEqual(['1', '75']);
    expect(await board.evaluate('window.marker')).toBe(42);
    expect(rankBefore).toBe(2);
    // The team name is text, tags and all.
    await expect(bravoRow.locator('.name').textContent()).resolves.toBe('Bravo <b>Team</b>');

    // Tap: the breakdown with the reason and the evidence behind it.
    await bravoRow.click();
    const panel = board.locator('#team-panel');
    await panel.getByTestId('breakdown').getByText('best status page of the morning').waitFor();
    await panel.locator('[data-kind=score]').first().waitFor();
    await shot(board, 'spectator-phone-after-award');
    expect(seen.errors).toEqual([]);
    await org.close();
    await spectator.close();
  });

  it('shows markup typed into messages, status updates and reports as text, and runs none of it', async () => {
    const evil = `<script>alert("xss")</script><img src=x onerror="alert('img')">`;
    const team = await srv.api('POST', '/api/team/messages', { channel: 'incident', text: `hello ${evil}`, clientId: 'xss-1' }, alpha.token);
    expect(team.status).toBe(201);
    const persona = await srv.api('POST', '/api/admin/messages', { team: 'alpha', persona: 'cto', channel: 'incident', text: `CTO says ${evil}` });
    expect(persona.status, JSON.stringify(persona.body)).toBe(201);
    const status = await srv.api('POST', '/api/team/status', { text: `Investigating ${evil}`, impact: evil }, alpha.token);
    expect(status.status).toBe(201);

    const { context, page } = await signedIn(browser, srv.url, alpha.token);
    const seen = watch(page);
    await page.locator('[data-tab=channels]').click();
    const incident = page.getByTestId('channel-incident');
    await incident.getByText(`hello ${evil}`).waitFor();
    await incident.getByText(`CTO says ${evil}`).waitFor();
    expect(await page.locator('#app img, #app script').count()).toBe(0);
    await shot(page, 'war-room-channels-xss');

    // The public status page shows the same text as text.
    const spectator = await browser.newPage();
    const seen2 = watch(spectator);
    await spectator.goto(`${srv.url}/?team=alpha`);
    await spectator.locator('#team-panel').getByText(`Investigating ${evil}`).first().waitFor();
    expect(await spectator.locator('#app img, #app script').count()).toBe(0);
    expect([...seen.dialogs, ...seen2.dialogs]).toEqual([]);
    expect([...seen.errors, ...seen2.errors]).toEqual([]);
    await spectator.close();
    await context.close();
  });

  it('signs a team in by its join link and sends a message from the war room', async () => {
    const { context, page } = await signedIn(browser, srv.url, alpha.token, { locale: 'ja-JP' });
    expect(new URL(page.url()).pathname).toMatch(/^\/team/);
    await page.getByTestId('briefing').waitFor();
    await page.locator('[data-tab=channels]').click();
    const box = page.getByTestId('channel-stakeholders');
    await box.locator('input').fill('お客様への影響を調査中です');
    await box.getByRole('button').click();
    await box.getByText('お客様への影響を調査中です').waitFor();
    const file = await shot(page, 'war-room-ja');
    console.log(`screenshot: ${file}`);
    await context.close();
  });
});
