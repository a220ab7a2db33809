import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultActions } from '../../src/scenario/types.js';
import { HttpTarget } from '../../src/targets/http.js';

const SECRET = 'ghp_s3cretTokenValue';

describe('the http target, against a real local webhook server', () => {
  let server: Server;
  let base: string;
  let seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  let broken: boolean;
  let target: HttpTarget;

  beforeEach(async () => {
    seen = [];
    broken = false;
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        if (req.url === '/hang') return; // never answers
        if (req.url === '/fail') {
          res.writeHead(500, { 'content-type': 'text/plain' });
          return res.end(`internal error; auth was ${req.headers.authorization}`);
        }
        if (req.url?.startsWith('/state')) {
          res.writeHead(broken ? 200 : 404);
          return res.end();
        }
        if (req.url?.startsWith('/break')) broken = true;
        if (req.url?.startsWith('/fix')) broken = false;
        res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    target = new HttpTarget({ teams: { a: { namespaces: ['team-a'], vars: { repo: 'acme/chat-a' } } }, secrets: { github: SECRET }, timeoutMs: 2000 });
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  const req = (http: NonNullable<FaultActions['http']>) => ({ team: 'a', fault: 'garbled', actions: { http } });

  it('calls the inject webhook with templated URL, headers and body, and the revert webhook', async () => {
    const r = req({
      inject: {
        url: `${base}/break/{{team}}`,
        headers: { authorization: 'Bearer {{secret.github}}', 'content-type': 'application/json' },
        body: '{"event_type":"firedrill-fault","client_payload":{"fault":"{{fault}}","repo":"{{vars.repo}}","ns":"{{namespace}}"}}',
        expect: [201],
      },
      revert: { method: 'PUT', url: `${base}/fix/{{team}}` },
    });
    const plan = await target.plan(r);
    expect(plan.summary).toBe(`POST ${base}/break/a (revert: PUT ${base}/fix/a)`);
    await target.inject(r, plan.handle);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/break/a', headers: { authorization: `Bearer ${SECRET}` } });
    expect(JSON.parse(seen[0]!.body)).toEqual({ event_type: 'firedrill-fault', client_payload: { fault: 'garbled', repo: 'acme/chat-a', ns: 'team-a' } });
    expect(broken).toBe(true);
    expect(await target.revert('a', plan.handle)).toMatchObject({ changed: true });
    expect(seen[1]).toMatchObject({ method: 'PUT', url: '/fix/a' });
    expect(broken).toBe(false);
  });

  it('fails on an unexpected status, showing the answer with the secret masked; the handle never holds the secret', async () => {
    const r = req({ inject: { url: `${base}/fail`, headers: { authorization: 'token {{secret.github}}' } }, revert: { url: `${base}/fix` } });
    const plan = await target.plan(r);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    const err = (await target.inject(r, plan.handle).catch((e: Error) => e)) as Error;
    expect(err.message).toBe(`inject POST ${base}/fail answered 500 (expected 200-299): internal error; auth was token ***`);
  });

  it('gives up on a webhook that never answers after its timeout', async () => {
    const r = req({ inject: { url: `${base}/hang`, timeout: '300ms' }, revert: { url: `${base}/fix` } });
    await expect(target.inject(r, (await target.plan(r)).handle)).rejects.toThrow(`inject POST ${base}/hang did not answer within 0.3s`);
  });

  it('reports a refused connection as a failed call', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const r = req({ inject: { url: `http://127.0.0.1:${port}/x` }, revert: { url: `${base}/fix` } });
    await expect(target.inject(r, (await target.plan(r)).handle)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('with a check: inPlace follows its status, and revert is not called after the team fixed it', async () => {
    const r = req({ inject: { url: `${base}/break` }, revert: { url: `${base}/fix` }, check: { method: 'GET', url: `${base}/state`, expect: [200] } });
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    expect(await target.inPlace('a', plan.handle)).toBe(true);
    broken = false; // the team's own fix
    expect(await target.inPlace('a', plan.handle)).toBe(false);
    const before = seen.length;
    expect(await target.revert('a', plan.handle)).toMatchObject({ changed: false });
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/state']);
  });

  it('refuses at plan a secret the config does not have', async () => {
    await expect(target.plan(req({ inject: { url: `${base}/x`, headers: { a: '{{secret.gitlab}}' } }, revert: { url: `${base}/y` } }))).rejects.toThrow('{{secret.gitlab}}: no such secret');
  });
});
