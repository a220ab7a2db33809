import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/**
 * A local New Relic over TLS at the two ingest endpoints @newrelic/telemetry-sdk speaks to:
 * the Metric API (`POST /metric/v1`, body `[{common, metrics: [...]}]`, 202 `{requestId}`) and the
 * Event API (`POST /v1/accounts/events`, body `[{eventType, timestamp, ...attributes}]`, 200
 * `{success, uuid}`). Bodies must be gzip JSON; a wrong `Api-Key` gets 403, as New Relic answers.
 */

export interface MetricPayload {
  common?: { attributes?: Record<string, unknown>; timestamp?: number; 'interval.ms'?: number };
  metrics: Array<{ name: string; type: string; value: unknown; attributes?: Record<string, unknown>; timestamp?: number; 'interval.ms'?: number }>;
}
export type EventPayload = Array<Record<string, unknown> & { eventType: string }>;

export interface Received {
  path: string;
  status: number;
  apiKey: string | undefined;
  body: unknown;
}

export class FakeNewRelic {
  readonly requests: Received[] = [];
  private server!: Server;
  host = '';

  constructor(
    private readonly tls: { key: Buffer; cert: Buffer },
    readonly apiKey = 'NRAK-FAKE0123456789',
  ) {}

  async start(): Promise<this> {
    this.server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Every metric batch accepted. */
  metricBatches(): MetricPayload[] {
    return this.requests.filter((r) => r.path === '/metric/v1' && r.status === 202).flatMap((r) => r.body as MetricPayload[]);
  }

  /** Every event accepted. */
  events(): EventPayload {
    return this.requests.filter((r) => r.path === '/v1/accounts/events' && r.status === 200).flatMap((r) => r.body as EventPayload);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? '').split('?')[0]!;
    const apiKey = req.headers['api-key'] as string | undefined;
    const answer = (status: number, body: object, parsed: unknown = null) => {
      this.requests.push({ path, status, apiKey, body: parsed });
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || (path !== '/metric/v1' && path !== '/v1/accounts/events')) return answer(404, { error: 'not found' });
    if (apiKey !== this.apiKey) return answer(403, path === '/metric/v1' ? { requestId: randomUUID(), error: 'invalid api key' } : { error: 'Invalid API key' });
    if (req.headers['content-encoding'] !== 'gzip') return answer(400, { error: 'expected gzip' });
    let parsed: unknown;
    try {
      parsed = JSON.parse(gunzipSync(Buffer.concat(chunks)).toString('utf8'));
    } catch {
      return answer(400, { error: 'body is not gzip JSON' });
    }
    if (!Array.isArray(parsed)) return answer(400, { error: 'expected a JSON array' });
    if (path === '/metric/v1') return answer(202, { requestId: randomUUID() }, parsed);
    return answer(200, { success: true, uuid: randomUUID() }, parsed);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
