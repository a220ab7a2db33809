import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeBrowser, launchBrowser, shot, signedIn, startTestServer, watch, type TestServer } from './harness.js';

/** A phone: 390×844 (issue 16's papercuts), touch, both languages. */
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;

describeBrowser('phone layouts (390×844)', () => {
  let srv: TestServer;
  let browser: Browser;
  let teamToken = '';
  beforeAll(async () => {
    srv = await startTestServer();
    browser = await launchBrowser();
    const long = { id: 'golf', name: 'Golf Team With A Rather Long Name', members: [{ name: 'Gen', role: 'IC' }, { name: 'Hana', role: 'comms' }] };
    teamToken = (await srv.api<{ token: string }>('POST', '/api/admin/teams', long)).body.token;
    await srv.api('POST', '/api/admin/teams', { id: 'hotel', name: 'Hotel' });
    expect((await srv.api('POST', '/api/admin/game/start', {})).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await srv?.stop();
  });

  const noSideways = async (page: Page, what: string) => {
    const m = await page.evaluate<{ scroll: number; inner: number }>('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })');
    expect(m.scroll, `${what}: document ${m.scroll} px wide in a ${m.inner} px window`).toBeLessThanOrEqual(m.inner);
  };

  for (const locale of ['en-US', 'ja-JP']) {
    it(`${locale}: the spectator page, the war room and the organizer console have no horizontal scroll`, async () => {
      // Spectators.
      const spectator = await browser.newContext({ ...PHONE, locale });
      const sp = await spectator.newPage();
      const seen = watch(sp);
      await sp.goto(`${srv.url}/`);
      await sp.locator('[data-team]').first().waitFor();
      await noSideways(sp, 'spectator');
      await spectator.close();

      // The war room: and its sticky bar must not cover the content under it.
      const war = await signedIn(browser, srv.url, teamToken, { ...PHONE, locale });
      await war.page.locator('main').first().waitFor();
      await war.page.getByTestId('game-state').waitFor();
      await noSideways(war.page, 'war room');
      const covered = await war.page.evaluate<{ sticky: boolean; height: number }>(`(() => {
        const bar = document.querySelector('.topbar');
        const cs = getComputedStyle(bar);
        return { sticky: cs.position === 'sticky' || cs.position === 'fixed', height: bar.getBoundingClientRect().height };
      })()`);
      // Either it scrolls away with the page, or it is small enough to leave the content readable.
      expect(!covered.sticky || covered.height <= 0.12 * 844, `war room bar ${covered.height} px, sticky ${covered.sticky}`).toBe(true);
      await shot(war.page, `phone-warroom-${locale}`);
      await war.context.close();

      // The organizer console: the teams table scrolls inside its own box, its buttons can be reached.
      const org = await signedIn(browser, srv.url, srv.adminToken, { ...PHONE, locale });
      await org.page.getByTestId('admin-teams').locator('tr').first().waitFor();
      await noSideways(org.page, 'organizer console');
      const buttons = org.page.getByTestId('admin-teams').locator('button');
      const n = await buttons.count();
      expect(n).toBeGreaterThan(0);
      for (const i of [0, n - 1]) {
        const b = buttons.nth(i);
        await b.scrollIntoViewIfNeeded();
        const reachable = await b.evaluate((el) => {
          const r = el.getBoundingClientRect();
          const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
          return r.width > 0 && r.left >= 0 && r.right <= window.innerWidth && !!hit && (hit === el || el.contains(hit));
        });
        expect(reachable, `teams table button ${i} reachable`).toBe(true);
      }
      await shot(org.page, `phone-console-${locale}`);
      await org.context.close();
      expect(seen.errors).toEqual([]);
    });
  }
});
