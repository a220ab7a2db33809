import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventTypes, validateEvent, type EventData, type EventType } from '../../src/events/types.js';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

interface Created {
  team: { id: string; name: string };
  token: string;
}

interface Ctx {
  fault: string;
  hint: string;
  criterion: string;
  manifest: unknown;
}

const org = { kind: 'organizer', name: 'Olga' } as const;
const member = { kind: 'team', name: 'Gina' } as const;
const wall = Date.now();
const I = 'inc-every-1';

/**
 * One sample of every event type, with the team it belongs to (null: the game as a whole). Typed
 * as a Record over EventType, so a new event type fails the typecheck (and the coverage test
 * below) until it has a sample here and every view renders it.
 */
const samples: { [T in EventType]: { team: string | null; data: (c: Ctx) => EventData<T> } } = {
  'game.created': { team: null, data: () => ({ scenario: 'chat-service', scenarioHash: 'x'.repeat(64), seed: 1 }) },
  'game.started': { team: null, data: () => ({ by: org }) },
  'game.paused': { team: null, data: () => ({ by: org }) },
  'game.resumed': { team: null, data: () => ({ by: org }) },
  'game.speed_set': { team: null, data: () => ({ speed: 1, by: org }) },
  'game.finished': { team: null, data: () => ({ by: org }) },
  'game.revealed': { team: null, data: () => ({ by: org }) },
  'game.board_frozen': { team: null, data: () => ({ by: org }) },
  'game.board_unfrozen': { team: null, data: () => ({ by: org }) },
  'game.revert_all': { team: null, data: () => ({ by: org, reason: 'every event type, once' }) },
  'warning.raised': { team: 'golf', data: (c) => ({ code: 'every_event', message: 'A warning for every view', fault: c.fault }) },
  'team.created': { team: 'hotel', data: () => ({ id: 'hotel', name: 'Hotel', members: [{ name: 'Hana', role: 'IC' }], tokenHash: 'h'.repeat(64), portBase: null, seed: 7, by: org }) },
  'team.updated': { team: 'hotel', data: () => ({ name: 'Hotel Two', members: [{ name: 'Hana' }], by: org }) },
  'team.token_rotated': { team: 'hotel', data: () => ({ tokenHash: 'i'.repeat(64), by: org }) },
  'fault.armed': { team: 'golf', data: (c) => ({ fault: c.fault, dueAt: 0, by: org }) },
  'fault.injecting': { team: 'golf', data: (c) => ({ fault: c.fault, attempt: 1, handle: null }) },
  'fault.injected': { team: 'golf', data: (c) => ({ fault: c.fault, attempt: 1, deadlineAt: 3_600_000 }) },
  'fault.injection_failed': { team: 'golf', data: (c) => ({ fault: c.fault, attempt: 2, reason: 'the probes stayed green', retry: false }) },
  'fault.presence_checked': { team: 'golf', data: (c) => ({ fault: c.fault, attempt: 2, inPlace: true }) },
  'fault.voided': { team: 'golf', data: (c) => ({ fault: c.fault, reason: 'did not take' }) },
  'fault.detected': { team: 'golf', data: (c) => ({ fault: c.fault, incident: I, via: 'board', at: 1_000 }) },
  'fault.acknowledged': { team: 'golf', data: (c) => ({ fault: c.fault, incident: I, at: 2_000 }) },
  'fault.premature_resolve': { team: 'golf', data: (c) => ({ fault: c.fault, incident: I, at: 3_000 }) },
  'fault.recovered': { team: 'golf', data: (c) => ({ fault: c.fault, greenSince: 4_000 }) },
  'fault.relapsed': { team: 'golf', data: (c) => ({ fault: c.fault, probe: 'page' }) },
  'fault.signed_off': { team: 'golf', data: (c) => ({ fault: c.fault, notice: 1, persona: 'support' }) },
  'fault.resolved': { team: 'golf', data: (c) => ({ fault: c.fault, by: 'sign_off' }) },
  'fault.timed_out': { team: 'golf', data: (c) => ({ fault: c.fault }) },
  'fault.skipped': { team: 'golf', data: (c) => ({ fault: c.fault, by: org, reason: 'skipped for the test' }) },
  'fault.reverted': { team: 'golf', data: (c) => ({ fault: c.fault, by: org, reason: 'reverted for the test' }) },
  'fault.deadline_extended': { team: 'golf', data: (c) => ({ fault: c.fault, deadlineAt: 4_000_000, by: org }) },
  'fault.revert_result': { team: 'golf', data: (c) => ({ fault: c.fault, ok: true, detail: 'restored' }) },
  'probe.failed': { team: 'golf', data: () => ({ probe: 'page', evidence: { status: 502, latencyMs: 12, excerpt: 'Bad gateway' }, since: 0 }) },
  'probe.recovered': { team: 'golf', data: () => ({ probe: 'page', evidence: { status: 200, latencyMs: 3 }, since: 5_000 }) },
  'sli.minute': { team: 'golf', data: () => ({ minute: 0, good: 5, total: 6 }) },
  'traffic.minute': { team: 'golf', data: () => ({ minute: 0, requests: 12, failed: 3, slow: 1 }) },
  'alert.queued': {
    team: 'golf',
    data: (c) => ({ fault: c.fault, dedupKey: `golf/${c.fault}/1`, action: 'trigger', via: 'board', n: 1, summary: 'Golf: page failing', severity: 'critical' }),
  },
  'alert.sent': { team: 'golf', data: (c) => ({ fault: c.fault, dedupKey: `golf/${c.fault}/1`, action: 'trigger', ok: true, detail: 'accepted', attempt: 1, status: 202 }) },
  'incident.triggered': { team: 'golf', data: () => ({ incident: I, via: 'board', title: 'Chat page returns 502', severity: 'SEV1', agent: 'Gina', occurredAtWall: wall }) },
  'incident.acknowledged': { team: 'golf', data: () => ({ incident: I, via: 'board', agent: 'Gina', occurredAtWall: wall + 1 }) },
  'incident.unacknowledged': { team: 'golf', data: () => ({ incident: I, via: 'board', occurredAtWall: wall + 2 }) },
  'incident.resolved': { team: 'golf', data: () => ({ incident: I, via: 'board', agent: 'Gina', occurredAtWall: wall + 3 }) },
  'incident.reopened': { team: 'golf', data: () => ({ incident: I, via: 'board', occurredAtWall: wall + 4 }) },
  'incident.annotated': { team: 'golf', data: () => ({ incident: I, via: 'board', note: 'ingress route points at 8081', agent: 'Gina', occurredAtWall: wall + 5 }) },
  'incident.severity_set': { team: 'golf', data: () => ({ incident: I, via: 'board', severity: 'SEV2', occurredAtWall: wall + 6 }) },
  'incident.status_update_published': { team: 'golf', data: () => ({ incident: I, via: 'board', message: 'We are rolling back', occurredAtWall: wall + 7 }) },
  'incident.roles_set': { team: 'golf', data: () => ({ incident: I, via: 'board', commander: 'Gina', communications: null, ops: 'Gina', by: member, occurredAtWall: wall + 8 }) },
  'webhook.received': { team: null, data: () => ({ deliveryId: 'delivery-1', eventId: 'event-1', eventType: 'pagey.ping', body: '{}' }) },
  'webhook.rejected': { team: null, data: () => ({ reason: 'bad signature', remote: '127.0.0.1' }) },
  'message.posted': {
    team: 'golf',
    data: (c) => ({ channel: 'stakeholders', author: { kind: 'persona', name: 'CTO' }, persona: 'cto', text: 'What is going on?', textJa: '何が起きている？', fault: c.fault, expectsAnswer: true }),
  },
  'status.published': {
    team: 'golf',
    data: () => ({ text: 'Chat is down for all users', impact: 'nobody can chat', currentAction: 'rolling back', nextUpdateAt: 600_000, resolved: false, by: member }),
  },
  'message.edited': { team: 'golf', data: () => ({ message: 1, text: 'We are rolling back (edited)' }) },
  'message.deleted': { team: 'golf', data: () => ({ message: 1 }) },
  'message.delivered': { team: 'golf', data: () => ({ message: 1, transport: 'slack', ok: true, attempt: 1, detail: 'posted', external: { slack: { channel: 'C0INCIDENT', ts: '1700000000.000100' } } }) },
  'channel.linked': { team: 'golf', data: () => ({ channel: 'incident', transport: 'slack', id: 'C0INCIDENT', name: 'golf-incident', created: true }) },
  'judgement.recorded': { team: 'golf', data: (c) => ({ fault: c.fault, category: 'communication', criterion: c.criterion, score: 4, judge: 'Olga', note: 'clear and early' }) },
  'postmortem.submitted': { team: 'golf', data: (c) => ({ fault: c.fault, text: 'What went well: we rolled back fast.', by: member }) },
  'report.filed': { team: 'golf', data: () => ({ text: 'The chat does not load', by: { kind: 'spectator', name: 'anonymous' } }) },
  'hint.taken': { team: 'golf', data: (c) => ({ fault: c.fault, hint: c.hint, cost: 50 }) },
  'score.adjusted': { team: 'golf', data: () => ({ points: 25, reason: 'great status updates', by: org }) },
  'platform.changed': { team: 'golf', data: (c) => ({ change: 'every-event-1', author: 'Gina', message: 'a change that changes nothing', manifest: c.manifest }) },
};

/** What must never show on a page: a missing value printed raw, or a placeholder left unfilled. */
const RAW = /\bundefined\b|\bNaN\b|\[object Object\]|\{[a-z]+\}/;

// Issue 14, defect 5: a log holding every event type, rendered in every view that shows events
// (spectator team panel, war room tabs and timeline, organizer console), in both languages, with
// no page error and nothing raw on screen. The log is built through the store, as the server would.
describeBrowser('every event type renders in every view', () => {
  let srv: TestServer;
  let browser: Browser;
  let token: string;
  const appended = new Map<EventType, number>();

  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    token = (await srv.api<Created>('POST', '/api/admin/teams', { id: 'golf', name: 'Golf', members: [{ name: 'Gina', role: 'IC' }] })).body.token;
    const sc = srv.services.scenario;
    const fault = sc.faults[0]!;
    const manifest = (await srv.api<{ manifest: unknown }>('GET', '/api/team/ops/manifest', undefined, token)).body.manifest;
    const ctx: Ctx = { fault: fault.id, hint: fault.hints?.[0]?.id ?? 'routes', criterion: sc.scoring.communication.rubric[0]!.id, manifest };
    // The game's own events last, the finish at the very end (a finished game must render too).
    const order = [...eventTypes].sort((a, b) => Number(a.startsWith('game.')) - Number(b.startsWith('game.')) || Number(a === 'game.finished') - Number(b === 'game.finished'));
    for (const type of order) {
      const sample = samples[type] as { team: string | null; data: (c: Ctx) => unknown } | undefined;
      if (!sample) continue; // reported by the coverage test
      const data = sample.data(ctx);
      expect(validateEvent({ type, data }), type).toEqual([]);
      const r = await srv.services.store.append({ type, team: sample.team, source: 'test', data } as Parameters<typeof srv.services.store.append>[0]);
      appended.set(type, r.event.seq);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  it('the log holds every event type', async () => {
    expect(eventTypes.filter((t) => !appended.has(t))).toEqual([]);
    const inLog = new Set((await srv.services.store.read()).map((e) => e.type));
    expect(eventTypes.filter((t) => !inLog.has(t))).toEqual([]);
  });

  /** Nothing raw on the page and no page error; the page shows its state. */
  const clean = async (page: Page, seen: ReturnType<typeof watch>, what: string) => {
    const text = await page.locator('body').innerText();
    expect(RAW.exec(text)?.[0], `${what}: raw text on the page`).toBeUndefined();
    expect(await page.getByTestId('guard-error').count(), `${what}: a part failed to render`).toBe(0);
    expect(seen.errors, `${what}: page errors`).toEqual([]);
  };

  for (const lang of ['en', 'ja'] as const) {
    it(`spectator (${lang}): tap the team, read its timeline, close; the page keeps working`, async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const seen = watch(page);
      await page.goto(`${srv.url}/?lang=${lang}`);
      await page.locator('.board-row[data-team=golf]').click();
      const items = (await srv.api<{ items: unknown[] }>('GET', '/api/teams/golf/timeline')).body.items;
      expect(items.length).toBeGreaterThan(20);
      // Every public item is on screen, in words.
      await expect.poll(() => page.locator('#team-panel [data-testid=timeline] li').count()).toBe(items.length);
      for (const kind of ['fault', 'probe', 'incident', 'status', 'score']) expect(await page.locator(`#team-panel li[data-kind=${kind}]`).count(), kind).toBeGreaterThan(0);
      await shot(page, `every-event-spectator-${lang}`);
      await clean(page, seen, `spectator ${lang}`);
      await page.locator('#team-panel').getByRole('button').first().click();
      await page.locator('#team-panel').waitFor({ state: 'detached' });
      // Tap again and close again: still nothing thrown.
      await page.locator('.board-row[data-team=golf]').click();
      await page.locator('#team-panel [data-testid=timeline] li').first().waitFor();
      await page.locator('#team-panel').getByRole('button').first().click();
      await clean(page, seen, `spectator ${lang} after closing`);
      await context.close();
    });

    it(`war room (${lang}): every tab and the timeline render the log`, async () => {
      const { context, page } = await signedIn(browser, srv.url, token, { viewport: { width: 1280, height: 900 } });
      const seen = watch(page);
      await page.goto(`${srv.url}/team/incidents?lang=${lang}`);
      await page.locator('[data-testid=incident]').first().waitFor();
      await page.locator('[data-testid=game-state][data-phase=finished]').waitFor();
      for (const tab of ['incidents', 'channels', 'status', 'ops', 'hints', 'postmortem', 'timeline']) {
        await page.locator(`[data-tab=${tab}]`).click();
        await page.waitForLoadState('networkidle');
        await clean(page, seen, `war room ${lang} ${tab}`);
      }
      const own = srv.services.leaderboard!.timeline('golf', 'team').slice(-100);
      await expect.poll(() => page.locator('#timeline [data-testid=timeline] li').count()).toBe(own.length);
      await shot(page, `every-event-war-room-${lang}`);
      await clean(page, seen, `war room ${lang} timeline`);
      await context.close();
    });

    it(`organizer console (${lang}): teams, judging, warnings and reports render the log`, async () => {
      const { context, page } = await signedIn(browser, srv.url, srv.adminToken, { viewport: { width: 1280, height: 900 } });
      const seen = watch(page);
      await page.goto(`${srv.url}/admin?lang=${lang}`);
      await page.locator('[data-testid=admin-teams] tr[data-team=golf]').waitFor();
      await page.getByText('A warning for every view').waitFor();
      await page.getByText('The chat does not load').waitFor();
      await page.waitForLoadState('networkidle');
      await shot(page, `every-event-console-${lang}`);
      await clean(page, seen, `console ${lang}`);
      await context.close();
    });
  }
});
