import type { HttpExpect, ProbeTiming } from '../scenario/types.js';

/**
 * The pure parts of probing: expectation checks, the threshold/holdFor state machine, and the
 * schedule arithmetic. No I/O, no clock: callers pass times in.
 */

// ------------------------------------------------------------------ expectations

export interface HttpObservation {
  status: number;
  body: string;
  latencyMs: number;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

export function statusAccepted(status: number, accepted: HttpExpect['status']): boolean {
  const list = accepted.length ? accepted : [[200, 299] as [number, number]];
  return list.some((a) => (Array.isArray(a) ? status >= a[0] && status <= a[1] : status === a));
}

/** Dot path into parsed JSON; numeric segments index arrays ("messages.0.text"). */
export function jsonPath(value: unknown, path: string): { found: boolean; value?: unknown } {
  let cur: unknown = value;
  for (const seg of path.split('.').filter((s) => s !== '')) {
    if (cur === null || typeof cur !== 'object') return { found: false };
    if (Array.isArray(cur)) {
      if (!/^\d+$/.test(seg)) return { found: false };
      const i = Number(seg);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else {
      if (!Object.hasOwn(cur, seg)) return { found: false };
      cur = (cur as Record<string, unknown>)[seg];
    }
  }
  return { found: true, value: cur };
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80) ?? String(v);

export function checkHttp(expect: HttpExpect, o: HttpObservation): Verdict {
  if (!statusAccepted(o.status, expect.status)) return { ok: false, reason: `status ${o.status} not accepted` };
  if (expect.maxLatencyMs !== undefined && o.latencyMs > expect.maxLatencyMs) {
    return { ok: false, reason: `took ${Math.round(o.latencyMs)} ms (max ${expect.maxLatencyMs} ms)` };
  }
  if (expect.bodyMatches !== undefined && !new RegExp(expect.bodyMatches).test(o.body)) {
    return { ok: false, reason: `body does not match /${expect.bodyMatches}/` };
  }
  if (expect.bodyNotMatches !== undefined && new RegExp(expect.bodyNotMatches).test(o.body)) {
    return { ok: false, reason: `body matches /${expect.bodyNotMatches}/` };
  }
  if (expect.json?.length) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(o.body);
    } catch {
      return { ok: false, reason: 'body is not JSON' };
    }
    for (const c of expect.json) {
      const r = jsonPath(parsed, c.path);
      if (c.exists !== undefined && r.found !== c.exists) return { ok: false, reason: `${c.path} ${c.exists ? 'is missing' : 'should not exist'}` };
      if (c.equals !== undefined) {
        if (!r.found) return { ok: false, reason: `${c.path} is missing` };
        if (r.value !== c.equals) return { ok: false, reason: `${c.path} is ${show(r.value)}, expected ${show(c.equals)}` };
      }
    }
  }
  return { ok: true };
}

/** Byte-for-byte comparison of what was written and what a user reads back. */
export function canaryVerdict(sent: string, got: string | undefined): Verdict {
  if (got === undefined) return { ok: false, reason: 'the message written was not found when read back' };
  if (Buffer.from(sent, 'utf8').equals(Buffer.from(got, 'utf8'))) return { ok: true };
  return { ok: false, reason: `read back ${JSON.stringify(got).slice(0, 200)}, wrote ${JSON.stringify(sent).slice(0, 200)}` };
}

// ------------------------------------------------------------------ thresholds and holdFor

export interface ProbeState {
  /** The state last announced (initially up: only changes are recorded). */
  up: boolean;
  okStreak: number;
  failStreak: number;
  /** Game time of the first check of the current streak. */
  streakSince: number;
}

export const initialProbeState = (up = true): ProbeState => ({ up, okStreak: 0, failStreak: 0, streakSince: 0 });

export type Transition = { to: 'failed' | 'recovered'; since: number } | null;

/**
 * One check's outcome at game time `now`. Fails after `failureThreshold` consecutive failures;
 * recovers after `successThreshold` consecutive successes that also span `holdForMs` of game time
 * (against flapping). Returns the new state and the transition to record, if any.
 */
export function observe(s: ProbeState, ok: boolean, now: number, t: Pick<ProbeTiming, 'successThreshold' | 'failureThreshold' | 'holdForMs'>): { state: ProbeState; transition: Transition } {
  const n: ProbeState = { ...s };
  if (ok) {
    if (n.okStreak === 0) n.streakSince = now;
    n.okStreak++;
    n.failStreak = 0;
    if (!n.up && n.okStreak >= t.successThreshold && now - n.streakSince >= t.holdForMs) {
      n.up = true;
      return { state: n, transition: { to: 'recovered', since: n.streakSince } };
    }
  } else {
    if (n.failStreak === 0) n.streakSince = now;
    n.failStreak++;
    n.okStreak = 0;
    if (n.up && n.failStreak >= t.failureThreshold) {
      n.up = false;
      return { state: n, transition: { to: 'failed', since: n.streakSince } };
    }
  }
  return { state: n, transition: null };
}

// ------------------------------------------------------------------ schedule

/** Wall ms between checks: the scenario's interval compressed by speed, never below the floor. */
export function wallInterval(intervalMs: number, speed: number, floorMs: number): number {
  return Math.max(floorMs, Math.round(intervalMs / Math.max(speed, 1e-9)));
}

/** A stable phase in [0, min(jitter, interval)) so teams' checks spread out instead of bunching. */
export function phaseFor(key: string, jitterMs: number, intervalMs: number): number {
  const span = Math.max(1, Math.min(jitterMs, intervalMs));
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % span;
}

/**
 * The first due time strictly after `now` on the grid `start + phase + n·interval`. Computed from
 * the grid, not from the last run, so checks never drift and a slow check skips slots, never piles up.
 */
export function nextDue(start: number, phase: number, interval: number, now: number): number {
  const first = start + phase;
  if (now < first) return first;
  return first + (Math.floor((now - first) / interval) + 1) * interval;
}

// ------------------------------------------------------------------ availability per game minute

export interface SliBucket {
  minute: number;
  good: number;
  total: number;
}

/** Count one check; returns the finished bucket when the game minute rolled over. */
export function countSli(b: SliBucket | undefined, ok: boolean, gameNow: number): { bucket: SliBucket; done?: SliBucket } {
  const minute = Math.floor(gameNow / 60_000);
  if (!b || b.minute !== minute) {
    const fresh = { minute, good: ok ? 1 : 0, total: 1 };
    return b && b.total > 0 ? { bucket: fresh, done: b } : { bucket: fresh };
  }
  return { bucket: { minute, good: b.good + (ok ? 1 : 0), total: b.total + 1 } };
}
