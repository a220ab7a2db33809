import { parseDuration } from '../scenario/load.js';
import type { FaultActions, HttpCall } from '../scenario/types.js';
import { capTail, redact, render, teamValues, type TeamTarget } from './team-vars.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from './types.js';

/**
 * Faults as webhook calls: a CI pipeline, a GitOps bot, a chaos tool's API. With GitOps (ArgoCD
 * self-heal) a direct patch is undone within seconds, so there the fault must be a commit, and this
 * adapter is how it is made (docs/adapters.md). Secrets ({{secret.NAME}}) are filled in only when the
 * request is sent: the handle, the summary and every error hold the template, never the value.
 */

export interface HttpTargetOptions {
  teams: Record<string, TeamTarget>;
  secrets?: Record<string, string>;
  /** Default deadline per call (10 s). */
  timeoutMs?: number;
}

export interface HttpHandle {
  kind: 'http';
  fault: string;
  team: string;
  values: Record<string, string>;
  calls: NonNullable<FaultActions['http']>;
}

export interface CallResult {
  status: number;
  body: string;
}

const inRange = (status: number, expect: HttpCall['expect']) =>
  (expect ?? ['200-299']).some((e) => {
    if (typeof e === 'number') return status === e;
    const [lo, hi] = e.split('-').map(Number);
    return status >= lo! && status <= hi!;
  });

export class HttpTarget implements TargetAdapter {
  readonly kind = 'http';
  private readonly secrets: Record<string, string>;

  constructor(private readonly o: HttpTargetOptions) {
    this.secrets = o.secrets ?? {};
  }

  private display(call: HttpCall, values: Record<string, string>): string {
    return `${call.method ?? 'POST'} ${render(call.url, values, 'mask')}`;
  }

  async plan(req: FaultRequest): Promise<Plan> {
    const calls = req.actions.http;
    if (!calls) throw new Error(`fault ${req.fault} has no 'http' action`);
    if (!this.o.teams[req.team]) throw new Error(`team ${req.team} is not configured for the http target`);
    const values = teamValues(req.team, req.fault, this.o.teams[req.team]);
    for (const call of [calls.inject, calls.revert, calls.check]) if (call) this.request(call, values);
    const handle: HttpHandle = { kind: 'http', fault: req.fault, team: req.team, values, calls };
    return { summary: `${this.display(calls.inject, values)} (revert: ${this.display(calls.revert, values)})`, handle };
  }

  private request(call: HttpCall, values: Record<string, string>) {
    const url = render(call.url, values, this.secrets);
    if (!/^https?:\/\//.test(url)) throw new Error(`${this.display(call, values)}: not an http(s) URL`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.headers ?? {})) headers[k] = render(v, values, this.secrets);
    const body = call.body === undefined ? undefined : render(call.body, values, this.secrets);
    return { url, headers, body, method: call.method ?? 'POST' };
  }

  /** One call under its deadline; throws (masked) when it cannot be made or answers an unexpected status. */
  async call(what: string, call: HttpCall, values: Record<string, string>, allowUnexpected = false): Promise<CallResult> {
    const r = this.request(call, values);
    const ms = call.timeout ? parseDuration(call.timeout) : (this.o.timeoutMs ?? 10_000);
    let res: Response;
    let body: string;
    try {
      // Redirects are not followed: a secret header must not travel to another host.
      res = await fetch(r.url, { method: r.method, headers: r.headers, ...(r.body !== undefined ? { body: r.body } : {}), redirect: 'manual', signal: AbortSignal.timeout(ms) });
      body = capTail(await res.text(), 4096);
    } catch (err) {
      const e = err as Error & { cause?: { code?: string; message?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `did not answer within ${ms / 1000}s` : `failed: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
      throw new Error(redact(`${what} ${this.display(call, values)} ${why}`, this.secrets));
    }
    const out = { status: res.status, body: redact(body, this.secrets) };
    if (!allowUnexpected && !inRange(res.status, call.expect)) {
      throw new Error(`${what} ${this.display(call, values)} answered ${res.status} (expected ${(call.expect ?? ['200-299']).join(', ')})${out.body ? `: ${capTail(out.body, 500)}` : ''}`);
    }
    return out;
  }

  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    await this.injectWithDetail(req, handle);
  }

  async injectWithDetail(_req: FaultRequest, handle: unknown): Promise<{ detail: string }> {
    const h = parseHandle(handle);
    const r = await this.call('inject', h.calls.inject, h.values);
    return { detail: `${this.display(h.calls.inject, h.values)} → ${r.status}` };
  }

  async revert(_team: string, handle: unknown): Promise<RevertResult> {
    const h = parseHandle(handle);
    if (h.calls.check && !(await this.inPlace(h.team, h))) return { changed: false, detail: 'the check says the fault no longer holds: revert not called' };
    const r = await this.call('revert', h.calls.revert, h.values);
    return { changed: true, detail: `${this.display(h.calls.revert, h.values)} → ${r.status}` };
  }

  /** With a check call: an expected status = the fault still holds. Without one the adapter cannot tell, and says it holds. */
  async inPlace(_team: string, handle: unknown): Promise<boolean> {
    const h = parseHandle(handle);
    if (!h.calls.check) return true;
    const r = await this.call('check', h.calls.check, h.values, true);
    return inRange(r.status, h.calls.check.expect);
  }

  publicUrl(team: string): string | undefined {
    return this.o.teams[team]?.publicUrl;
  }
}

function parseHandle(handle: unknown): HttpHandle {
  const h = handle as HttpHandle | null;
  if (!h || h.kind !== 'http' || typeof h.values !== 'object' || !h.calls?.inject || !h.calls.revert) throw new Error('not a handle of the http target');
  return h;
}
