import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import { GameClock } from '../../src/game/clock.js';
import { renderedVerdict } from '../../src/probes/browser.js';
import { ProbeRunner } from '../../src/probes/runner.js';
import { fromRoot } from '../../src/paths.js';
import { parseScenario } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { describeBrowser } from '../browser/harness.js';

/**
 * A chat page whose client-side bundle garbles text only in the browser (the "bad release" of a
 * real deployment): the server's HTML, API and stored messages stay correct, so the http, api and
 * canary probes stay green while the browser probe, reading what a user sees, goes red.
 */

const WELCOME = 'ようこそ — welcome to the lobby 🔥';
const BROWSER_PROBE = {
  id: 'render',
  kind: 'browser',
  path: '/',
  waitFor: '#messages .message',
  within: '#messages',
  expect: { textIncludes: [WELCOME], textNotMatches: 'Ã|â€|ã\u0081|ð\u009f' },
  timeout: '10s',
};

function scenarioWith(probes: unknown[]): { ok: true; scenario: Scenario } | { ok: false; problems: string[] } {
  const file = fromRoot('challenges/chat-service/scenario.yaml');
  const doc = parse(readFileSync(file, 'utf8')) as { probes: unknown[] };
  doc.probes = [...doc.probes, ...probes];
  return parseScenario(stringify(doc), file);
}

/** The chat service in miniature: server-rendered shell, JSON API, and a client bundle per release. */
function chatService() {
  const messages: Array<{ id: number; room: string; name: string; text: string; clientId?: string }> = [
    { id: 1, room: 'lobby', name: 'firedrill', text: WELCOME },
  ];
  const state = { release: 'v1' as 'v1' | 'v2-garbled' };
  const bundle = () => `
    const garble = (s) => String.fromCharCode(...new TextEncoder().encode(s)); // UTF-8 bytes read as Latin-1
    fetch('/api/messages?room=lobby').then((r) => r.json()).then(({ messages }) => {
      const list = document.getElementById('messages');
      for (const m of messages) {
        const p = document.createElement('p');
        p.className = 'message';
        p.textContent = ${state.release === 'v1' ? 'm.text' : 'garble(m.text)'};
        list.append(p);
      }
    });`;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (code: number, body: unknown) => res.writeHead(code, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><meta charset="utf-8"><title>Chat</title><div id="messages"></div><script src="/app.js"></script>');
    } else if (url.pathname === '/app.js') res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle());
    else if (url.pathname === '/api/health') json(200, { status: 'ok' });
    else if (url.pathname === '/api/messages' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const m = { id: messages.length + 1, ...(JSON.parse(body) as { room: string; name: string; text: string; clientId?: string }) };
        messages.push(m);
        json(201, { message: m });
      });
    } else if (url.pathname === '/api/messages') json(200, { messages: messages.filter((m) => m.room === url.searchParams.get('room')) });
    else json(404, { error: 'not found' });
  });
  return { server, state };
}

describe('renderedVerdict', () => {
  it('wants every expected text byte for byte and no forbidden pattern', () => {
    const expect_ = { textIncludes: ['日本語'], textNotMatches: 'Ã|æ—' };
    expect(renderedVerdict(expect_, 'hello 日本語')).toEqual({ ok: true });
    expect(renderedVerdict(expect_, 'hello')).toMatchObject({ ok: false, reason: expect.stringContaining('does not contain') });
    expect(renderedVerdict({ textIncludes: [], textNotMatches: 'Ã|æ—' }, 'x æ—¥æœ¬èªž y')).toMatchObject({ ok: false, reason: expect.stringContaining('matches') });
  });
});

describe('the browser probe in the scenario', () => {
  it('is validated: a bad regular expression is a problem with its path; defaults fit a render', () => {
    const bad = scenarioWith([{ ...BROWSER_PROBE, expect: { textNotMatches: '(' } }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/probes\[3\]\.expect\.textNotMatches: not a valid regular expression/);
    const good = scenarioWith([{ ...BROWSER_PROBE, timeout: undefined }]);
    expect(good.ok).toBe(true);
    if (good.ok) expect(good.scenario.probes.at(-1)).toMatchObject({ kind: 'browser', timeoutMs: 15_000, intervalMs: 30_000, within: '#messages' });
  });
});

describeBrowser('browser probe', () => {
  const chat = chatService();
  let url = '';
  beforeAll(async () => {
    await new Promise<void>((r) => chat.server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(chat.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    chat.server.closeAllConnections();
    await new Promise((r) => chat.server.close(r));
  });

  function runner() {
    const parsed = scenarioWith([BROWSER_PROBE]);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const clock = new ManualClock(1_800_000_000_000);
    const store = new SqliteEventStore(openDatabase(':memory:'), { clock });
    const probes = new ProbeRunner({ store, clock, gameClock: new GameClock(clock), probes: parsed.scenario.probes, teams: () => ['alpha'], urlOf: () => url });
    return { probes, store };
  }

  it('stays green on a healthy release and goes red on client-side garbling that http and canary probes miss', async () => {
    const { probes, store } = runner();
    try {
      chat.state.release = 'v1';
      for (const p of ['page', 'api', 'canary', 'render']) {
        const r = await probes.checkNow('alpha', p);
        expect(r.ok, `${p}: ${JSON.stringify(r.evidence)}`).toBe(true);
      }
      chat.state.release = 'v2-garbled';
      const outcomes: Record<string, boolean[]> = {};
      for (let i = 0; i < 2; i++) {
        for (const p of ['page', 'api', 'canary', 'render']) (outcomes[p] ??= []).push((await probes.checkNow('alpha', p)).ok);
      }
      expect(outcomes).toEqual({ page: [true, true], api: [true, true], canary: [true, true], render: [false, false] });
      const failed = store.readSync({ types: ['probe.failed'] }).map((e) => e.data as { probe: string; evidence: { error?: string; excerpt?: string } });
      expect(failed.map((d) => d.probe)).toEqual(['render']); // after failureThreshold (2) red checks
      expect(failed[0]!.evidence.error).toMatch(/does not contain/);
      expect(failed[0]!.evidence.excerpt).toContain('ã\u0081');

      chat.state.release = 'v1'; // rolled back
      expect((await probes.checkNow('alpha', 'render')).ok).toBe(true);
    } finally {
      await probes.close();
      await store.close();
    }
  }, 60_000);

  it('keeps a wall-time floor of 15 s between renders, however fast the game runs', async () => {
    const parsed = scenarioWith([{ ...BROWSER_PROBE, interval: '30s' }]);
    if (!parsed.ok) throw new Error(parsed.problems.join('\n'));
    const clock = new ManualClock(1_800_000_000_000);
    const store = new SqliteEventStore(openDatabase(':memory:'), { clock });
    const gameClock = new GameClock(clock);
    store.subscribe((e) => gameClock.apply(e));
    const render = parsed.scenario.probes.filter((p) => p.kind === 'browser');
    const probes = new ProbeRunner({ store, clock, gameClock, probes: render, teams: () => ['alpha'], urlOf: () => url });
    try {
      const by = { kind: 'organizer' as const, name: 'Org' };
      await store.append({ type: 'game.speed_set', source: 'organizer', data: { speed: 100, by } }); // 30 s game = 0.3 s wall
      await store.append({ type: 'game.started', source: 'organizer', data: { by } });
      chat.state.release = 'v1';
      const checks = () => probes.checksOf('alpha', 'render');
      probes.poll();
      clock.advance(1_000);
      probes.poll();
      await expect.poll(checks, { timeout: 20_000 }).toBe(1);
      for (let i = 0; i < 14; i++) {
        clock.advance(1_000);
        probes.poll();
      }
      // Give a wrongly scheduled render time to finish (a slow machine can only make this pass, never fail).
      await new Promise((r) => setTimeout(r, 3_000));
      expect(checks()).toBe(1); // 15 s of wall time later: not yet due again
      clock.advance(1_000);
      probes.poll();
      await expect.poll(checks, { timeout: 20_000 }).toBe(2);
    } finally {
      await probes.close();
      await store.close();
    }
  }, 60_000);

  it('without Chromium the probe is red and unavailable, with one warning, never green', async () => {
    const saved = process.env.CHROMIUM_PATH;
    process.env.CHROMIUM_PATH = '/nonexistent/chromium';
    const { probes, store } = runner();
    try {
      chat.state.release = 'v1';
      const a = await probes.checkNow('alpha', 'render');
      const b = await probes.checkNow('alpha', 'render');
      expect([a.ok, b.ok]).toEqual([false, false]);
      expect(a.evidence.error).toMatch(/unavailable: no Chromium at \/nonexistent\/chromium/);
      expect(store.readSync({ types: ['warning.raised'] }).map((e) => (e.data as { code: string }).code)).toEqual(['browser_unavailable']);
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
      await probes.close();
      await store.close();
    }
  });
});
