/**
 * The chat database speaks newline-delimited JSON over TCP. The first line a client sends is
 * `{"type":"auth","user","password"}`; the server answers `{"type":"auth","ok":true}` or an error
 * and closes. After that each request `{"id", "op", ...}` gets one reply `{"id","ok","result"|"error"}`.
 */
export interface ChatMessage {
  id: number;
  room: string;
  name: string;
  text: string;
  clientId: string;
  at: string;
}

export type Request =
  | { id: number; op: 'ping' }
  | { id: number; op: 'insert'; message: { room: string; name: string; text: string; clientId: string } }
  | { id: number; op: 'list'; room: string; after: number; limit: number };

export type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** A request before the client numbers it. */
export type Op = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;
