export type LiveState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface LiveOptions<F> {
  /** e.g. '/ws/leaderboard'. */
  path: string;
  onFrame(frame: F): void;
  onState?(state: LiveState): void;
  /** The resume position carried by a frame (the audience's board version); default `frame.seq`. */
  seqOf?(frame: F): number | undefined;
  /** Sent as the first frame after each connect (e.g. a token when no cookie can be used). */
  hello?(): unknown;
}

export interface Live {
  close(): void;
  /** The last seq seen (what a reconnect resumes from). */
  readonly seq: number | undefined;
}

/** Backoff 0.5 s doubling to 15 s, with jitter so a stadium of phones does not reconnect at once. */
export function backoff(attempt: number, random = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** Math.min(attempt, 5));
  return Math.round(base / 2 + (random() * base) / 2);
}

/**
 * A WebSocket that reconnects with backoff and resumes with `?since=<seq>`, so the server can send
 * only what was missed (or a fresh snapshot). Reconnects also when the page comes back online, and
 * at once when a delta frame starts above the last seq seen (`from` > seq: one was missed).
 */
export function live<F>(opts: LiveOptions<F>): Live {
  let seq: number | undefined;
  let ws: WebSocket | undefined;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const seqOf = opts.seqOf ?? ((f: F) => (f as { seq?: unknown }).seq as number | undefined);

  const connect = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = undefined;
    opts.onState?.(attempt === 0 ? 'connecting' : 'reconnecting');
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = seq === undefined ? '' : `${opts.path.includes('?') ? '&' : '?'}since=${seq}`;
    const sock = new WebSocket(`${proto}//${location.host}${opts.path}${q}`);
    ws = sock;
    sock.onopen = () => {
      attempt = 0;
      opts.onState?.('open');
      const h = opts.hello?.();
      if (h !== undefined) sock.send(JSON.stringify(h));
    };
    sock.onmessage = (m) => {
      let frame: F;
      try {
        frame = JSON.parse(String(m.data)) as F;
      } catch {
        return;
      }
      // A delta for an older board than ours (`from` above our seq): we missed one; resume at once.
      const from = (frame as { from?: unknown }).from;
      if (typeof from === 'number' && (seq === undefined || seq < from)) {
        resync(sock);
        return;
      }
      const s = seqOf(frame);
      if (typeof s === 'number') seq = s;
      opts.onFrame(frame);
    };
    sock.onclose = () => {
      if (ws !== sock) return;
      ws = undefined;
      if (closed) return;
      opts.onState?.('reconnecting');
      timer = setTimeout(connect, backoff(attempt++));
    };
    sock.onerror = () => sock.close();
  };

  /** Drop this socket and reconnect now with `?since=<seq>` (the server sends what we missed, or a snapshot). */
  const resync = (sock: WebSocket) => {
    if (ws !== sock) return;
    ws = undefined;
    sock.onclose = null;
    sock.close();
    connect();
  };

  const online = () => {
    if (!ws) connect();
  };
  window.addEventListener('online', online);
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      window.removeEventListener('online', online);
      ws?.close();
      opts.onState?.('closed');
    },
    get seq() {
      return seq;
    },
  };
}
