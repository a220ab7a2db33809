import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
}

// A whole fault, played in the browser: the embedded platform runs the team's chat service as real
// processes (built JavaScript), the organizer triggers fault 1, the team fixes it in the ops
// console, and a judge scores the team's status update.
describeBrowser('a fault played through the pages', () => {
  let srv: TestServer;
  let browser: Browser;
  let team: Created;
  beforeAll(async () => {
    srv = await startTestServer({ speed: 10 });
    browser = await launchBrowser();
    team = (await srv.api<Created>('POST', '/api/admin/teams', { id: 'charlie', name: 'Charlie' })).body;
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('a team fixes the broken route in the ops console and sees its service recover; a judge scores its update', { timeout: 180_000 }, async () => {
    const next = await srv.api('POST', '/api/admin/teams/charlie/faults/next', {});
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    const { context, page } = await signedIn(browser, srv.url, team.token);
    await page.getByTestId('my-name').fill('Chika');
    // The briefing appears once the fault is injected (the war room refreshes on /ws/team frames).
    await page.locator('[data-testid=briefing][data-fault=site-unreachable]').waitFor({ timeout: 90_000 });

    // A status update for the stakeholders, to be judged later.
    await page.locator('[data-tab=status]').click();
    const st = page.getByTestId('status-form');
    await st.locator('textarea').fill('The chat site is down for everyone; we are rolling back a routing change.');
    await st.locator('input').first().fill('All users cannot load the chat page');
    await st.getByRole('button', { name: 'Publish status update' }).click();
    await st.getByText('Published.').waitFor();

    // Diagnose in the ops console: the change history names the culprit, the manifest is fixed by hand.
    await page.locator('[data-tab=ops]').click();
    await page.getByTestId('ops-history').locator('tr').nth(1).waitFor();
    const manifest = page.getByTestId('ops-manifest');
    const editor = manifest.locator('textarea');
    await expect.poll(() => editor.inputValue()).toContain('8081');
    // A bad manifest first: the server's validation error shows under the editor, nothing changes.
    await editor.fill('ingress: [');
    await manifest.locator('input').fill('oops');
    await manifest.getByRole('button', { name: 'Apply manifest' }).click();
    await manifest.getByTestId('manifest-errors').waitFor();
    await page.reload();
    await page.locator('[data-tab=ops]').click();
    const fixed = (await page.getByTestId('ops-manifest').locator('textarea').inputValue()).replace('port: 8081', 'port: 80');
    await page.getByTestId('ops-manifest').locator('textarea').fill(fixed);
    await page.getByTestId('ops-manifest').locator('input').fill('Move frontend route back to port 80');
    await page.getByTestId('ops-manifest').getByRole('button', { name: 'Apply manifest' }).click();
    await page.getByTestId('ops-manifest').getByText('Applied.').waitFor();
    await page.getByTestId('ops-history').getByText('Move frontend route back to port 80').waitFor();
    await page.getByTestId('ops-history').getByText('by Chika').waitFor();

    // The probes see it recover; the war room shows it without a reload.
    await page.locator('[data-testid=briefing][data-state=recovered], [data-testid=briefing][data-state=resolved]').first().waitFor({ timeout: 120_000 });
    await shot(page, 'war-room-recovered');

    // The organizer judges the status update; the team's score on the organizers' board moves.
    const { context: org, page: admin } = await signedIn(browser, srv.url, srv.adminToken);
    const score = admin.locator('tr[data-team=charlie] [data-testid=admin-score]');
    await score.waitFor();
    const before = Number(await score.getAttribute('data-milli'));
    const item = admin.locator('[data-testid=judge-item][data-team=charlie]');
    await item.getByText('rolling back a routing change').waitFor();
    const form = item.getByTestId('judge-communication');
    await form.locator('input[name=score]').fill('5');
    await form.getByRole('button', { name: 'Record judgement' }).click();
    await form.getByText('Recorded.').waitFor();
    // Polled from Node: the page's CSP forbids the eval a string predicate would need.
    await expect.poll(async () => Number(await admin.locator('tr[data-team=charlie] [data-testid=admin-score]').getAttribute('data-milli'))).toBeGreaterThan(before);
    await shot(admin, 'admin-after-judgement');
    await org.close();
    await context.close();
  });
});
