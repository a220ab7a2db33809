import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe } from 'vitest';
import { loadConfig, type Config } from '../../src/config.js';
import { startServer, type Server } from '../../src/server.js';
import { ADMIN_TOKEN } from '../helpers.js';

/** Debian's Chromium (or CHROMIUM_PATH); undefined when there is none. */
export function chromiumPath(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => Boolean(p));
  return candidates.find((p) => existsSync(p));
}

/**
 * `describe` for browser suites: without Chromium it says so loudly and skips — unless
 * FIREDRILL_REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.
 */
export function describeBrowser(name: string, fn: () => void): void {
  const path = chromiumPath();
  if (!path) {
    if (process.env.FIREDRILL_REQUIRE_BROWSER === '1') {
      throw new Error('FIREDRILL_REQUIRE_BROWSER=1 but no Chromium found: apt-get install -y chromium fonts-noto-cjk, or set CHROMIUM_PATH');
    }
    console.warn(
      `\n${'!'.repeat(78)}\n!! BROWSER TESTS SKIPPED (${name}): no Chromium at CHROMIUM_PATH or /usr/bin/chromium.\n!! Install it: apt-get install -y chromium fonts-noto-cjk\n${'!'.repeat(78)}\n`,
    );
    describe.skip(name, fn);
    return;
  }
  describe(name, fn);
}

/**
 * Headless Chromium. playwright's launch() gives every run a fresh temporary profile
 * (user-data dir), removed on close; each role then gets its own context (cookie jar).
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath()!,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu'],
  });
}

/** Screenshots go to a temp dir (or FIREDRILL_SCREENSHOTS) for a person to look at. */
export const shotDir = (() => {
  const d = process.env.FIREDRILL_SCREENSHOTS ?? join(tmpdir(), 'firedrill-shots');
  mkdirSync(d, { recursive: true });
  return d;
})();

export async function shot(page: Page, name: string): Promise<string> {
  const file = join(shotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface TestServer extends Server {
  dataDir: string;
  adminToken: string;
  api<T = unknown>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T }>;
  stop(): Promise<void>;
}

/** The real server in-process: real HTTP on 127.0.0.1 port 0, a real SQLite file in a temp dir. */
export async function startTestServer(overrides: Partial<Config> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'fd-web-'));
  const config = loadConfig({
    env: {},
    flags: { adminToken: ADMIN_TOKEN, port: 0, host: '127.0.0.1', logLevel: 'silent', teamPortBase: 0, dataDir, ...overrides },
  });
  const server = await startServer(config, { dataDir, logger: false });
  return {
    ...server,
    dataDir,
    adminToken: ADMIN_TOKEN,
    async api<T>(method: string, path: string, body?: unknown, token = ADMIN_TOKEN) {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
    },
    async stop() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A browser context signed in by the same join link a person would open. */
export async function signedIn(browser: Browser, url: string, token: string, opts: Parameters<Browser['newContext']>[0] = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext(opts);
  const page = await context.newPage();
  await page.goto(`${url}/join?token=${encodeURIComponent(token)}`);
  return { context, page };
}

/** Collect dialogs and page errors so a test can assert none fired. */
export function watch(page: Page): { dialogs: string[]; errors: string[] } {
  const seen = { dialogs: [] as string[], errors: [] as string[] };
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => seen.errors.push(String(e)));
  return seen;
}
