import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ServiceLink } from '../../src/platform/link.js';

/** The upstream: a real TCP echo server that remembers what reached it and keeps its sockets. */
async function echoServer() {
  const sockets: Socket[] = [];
  let received = '';
  const server: Server = createServer((s) => {
    sockets.push(s);
    s.on('data', (d) => {
      received += d.toString();
      s.write(d);
    });
    s.on('error', () => {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    sockets,
    received: () => received,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** A client of the link (the backend's database connection), recording everything it hears. */
async function client(port: number) {
  const s = connect({ host: '127.0.0.1', port });
  const c = { socket: s, data: '', ended: false, closed: false };
  s.on('data', (d) => (c.data += d.toString()));
  s.on('end', () => (c.ended = true));
  s.on('close', () => (c.closed = true));
  s.on('error', () => {});
  await new Promise<void>((r, j) => {
    s.once('connect', () => r());
    s.once('error', j);
  });
  return c;
}

const until = async (what: string, fn: () => boolean) => {
  for (let i = 0; i < 200; i++) {
    if (fn()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
};
/** Give loopback time to deliver anything that would get through (a few ms when it does). */
const quiet = () => new Promise((r) => setTimeout(r, 150));

describe('ServiceLink (real TCP)', () => {
  const cleanup: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const f of cleanup.splice(0).reverse()) await f();
  });

  async function setup() {
    const up = await echoServer();
    const link = new ServiceLink();
    const port = await link.listen(0);
    link.configure(up.port, 'allow');
    cleanup.push(() => up.close(), () => link.close());
    return { up, link, port };
  }
  async function connected(port: number, link: ServiceLink, n: number) {
    const c = await client(port);
    cleanup.push(() => void c.socket.destroy());
    await until('link sees the connection', () => link.state.connections === n);
    return c;
  }

  it('allow: bytes flow both ways', async () => {
    const { port, link, up } = await setup();
    const c = await connected(port, link, 1);
    c.socket.write('ping');
    await until('echo', () => c.data === 'ping');
    expect(up.received()).toBe('ping');
    expect(link.state).toEqual({ policy: 'allow', target: up.port, connections: 1 });
  });

  it('deny: a new connection is accepted, then hears nothing, and its bytes never reach the database', async () => {
    const { port, link, up } = await setup();
    link.configure(up.port, 'deny');
    const c = await connected(port, link, 1);
    c.socket.write('SELECT 1');
    await quiet();
    expect(up.received()).toBe('');
    expect(up.sockets).toHaveLength(0); // not even a connection upstream
    expect(c).toMatchObject({ data: '', ended: false, closed: false }); // no refusal, no FIN: the client times out
  });

  it('deny: an open connection stalls both ways, and the upstream closing it sends no FIN through', async () => {
    const { port, link, up } = await setup();
    const c = await connected(port, link, 1);
    c.socket.write('a');
    await until('echo a', () => c.data === 'a');
    link.configure(up.port, 'deny');
    c.socket.write('b');
    up.sockets[0]!.write('from the database');
    await quiet();
    expect(up.received()).toBe('a');
    expect(c.data).toBe('a');
    up.sockets[0]!.end();
    await quiet();
    expect(c).toMatchObject({ ended: false, closed: false });
  });

  it('back to allow: connections that lost bytes are reset, untouched ones carry on', async () => {
    const { port, link, up } = await setup();
    const lossy = await connected(port, link, 1);
    const idle = await connected(port, link, 2);
    lossy.socket.write('1');
    idle.socket.write('1');
    await until('both echo', () => lossy.data === '1' && idle.data === '1');
    link.configure(up.port, 'deny');
    const lateIdle = await connected(port, link, 3); // accepted while denied, never spoke
    lossy.socket.write('lost');
    await quiet();
    link.configure(up.port, 'allow');
    await until('lossy reset', () => lossy.closed);
    expect(link.state.connections).toBe(2);
    idle.socket.write('2');
    await until('idle carries on', () => idle.data === '12');
    lateIdle.socket.write('late');
    await until('late one is connected upstream on allow', () => lateIdle.data === 'late');
    expect(up.received()).not.toContain('lost');
    expect(idle.closed).toBe(false);
  });

  it('dropConnections resets every pooled connection; new ones work', async () => {
    const { port, link } = await setup();
    const a = await connected(port, link, 1);
    const b = await connected(port, link, 2);
    expect(link.dropConnections()).toBe(2);
    await until('both closed', () => a.closed && b.closed);
    expect(link.state.connections).toBe(0);
    const c = await connected(port, link, 1);
    c.socket.write('again');
    await until('echo', () => c.data === 'again');
  });

  it('no target: a connection is reset at once', async () => {
    const { port, link, up } = await setup();
    link.configure(null, 'allow');
    const s = connect({ host: '127.0.0.1', port });
    cleanup.push(() => void s.destroy());
    const err = await new Promise<NodeJS.ErrnoException>((r) => s.once('error', r));
    expect(err.code).toBe('ECONNRESET');
    expect(up.sockets).toHaveLength(0);
  });
});
