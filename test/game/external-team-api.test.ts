import { describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';

describe('POST /api/admin/teams with a target (an external team)', () => {
  it('records the target in team.created, takes no port block, refuses an unconfigured kind and credentials in the URL', async () => {
    const t = await testApp();
    try {
      const ok = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { name: 'Outside', target: { kind: 'exec', publicUrl: 'http://127.0.0.1:1/', vars: { x: '1' } } } });
      expect(ok.statusCode).toBe(201);
      const created = (await t.services.store.read()).find((e) => e.type === 'team.created' && e.team === 'outside');
      expect(created?.type === 'team.created' && created.data.target).toEqual({ kind: 'exec', publicUrl: 'http://127.0.0.1:1/', namespaces: [], vars: { x: '1' }, proxy: false });
      expect(t.services.target.publicUrl('outside')).toBe('http://127.0.0.1:1/');
      const k8s = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { name: 'Cluster', target: { kind: 'kubernetes', publicUrl: 'https://x.example.com', namespace: 'team-x' } } });
      expect(k8s.statusCode).toBe(400);
      expect(k8s.json().error.message).toContain('the kubernetes target is not configured');
      const creds = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { name: 'Leaky', target: { kind: 'http', publicUrl: 'https://user:pw@x.example.com' } } });
      expect(creds.statusCode).toBe(400);
      expect(JSON.stringify(await t.services.store.read())).not.toContain('user:pw');
      const proxied = await t.app.inject({ method: 'GET', url: '/t/outside/' });
      expect(proxied.statusCode).toBe(403);
    } finally {
      await t.close();
    }
  });
});
