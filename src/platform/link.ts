import { createServer, connect, type Server, type Socket } from 'node:net';

export type LinkPolicy = 'allow' | 'deny';

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  /** Bytes were dropped while denied: the stream can never be whole again. */
  lost: boolean;
}

/**
 * The service link between the backend and the database, living in the server process and
 * controlled like a network policy. allow: bytes flow. deny: packets are dropped, not refused —
 * new connections are accepted and then hear nothing (no data, no FIN: the client times out), and
 * existing connections stall (their bytes are discarded both ways). Back to allow, connections that
 * lost bytes are reset (as TCP would after its retransmissions ran out); untouched ones carry on.
 */
export class ServiceLink {
  private server: Server | undefined;
  private readonly pairs = new Set<Pair>();
  private policy: LinkPolicy = 'allow';
  private target: number | null = null;
  port = 0;

  constructor(private readonly log: (line: string) => void = () => {}) {}

  async listen(port = 0): Promise<number> {
    const server = createServer((s) => this.accept(s));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const addr = server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : port;
    return this.port;
  }

  configure(target: number | null, policy: LinkPolicy): void {
    this.target = target;
    if (policy === this.policy) return;
    this.policy = policy;
    if (policy === 'allow') {
      for (const p of [...this.pairs]) {
        if (p.lost) this.destroy(p);
        else if (!p.upstream) this.connectUpstream(p);
      }
    }
  }

  get state(): { policy: LinkPolicy; target: number | null; connections: number } {
    return { policy: this.policy, target: this.target, connections: this.pairs.size };
  }

  /** Destroy every connection through the link: pooled clients must reconnect (and re-authenticate). */
  dropConnections(): number {
    const n = this.pairs.size;
    for (const p of [...this.pairs]) this.destroy(p);
    return n;
  }

  async close(): Promise<void> {
    this.dropConnections();
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private accept(client: Socket): void {
    const pair: Pair = { client, upstream: undefined, lost: false };
    this.pairs.add(pair);
    client.on('data', (d) => {
      if (this.policy === 'deny' || !pair.upstream) {
        pair.lost = true;
        return;
      }
      if (!pair.upstream.write(d)) {
        client.pause();
        pair.upstream.once('drain', () => client.resume());
      }
    });
    client.on('error', () => this.destroy(pair));
    client.on('close', () => this.destroy(pair));
    client.on('end', () => {
      if (this.policy === 'allow') pair.upstream?.end();
    });
    if (this.policy === 'allow') this.connectUpstream(pair);
  }

  private connectUpstream(pair: Pair): void {
    if (this.target === null) {
      // Nothing to route to: a reset, like a port with no listener behind it.
      pair.client.resetAndDestroy();
      this.pairs.delete(pair);
      return;
    }
    const up = connect({ host: '127.0.0.1', port: this.target });
    pair.upstream = up;
    up.on('data', (d) => {
      if (this.policy === 'deny') {
        pair.lost = true;
        return;
      }
      if (!pair.client.write(d)) {
        up.pause();
        pair.client.once('drain', () => up.resume());
      }
    });
    up.on('error', (err: NodeJS.ErrnoException) => {
      this.log(`link: upstream 127.0.0.1:${this.target}: ${err.code ?? err.message}`);
      if (this.policy === 'deny') pair.lost = true;
      else this.destroy(pair);
    });
    // While denied, not even a FIN or a reset gets through: the client keeps waiting.
    up.on('close', () => {
      if (this.policy === 'deny') pair.lost = true;
      else this.destroy(pair);
    });
    up.on('end', () => {
      if (this.policy === 'allow') pair.client.end();
    });
  }

  private destroy(p: Pair): void {
    if (!this.pairs.delete(p)) return;
    p.client.destroy();
    p.upstream?.destroy();
  }
}
