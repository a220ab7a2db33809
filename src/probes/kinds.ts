import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Probe } from '../scenario/types.js';
import type { ProbeEvidence } from '../events/types.js';
import { canaryVerdict, checkHttp } from './logic.js';
import type { BrowserProbes } from './browser.js';

/**
 * The probe kinds, each one check against a team's public URL. node:http with a keep-alive agent
 * (global fetch costs several times more CPU per check) and one hard deadline per request that
 * covers connect, headers and body: a hanging target costs one timeout, never the scheduler.
 */

export interface CheckResult {
  ok: boolean;
  evidence: ProbeEvidence;
}

const MAX_BODY = 64 * 1024;
const excerpt = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);

interface Raw {
  status: number;
  body: string;
  latencyMs: number;
}

export function request(
  agent: http.Agent,
  url: URL,
  opts: { method: string; headers?: Record<string, string>; body?: string; timeoutMs: number; now: () => number },
): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const t0 = opts.now();
    const headers: Record<string, string> = { 'user-agent': 'firedrill-probe', ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    // An external team's service is often https (issue 19): its own default agent (the shared keep-alive one is http-only).
    const req = url.protocol === 'https:' ? https.request(url, { method: opts.method, headers }) : http.request(url, { method: opts.method, headers, agent });
    const timer = setTimeout(() => req.destroy(new Error(`timed out after ${opts.timeoutMs} ms`)), opts.timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < MAX_BODY) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8'), latencyMs: opts.now() - t0 });
      });
      res.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end(opts.body);
  });
}

export interface CheckContext {
  agent: http.Agent;
  /** The team's public base URL, e.g. http://127.0.0.1:9100 */
  baseUrl: string;
  /** Wall clock for latency (performance.now in production). */
  now: () => number;
  /** A number unique to this check (canary text and clientId). */
  serial: string;
  /** The shared headless Chromium (browser probes) and this check's page key (team/probe). */
  browser?: BrowserProbes;
  slot?: string;
}

/** Paths in a scenario are absolute ("/api/health"); keep a base path prefix (a proxied team) intact. */
const at = (base: string, path: string) => new URL(path.replace(/^\/+/, ''), base.endsWith('/') ? base : `${base}/`);

const failed = (err: unknown, latencyMs?: number): CheckResult => ({
  ok: false,
  evidence: { error: (err instanceof Error ? err.message : String(err)).slice(0, 500), ...(latencyMs !== undefined ? { latencyMs } : {}) },
});

export async function runCheck(probe: Probe, c: CheckContext): Promise<CheckResult> {
  switch (probe.kind) {
    case 'http':
      return httpCheck(probe, c);
    case 'tcp':
      return tcpCheck(probe, c);
    case 'canary':
      return canaryCheck(probe, c);
    case 'browser':
      return c.browser ? c.browser.check(probe, at(c.baseUrl, probe.path), c.slot ?? probe.id) : failed(new Error('browser probes are unavailable in this runner'));
  }
}

async function httpCheck(probe: Extract<Probe, { kind: 'http' }>, c: CheckContext): Promise<CheckResult> {
  const t0 = c.now();
  try {
    const r = await request(c.agent, at(c.baseUrl, probe.path), {
      method: probe.method,
      headers: probe.headers,
      ...(probe.body !== undefined ? { body: probe.body } : {}),
      timeoutMs: probe.timeoutMs,
      now: c.now,
    });
    const v = checkHttp(probe.expect, r);
    const evidence: ProbeEvidence = { status: r.status, latencyMs: Math.round(r.latencyMs), excerpt: excerpt(r.body) };
    if (!v.ok) evidence.error = v.reason;
    return { ok: v.ok, evidence };
  } catch (err) {
    return failed(err, Math.round(c.now() - t0));
  }
}

function tcpCheck(probe: Extract<Probe, { kind: 'tcp' }>, c: CheckContext): Promise<CheckResult> {
  // `endpoint` may name host:port; otherwise the team's public address.
  const m = /^([^:]+):(\d+)$/.exec(probe.endpoint ?? '');
  const u = new URL(c.baseUrl);
  const host = m?.[1] ?? u.hostname;
  const port = Number(m?.[2] ?? (u.port || 80));
  const t0 = c.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (r: CheckResult) => {
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done(failed(new Error(`no connection within ${probe.timeoutMs} ms`), probe.timeoutMs)), probe.timeoutMs);
    s.once('connect', () => done({ ok: true, evidence: { latencyMs: Math.round(c.now() - t0) } }));
    s.once('error', (err) => done(failed(err, Math.round(c.now() - t0))));
  });
}

interface ChatMessage {
  id?: unknown;
  text?: unknown;
  clientId?: unknown;
}

/**
 * Write a unique message through the team's public URL and read it back as a user would; the
 * text must come back byte for byte (this catches the garbling release that status codes miss).
 */
async function canaryCheck(probe: Extract<Probe, { kind: 'canary' }>, c: CheckContext): Promise<CheckResult> {
  const t0 = c.now();
  const text = probe.text.replaceAll('{n}', c.serial);
  const clientId = `canary-${c.serial}`;
  const budget = () => Math.max(1, Math.round(probe.timeoutMs - (c.now() - t0)));
  try {
    const w = await request(c.agent, at(c.baseUrl, probe.writePath), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ room: probe.room, name: 'firedrill-canary', text, clientId }),
      timeoutMs: budget(),
      now: c.now,
    });
    if (w.status < 200 || w.status > 299) {
      return { ok: false, evidence: { status: w.status, latencyMs: Math.round(c.now() - t0), excerpt: excerpt(w.body), error: `write answered ${w.status}` } };
    }
    let written: ChatMessage | undefined;
    try {
      written = (JSON.parse(w.body) as { message?: ChatMessage }).message;
    } catch {
      /* the read decides */
    }
    const readPath = probe.readPath.replaceAll('{room}', encodeURIComponent(probe.room));
    const r = await request(c.agent, at(c.baseUrl, readPath), { method: 'GET', timeoutMs: budget(), now: c.now });
    const latencyMs = Math.round(c.now() - t0);
    if (r.status < 200 || r.status > 299) return { ok: false, evidence: { status: r.status, latencyMs, excerpt: excerpt(r.body), error: `read answered ${r.status}` } };
    let messages: ChatMessage[] = [];
    try {
      const parsed = JSON.parse(r.body) as { messages?: ChatMessage[] } | ChatMessage[];
      messages = Array.isArray(parsed) ? parsed : (parsed.messages ?? []);
    } catch {
      return { ok: false, evidence: { status: r.status, latencyMs, excerpt: excerpt(r.body), error: 'read: body is not JSON' } };
    }
    const found = messages.find((m) => m.clientId === clientId) ?? (written?.id !== undefined ? messages.find((m) => m.id === written?.id) : undefined);
    const v = canaryVerdict(text, typeof found?.text === 'string' ? found.text : undefined);
    const evidence: ProbeEvidence = { status: r.status, latencyMs, excerpt: excerpt(typeof found?.text === 'string' ? found.text : r.body) };
    if (!v.ok) evidence.error = v.reason.slice(0, 500);
    return { ok: v.ok, evidence };
  } catch (err) {
    return failed(err, Math.round(c.now() - t0));
  }
}
