import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
}

// The war room during a fault: the incident board, hints, the postmortem and a release rollback.
// One server, one team, the first fault injected by the organizer API; one signed-in page.
describeBrowser('the war room during a fault', () => {
  let srv: TestServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let seen: ReturnType<typeof watch>;
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const team = (await srv.api<Created>('POST', '/api/admin/teams', { id: 'foxtrot', name: 'Foxtrot', members: [{ name: 'Fumi', role: 'IC' }] })).body;
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
    expect((await srv.api('POST', '/api/admin/teams/foxtrot/faults/next', {})).status).toBe(200);
    ({ context, page } = await signedIn(browser, srv.url, team.token, { viewport: { width: 1280, height: 900 } }));
    seen = watch(page);
    // The "I am" field is a picker of the team's members.
    await page.locator('[data-testid=my-name] option[value=Fumi]').waitFor({ state: 'attached' });
    await page.getByTestId('my-name').selectOption('Fumi');
    await page.locator('[data-testid=briefing][data-fault=site-unreachable]').waitFor({ timeout: 45_000 });
  });
  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await srv?.stop();
  });

  it('opens, acknowledges, annotates and resolves an incident on the board', async () => {
    await page.locator('[data-tab=incidents]').click();
    const open = page.getByTestId('open-incident');
    await open.locator('input').fill('Chat page returns 502');
    await open.locator('select').selectOption('SEV1');
    await open.getByRole('button', { name: 'Open an incident' }).click();
    // The board may also hold an alert's incident: work on ours by its title.
    const inc = page.locator('[data-testid=incident]', { hasText: 'Chat page returns 502' });
    await inc.and(page.locator('[data-status=triggered]')).waitFor();
    await inc.getByText('SEV1').waitFor();

    await inc.getByRole('button', { name: 'Acknowledge' }).click();
    await inc.and(page.locator('[data-status=acknowledged]')).waitFor();
    await expect(inc.getByRole('button', { name: 'Acknowledge' }).count()).resolves.toBe(0);

    await inc.getByPlaceholder('What you found or did').fill('ingress route for / points at 8081');
    await inc.getByRole('button', { name: 'Add note' }).click();
    await inc.getByText('ingress route for / points at 8081').waitFor();
    await expect(inc.getByPlaceholder('What you found or did').inputValue()).resolves.toBe('');
    // Issue 15: name the roles from the members; the incident shows who holds which, from the server.
    await inc.locator('select[data-role=commander]').selectOption('Fumi');
    await inc.locator('select[data-role=communications]').selectOption('Fumi');
    await inc.getByRole('button', { name: 'Save roles' }).click();
    await inc.getByTestId('roles-current').getByText('Incident Commander: Fumi · Communications Lead: Fumi').waitFor();
    const named = (await srv.services.store.read()).filter((e) => e.type === 'incident.roles_set');
    expect(named.map((e) => e.data)).toMatchObject([{ commander: 'Fumi', communications: 'Fumi', ops: null, by: { kind: 'team', name: 'Fumi' } }]);
    await shot(page, 'war-room-incident');

    await inc.getByRole('button', { name: 'Resolve' }).click();
    await inc.and(page.locator('[data-status=resolved]')).waitFor();
    // A resolved incident has no more buttons, and still shows its roles.
    await expect(inc.getByRole('button').count()).resolves.toBe(0);
    await inc.getByTestId('roles-current').getByText('Incident Commander: Fumi').waitFor();
  });

  it('takes a hint after confirming its cost; the text appears and the score shows the cost', async () => {
    // The team's own score, as the war room shows it ("Your score: 150 (rank 1)").
    const shown = async () => {
      const m = /: ([-−]?[\d,]+)/.exec((await page.getByTestId('team-score').textContent()) ?? '');
      return m ? Number(m[1]!.replace('−', '-').replaceAll(',', '')) : NaN;
    };
    // The war room shows whole points (fmtPoints rounds the milli-points).
    const serverTotal = async () => Math.round((await srv.api<{ total: number }>('GET', '/api/admin/teams/foxtrot/score')).body.total / 1000);
    await expect.poll(async () => (await shown()) === (await serverTotal())).toBe(true);
    const before = await shown();

    await page.locator('[data-tab=hints]').click();
    const hint = page.locator('li[data-fault=site-unreachable][data-hint=routes]');
    await hint.getByTestId('hint-routes').click();
    await hint.getByText('This hint costs 50 points. Take it?').waitFor();
    await hint.getByTestId('hint-routes-confirm').click();
    await hint.getByText('Compare the ingress routes with the ports the services listen on.').waitFor();
    // The other hint is still closed.
    await page.locator('li[data-hint=change]').getByTestId('hint-change').waitFor();
    // The cost is in the server's breakdown, and the war room's score follows it down.
    const score = await srv.api<{ breakdown: { hints: { items: Array<{ fault: string; hint: string; cost: number }> } } }>('GET', '/api/admin/teams/foxtrot/score');
    expect(score.body.breakdown.hints.items).toMatchObject([{ fault: 'site-unreachable', hint: 'routes', cost: 50 }]);
    await expect.poll(async () => (await shown()) === (await serverTotal()) && (await shown()) < before).toBe(true);
    await shot(page, 'war-room-hint');
  });

  it('submits a postmortem for the fault', async () => {
    await page.locator('[data-tab=postmortem]').click();
    const form = page.getByTestId('postmortem-form');
    await expect(form.locator('select').inputValue()).resolves.toBe('site-unreachable');
    await form.locator('textarea').fill('Timeline: 10:02 page down. Root cause: ingress route moved to 8081. Action: review route changes.');
    await form.getByRole('button', { name: 'Submit postmortem' }).click();
    await form.getByText('Submitted. Thank you.').waitFor();
    const events = await srv.api<{ events: Array<{ team: string; data: { fault: string; text: string; by: { name: string } } }> }>('GET', '/api/admin/events?type=postmortem.submitted');
    expect(events.body.events).toMatchObject([{ team: 'foxtrot', data: { fault: 'site-unreachable', by: { name: 'Fumi' } } }]);
    expect(events.body.events[0]!.data.text).toContain('ingress route moved to 8081');
  });

  it('rolls the frontend back to a previous release; the change history shows it', async () => {
    await page.locator('[data-tab=ops]').click();
    const frontend = page.getByTestId('ops-releases').locator('tr[data-component=frontend]');
    await frontend.getByText('1.4.0 · current').waitFor();
    await frontend.getByRole('button', { name: 'Roll back to 1.3.0' }).click();
    // A rollback asks first: nothing changes until it is confirmed.
    await frontend.getByText('Roll frontend back to 1.3.0? Every replica restarts on it.').waitFor();
    await frontend.getByText('1.4.0 · current').waitFor();
    await frontend.getByTestId('rollback-frontend-1.3.0-confirm').click();
    await frontend.getByText('1.3.0 · current').waitFor();
    // Newest first: the rollback heads the history, by the person at the keyboard.
    const newest = page.getByTestId('ops-history').locator('tr').first();
    await newest.getByText('Roll frontend back from 1.4.0 to 1.3.0').waitFor();
    await newest.getByText('by Fumi').waitFor();
    // The manifest editor (untouched) shows the release now running, so applying it later keeps the rollback.
    await expect.poll(() => page.getByTestId('ops-manifest').locator('textarea').inputValue()).toMatch(/frontend:\s+release: "?1\.3\.0/);
    // And a newer release is offered as a roll-out again.
    await frontend.getByRole('button', { name: 'Roll out 1.4.0' }).waitFor();
    await shot(page, 'war-room-rollback');
    expect(seen.errors).toEqual([]);
  });
});
