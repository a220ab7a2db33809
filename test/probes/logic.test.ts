import { describe, expect, it } from 'vitest';
import { canaryVerdict, checkHttp, countSli, initialProbeState, jsonPath, nextDue, observe, phaseFor, statusAccepted, wallInterval, type ProbeState } from '../../src/probes/logic.js';

const timing = { successThreshold: 2, failureThreshold: 3, holdForMs: 20_000 };

function run(outcomes: Array<[boolean, number]>, s: ProbeState = initialProbeState()) {
  const transitions: Array<{ to: string; since: number; at: number }> = [];
  for (const [ok, now] of outcomes) {
    const r = observe(s, ok, now, timing);
    s = r.state;
    if (r.transition) transitions.push({ ...r.transition, at: now });
  }
  return { s, transitions };
}

describe('threshold and holdFor state machine', () => {
  it('fails only after failureThreshold consecutive failures, dated from the first', () => {
    const { transitions } = run([
      [false, 0],
      [false, 5],
      [true, 10], // breaks the streak
      [false, 15],
      [false, 20],
      [false, 25],
    ]);
    expect(transitions).toEqual([{ to: 'failed', since: 15, at: 25 }]);
  });

  it('recovers after successThreshold successes that also span holdFor (game time)', () => {
    const down = run([
      [false, 0],
      [false, 1],
      [false, 2],
    ]).s;
    const { transitions } = run(
      [
        [true, 1000],
        [true, 6000], // threshold met, hold not yet
        [true, 15_000],
        [true, 21_000], // 20 s since the first green
      ],
      down,
    );
    expect(transitions).toEqual([{ to: 'recovered', since: 1000, at: 21_000 }]);
  });

  it('flapping never recovers: any failure during the hold restarts it', () => {
    const down = run([
      [false, 0],
      [false, 1],
      [false, 2],
    ]).s;
    const outcomes: Array<[boolean, number]> = [];
    for (let t = 10_000; t < 200_000; t += 5_000) outcomes.push([(t / 5_000) % 4 !== 0, t]); // a failure every 20 s
    const { transitions, s } = run(outcomes, down);
    expect(transitions).toEqual([]);
    expect(s.up).toBe(false);
  });

  it('records nothing while healthy (only changes are events)', () => {
    const outcomes: Array<[boolean, number]> = Array.from({ length: 50 }, (_, i) => [true, i * 1000]);
    expect(run(outcomes).transitions).toEqual([]);
  });
});

describe('expectations', () => {
  const ok = { status: 200, body: '{"status":"ok","db":{"latency":3},"items":[{"text":"a"}]}', latencyMs: 10 };
  it('accepts codes and inclusive ranges', () => {
    expect(statusAccepted(204, [[200, 299]])).toBe(true);
    expect(statusAccepted(301, [200, [300, 301]])).toBe(true);
    expect(statusAccepted(500, [200, [300, 399]])).toBe(false);
    expect(statusAccepted(200, [])).toBe(true);
  });
  it('checks body regexes, JSON paths and latency', () => {
    expect(checkHttp({ status: [200], json: [{ path: 'status', equals: 'ok' }, { path: 'items.0.text', equals: 'a' }, { path: 'db.latency', exists: true }] }, ok)).toEqual({ ok: true });
    expect(checkHttp({ status: [200], json: [{ path: 'status', equals: 'degraded' }] }, ok)).toEqual({ ok: false, reason: 'status is "ok", expected "degraded"' });
    expect(checkHttp({ status: [200], json: [{ path: 'items.3.text', exists: true }] }, ok)).toMatchObject({ ok: false });
    expect(checkHttp({ status: [200], bodyMatches: '"status":"ok"' }, ok)).toEqual({ ok: true });
    expect(checkHttp({ status: [200], bodyNotMatches: 'ok' }, ok)).toMatchObject({ ok: false });
    expect(checkHttp({ status: [200], maxLatencyMs: 5 }, ok)).toMatchObject({ ok: false, reason: 'took 10 ms (max 5 ms)' });
    expect(checkHttp({ status: [200], json: [{ path: 'a', exists: true }] }, { ...ok, body: '<html>' })).toEqual({ ok: false, reason: 'body is not JSON' });
    expect(checkHttp({ status: [[200, 299]] }, { ...ok, status: 502 })).toEqual({ ok: false, reason: 'status 502 not accepted' });
  });
  it('reads JSON paths with numeric array indexes', () => {
    expect(jsonPath({ a: [{ b: 1 }] }, 'a.0.b')).toEqual({ found: true, value: 1 });
    expect(jsonPath({ a: [] }, 'a.x')).toEqual({ found: false });
    expect(jsonPath({ a: null }, 'a')).toEqual({ found: true, value: null });
  });
  it('compares canary text byte for byte (mojibake is a failure)', () => {
    const sent = 'canary 7 日本語 🔥';
    const mojibake = Buffer.from(sent, 'utf8').toString('latin1');
    expect(canaryVerdict(sent, sent)).toEqual({ ok: true });
    expect(canaryVerdict(sent, mojibake).ok).toBe(false);
    expect(canaryVerdict(sent, undefined).ok).toBe(false);
    expect(canaryVerdict('e\u0301', '\u00e9').ok).toBe(false); // looks the same, is not the same bytes
  });
});

describe('schedule arithmetic', () => {
  it('keeps checks on a fixed grid: no drift however late a check runs', () => {
    expect(nextDue(1000, 50, 500, 0)).toBe(1050);
    expect(nextDue(1000, 50, 500, 1050)).toBe(1550);
    expect(nextDue(1000, 50, 500, 1549)).toBe(1550);
    // A check that ran 1.7 intervals late skips the missed slot instead of piling up.
    expect(nextDue(1000, 50, 500, 1050 + 850)).toBe(2050);
    for (let n = 0; n < 1000; n++) expect((nextDue(1000, 50, 500, 1050 + n * 500 + 13) - 1050) % 500).toBe(0);
  });
  it('compresses the interval with speed but never below the floor', () => {
    expect(wallInterval(5000, 1, 1000)).toBe(5000);
    expect(wallInterval(5000, 2, 1000)).toBe(2500);
    expect(wallInterval(5000, 60, 1000)).toBe(1000);
  });
  it('spreads phases across teams within the jitter', () => {
    const phases = Array.from({ length: 50 }, (_, i) => phaseFor(`team-${i}/api`, 1000, 5000));
    expect(Math.min(...phases)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...phases)).toBeLessThan(1000);
    expect(new Set(phases).size).toBeGreaterThan(40);
    expect(phaseFor('a/b', 1000, 5000)).toBe(phaseFor('a/b', 1000, 5000));
  });
  it('counts availability per game minute and hands over a finished minute', () => {
    let r = countSli(undefined, true, 1000);
    r = countSli(r.bucket, false, 30_000);
    expect(r.done).toBeUndefined();
    r = countSli(r.bucket, true, 61_000);
    expect(r.done).toEqual({ minute: 0, good: 1, total: 2 });
    expect(r.bucket).toEqual({ minute: 1, good: 1, total: 1 });
  });
});
