import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ProbeEvidence } from '../events/types.js';
import type { Probe } from '../scenario/types.js';
import type { CheckResult } from './kinds.js';

/**
 * The `browser` probe kind: the team's page as a headless Chromium renders it, so a client-side
 * bundle that garbles text (while every HTTP check and the server-side canary stay green) turns the
 * probe red. One Chromium per runner, shared by every team, launched on the first check; one page
 * (in its own context, its own cookies) per team × probe, reused. A few renders at a time, so 40
 * teams never load 40 pages at once on two cores. No Chromium: the probe is red with a clear
 * reason and a warning, never silently green.
 */

export type BrowserProbe = Extract<Probe, { kind: 'browser' }>;

/** Wall-time floor of a browser probe's interval: a render costs far more than an HTTP check. */
export const BROWSER_FLOOR_MS = 15_000;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-gpu'];

export function chromiumPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CHROMIUM_PATH || '/usr/bin/chromium';
}

/** Whether a browser probe can run here (`firedrill doctor` reports this). */
export function browserAvailability(path = chromiumPath()): { ok: true; path: string } | { ok: false; path: string; reason: string } {
  if (existsSync(path)) return { ok: true, path };
  return { ok: false, path, reason: `browser probes are unavailable: no Chromium at ${path} (apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM_PATH)` };
}

const excerpt = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, 200);
const firstLine = (err: unknown) => (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);

/** Pure: does the rendered text meet the probe's expectations? */
export function renderedVerdict(expect: BrowserProbe['expect'], text: string): { ok: true } | { ok: false; reason: string } {
  for (const want of expect.textIncludes) {
    if (!text.includes(want)) return { ok: false, reason: `rendered text does not contain ${JSON.stringify(want).slice(0, 200)}` };
  }
  if (expect.textNotMatches !== undefined) {
    const m = new RegExp(expect.textNotMatches).exec(text);
    if (m) {
      const around = text.slice(Math.max(0, m.index - 20), m.index + m[0].length + 20);
      return { ok: false, reason: `rendered text matches /${expect.textNotMatches}/: …${around}…` };
    }
  }
  return { ok: true };
}

export interface BrowserProbesOptions {
  executablePath?: string;
  /** Renders at once (default 2). */
  concurrency?: number;
  /** Called once when Chromium is missing or will not start. */
  onUnavailable?: (reason: string) => void;
}

export class BrowserProbes {
  private browser: Promise<Browser> | undefined;
  private readonly pages = new Map<string, { context: BrowserContext; page: Page }>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private warned = false;
  private closed = false;

  constructor(private readonly o: BrowserProbesOptions = {}) {}

  private unavailable(reason: string): CheckResult {
    if (!this.warned) {
      this.warned = true;
      this.o.onUnavailable?.(reason);
    }
    return { ok: false, evidence: { error: reason.slice(0, 500) } };
  }

  private async launch(): Promise<Browser> {
    const { chromium } = await import('playwright-core');
    const b = await chromium.launch({ executablePath: this.o.executablePath ?? chromiumPath(), args: CHROMIUM_ARGS, headless: true });
    b.on('disconnected', () => {
      this.browser = undefined;
      this.pages.clear();
    });
    return b;
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= (this.o.concurrency ?? 2)) await new Promise<void>((r) => this.waiting.push(r));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  /** Load `url` in the page kept for `key` (team/probe), wait for the app, check the rendered text. */
  async check(probe: BrowserProbe, url: URL, key: string): Promise<CheckResult> {
    if (this.closed) return { ok: false, evidence: { error: 'the browser probes are closed' } };
    const avail = browserAvailability(this.o.executablePath ?? chromiumPath());
    if (!avail.ok) return this.unavailable(avail.reason);
    // The timeout is wall time from the start of this render, not from the wait for a free slot.
    return this.slot(async () => {
      let page: Page;
      try {
        this.browser ??= this.launch();
        const browser = await this.browser;
        let held = this.pages.get(key);
        if (!held || held.page.isClosed()) {
          const context = await browser.newContext({ userAgent: 'firedrill-probe (browser)' });
          held = { context, page: await context.newPage() };
          this.pages.set(key, held);
        }
        page = held.page;
      } catch (err) {
        this.browser = undefined;
        return this.unavailable(`browser probes are unavailable: Chromium did not start (${firstLine(err)})`);
      }
      const t0 = performance.now();
      const left = () => Math.max(1, Math.round(probe.timeoutMs - (performance.now() - t0)));
      const evidence: ProbeEvidence = {};
      try {
        const res = await page.goto(url.href, { waitUntil: 'domcontentloaded', timeout: left() });
        if (res) evidence.status = res.status();
        if (res && (res.status() < 200 || res.status() > 299)) {
          return { ok: false, evidence: { ...evidence, latencyMs: Math.round(performance.now() - t0), error: `page answered ${res.status()}` } };
        }
        await page.waitForSelector(probe.waitFor, { state: 'visible', timeout: left() });
        const text = await page.locator(probe.within ?? 'body').first().innerText({ timeout: left() });
        evidence.latencyMs = Math.round(performance.now() - t0);
        evidence.excerpt = excerpt(text);
        const v = renderedVerdict(probe.expect, text);
        if (!v.ok) evidence.error = v.reason.slice(0, 500);
        return { ok: v.ok, evidence };
      } catch (err) {
        return { ok: false, evidence: { ...evidence, latencyMs: Math.round(performance.now() - t0), error: firstLine(err) } };
      }
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const b = this.browser;
    this.browser = undefined;
    this.pages.clear();
    if (b) await (await b.catch(() => undefined))?.close();
  }
}
