import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fromRoot } from '../src/paths.js';

// No Docker engine runs here: check what can be checked without one.
describe('container files', () => {
  it('docker-compose.yml declares the server, its port and a volume for the data dir', () => {
    const compose = parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build: string; ports: string[]; environment: Record<string, string>; volumes: string[] }>;
      volumes: Record<string, unknown>;
    };
    const svc = compose.services.firedrill;
    expect(svc).toBeDefined();
    expect(svc!.build).toBe('.');
    expect(svc!.ports).toContain('8080:8080');
    expect(svc!.environment.FIREDRILL_DATA_DIR).toBe('/data');
    expect(svc!.environment.HOST).toBe('0.0.0.0');
    const [volume, mount] = svc!.volumes[0]!.split(':');
    expect(mount).toBe('/data');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('Dockerfile builds from the lock file and runs the built server on the data volume', () => {
    const text = readFileSync(fromRoot('Dockerfile'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.every((l) => /node:20/.test(l))).toBe(true);
    expect(lines.some((l) => /npm ci/.test(l))).toBe(true);
    expect(lines).toContain('VOLUME ["/data"]');
    expect(lines).toContain('EXPOSE 8080');
    const cmd = lines.find((l) => l.startsWith('CMD '))!;
    const argv = JSON.parse(cmd.slice(4)) as string[];
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { bin: { firedrill: string } };
    expect(argv[1]).toBe(pkg.bin.firedrill);
    // Every path the runtime needs is copied into the final image.
    for (const dir of ['dist', 'web/dist', 'drizzle', 'challenges', 'node_modules']) {
      expect(lines.some((l) => l.startsWith(`COPY --from=build /app/${dir} `))).toBe(true);
    }
  });
});
