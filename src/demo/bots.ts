/**
 * Demo bot teams: a separate process that holds only team tokens and speaks HTTP, like a team at
 * its laptops would. Each bot watches its chat service as a user (page, API, a message round trip
 * through /t/<team>/), its incident board and its change history; when something breaks it opens or
 * acknowledges an incident, diagnoses from the change history (undo the last change it did not
 * make, else roll back the newest release) — sometimes slowly, sometimes trying the wrong thing
 * first — waits until its monitoring is green, then resolves the incident. It never uses an
 * organizer route and never calls the target's revert.
 *
 * Run by the server in demo mode (fork + one IPC message {url, teams}); standalone:
 *   FIREDRILL_BOTS='{"url":"http://127.0.0.1:8080","teams":[{"id":"t1","name":"T1","token":"…"}]}' node dist/src/demo/bots.js
 */

export interface BotTeam {
  id: string;
  name: string;
  token: string;
}

interface Change {
  change: string;
  author: string;
  message: string;
  revertOf?: string;
  manifest: { services?: Record<string, { release?: string }> } & Record<string, unknown>;
}

interface Incident {
  id: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Dot paths (numeric array indexes) of every leaf that differs between two manifests. */
export function diffLeaves(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (!isObj(a) || !isObj(b) || Array.isArray(a) !== Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].flatMap((k) => diffLeaves(a[k], b[k], prefix ? `${prefix}.${k}` : k));
}

export function getPath(v: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((cur, k) => (cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined), v);
}

export function setPath(v: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<unknown>((cur, k) => (cur as Record<string, unknown>)[k], v) as Record<string, unknown>;
  if (value === undefined) delete parent[last];
  else parent[last] = value;
}

/**
 * How a bot team communicates (issue 15: the demo board shows communication making a difference):
 * `good` answers persona questions within seconds, in their threads, with what was asked, writes
 * every field of its status updates and a real resolution notice (so support signs it off);
 * `late` answers the same way but minutes later, and its updates miss a field; `sloppy` answers
 * once with ".", writes "x" updates and "ok" as its notice (no sign-off), and no postmortem.
 */
export type CommsStyle = 'good' | 'late' | 'sloppy';
export const STYLES: readonly CommsStyle[] = ['good', 'late', 'sloppy'];

interface PersonaMessage {
  seq: number;
  channel: 'incident' | 'stakeholders' | 'chat';
  author: { kind: string };
  text: string;
  fault?: string;
  question?: { state: 'open' | 'answered' | 'unanswered' | 'late' };
}

/** An answer that carries what questions usually ask for: impact, ETA, what we do, a workaround, the next update. */
const GOOD_ANSWER =
  'Users cannot use the chat normally right now. We are rolling back the latest change and expect it back within 10 minutes. Meanwhile users can retry in a minute. Next update in 10 minutes.';

export class Bot {
  private readonly member: string;
  /** Persona questions answered (or deliberately ignored), and when each was first seen (wall ms). */
  private readonly answered = new Set<number>();
  private readonly firstSeen = new Map<number, number>();
  private dotted = false;
  /** Faults whose postmortem was sent. */
  private readonly postmortems = new Set<string>();
  /** Incidents whose roles were named. */
  private readonly roled = new Set<string>();
  private lastFault: string | undefined;
  private baseline = new Set<string>();
  private stopped = false;
  private phase: 'watching' | 'fixing' | 'verifying' = 'watching';
  /** Leads tried during the current incident (cleared when it is resolved). */
  private tried = new Set<string>();
  /** Changes already undone by us: never suspects again. */
  private readonly handled = new Set<string>();
  private greenChecks = 0;

  constructor(
    private readonly url: string,
    private readonly team: BotTeam,
    private readonly say: (line: string) => void,
    private readonly pace = 1,
    private readonly style: CommsStyle = 'good',
  ) {
    this.member = `${team.name} ops-bot`;
  }

  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.team.token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new HttpError(res.status, `${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** The service as a user sees it, through the firedrill server's proxy. */
  private async userCheck(): Promise<{ ok: boolean; symptom: string }> {
    const base = `${this.url}/t/${encodeURIComponent(this.team.id)}`;
    const get = async (path: string, init?: RequestInit) => {
      try {
        return await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(3000) });
      } catch {
        return undefined;
      }
    };
    const page = await get('/');
    if (!page?.ok) return { ok: false, symptom: `the chat page does not load (${page?.status ?? 'no answer'})` };
    const text = `bot check ${Date.now()} ✓ ありがとう`;
    const clientId = `bot-${this.team.id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const post = await get('/api/messages', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ room: 'bots', name: this.member, text, clientId }) });
    if (!post?.ok) return { ok: false, symptom: `messages cannot be sent (${post?.status ?? 'timeout'})` };
    const read = await get('/api/messages?room=bots&limit=20');
    if (!read?.ok) return { ok: false, symptom: `messages cannot be read (${read?.status ?? 'timeout'})` };
    const { messages } = (await read.json()) as { messages: Array<{ clientId?: string; text: string }> };
    const mine = messages.find((m) => m.clientId === clientId);
    if (!mine) return { ok: false, symptom: 'a sent message does not show up' };
    if (mine.text !== text) return { ok: false, symptom: 'messages come back garbled' };
    return { ok: true, symptom: '' };
  }

  private think(slow = false): Promise<void> {
    const ms = slow ? 6000 + Math.random() * 8000 : 1000 + Math.random() * 3000;
    return sleep(ms / this.pace);
  }

  async run(): Promise<void> {
    // Everything in the history at the start is how the service was handed over.
    for (;;) {
      try {
        const { changes } = await this.api<{ changes: Change[] }>('GET', '/api/team/ops/changes');
        if (changes.length) {
          this.baseline = new Set(changes.map((c) => c.change));
          break;
        }
      } catch (err) {
        this.say(`${this.team.id}: waiting for the platform (${(err as Error).message.slice(0, 80)})`);
      }
      if (this.stopped) return;
      await sleep(1000);
    }
    this.say(`${this.team.id}: on call`);
    while (!this.stopped) {
      try {
        await this.round();
      } catch (err) {
        this.say(`${this.team.id}: ${(err as Error).message.slice(0, 200)}`);
      }
      await sleep(1000 / this.pace);
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private async openIncidents(): Promise<Incident[]> {
    const { incidents } = await this.api<{ incidents: Incident[] }>('GET', '/api/team/incidents');
    return incidents.filter((i) => i.status !== 'resolved');
  }

  private async round(): Promise<void> {
    const check = await this.userCheck();
    let open = await this.openIncidents();
    await this.communicate(open).catch((err: Error) => this.say(`${this.team.id}: ${err.message.slice(0, 120)}`));

    // An alert opened one for us: acknowledge it (after reading it).
    for (const i of open.filter((x) => x.status === 'triggered')) {
      await this.think();
      await this.api('POST', `/api/team/incidents/${encodeURIComponent(i.id)}/acknowledge`, { name: this.member });
      this.say(`${this.team.id}: acknowledged ${i.id} "${i.title}"`);
    }

    // Like a team on call, the bots are moved by their monitoring (or an alert), not by reading
    // the change history for fun: the history is where they diagnose once paged.
    const me = await this.api<{ probes?: Array<{ up: boolean }> }>('GET', '/api/team');
    const paged = (me.probes ?? []).some((p) => !p.up) || open.length > 0;
    if (!paged && this.phase === 'watching') return;
    const suspect = await this.suspectChange();
    if (check.ok && !suspect && !open.length) {
      this.phase = 'watching';
      return;
    }

    if (!open.length && (!check.ok || suspect)) {
      await this.think();
      const title = check.ok ? 'Unexpected change on our service' : `Chat service: ${check.symptom}`;
      const { incident } = await this.api<{ incident: Incident }>('POST', '/api/team/incidents', { title, severity: 'SEV2', name: this.member });
      await this.api('POST', `/api/team/incidents/${encodeURIComponent(incident.id)}/acknowledge`, { name: this.member });
      this.say(`${this.team.id}: opened ${incident.id} "${title}"`);
      await this.status(`We are investigating: ${check.ok ? 'an unexpected change' : check.symptom}. Next update in 10 minutes.`, false);
      open = await this.openIncidents();
    }

    if (suspect || !check.ok) {
      this.phase = 'fixing';
      this.greenChecks = 0;
      await this.fix();
      return;
    }

    // Looks fixed from the outside: resolve once our monitoring agrees for a few rounds.
    this.phase = 'verifying';
    this.greenChecks = (me.probes ?? []).every((p) => p.up) ? this.greenChecks + 1 : 0;
    if (this.greenChecks < 2) return;
    for (const i of open) {
      await this.api('POST', `/api/team/incidents/${encodeURIComponent(i.id)}/resolve`, { name: this.member });
      this.say(`${this.team.id}: resolved ${i.id}`);
    }
    await this.status('Resolved: the chat service works normally again. A postmortem will follow.', true);
    if (this.style !== 'sloppy') await this.message('stakeholders', 'Resolved: chat works again for all users. We rolled back the change that broke it.');
    await this.postmortem();
    this.tried.clear();
    this.phase = 'watching';
  }

  /** A status update, in the bot's style (the good one writes every field, the late one misses one, the sloppy one writes "x"). */
  private async status(text: string, resolved: boolean): Promise<void> {
    const body =
      this.style === 'sloppy'
        ? { text: resolved ? 'ok' : 'x', resolved, ...(resolved ? {} : { impact: 'x', currentAction: 'x', nextUpdateInMinutes: 10 }) }
        : this.style === 'late'
          ? { text, resolved, ...(resolved ? {} : { impact: 'Users cannot chat normally', nextUpdateInMinutes: 15 }) }
          : { text, resolved, ...(resolved ? {} : { nextUpdateInMinutes: 10, impact: 'Users cannot chat normally', currentAction: 'Investigating the latest changes' }) };
    try {
      await this.api('POST', '/api/team/status', body);
    } catch {
      /* status updates are nice to have */
    }
  }

  private async message(channel: 'incident' | 'stakeholders', text: string, replyTo?: number): Promise<void> {
    const clientId = `bot-${this.team.id}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    await this.api('POST', '/api/team/messages', { channel, text, clientId, name: this.member, ...(replyTo !== undefined ? { replyTo } : {}) });
  }

  /** Answer persona questions in the bot's style; name roles on new incidents (the route may be absent: guarded). */
  private async communicate(open: Incident[]): Promise<void> {
    const { messages } = await this.api<{ messages: PersonaMessage[] }>('GET', '/api/team/channels');
    for (const m of messages) {
      if (m.fault) this.lastFault = m.fault;
      if (m.author.kind !== 'persona' || m.question?.state !== 'open' || this.answered.has(m.seq)) continue;
      const seen = this.firstSeen.get(m.seq) ?? Date.now();
      this.firstSeen.set(m.seq, seen);
      // Late: a few game minutes after the question (the answer window is longer).
      if (this.style === 'late' && Date.now() - seen < 4_000 / this.pace) continue;
      this.answered.add(m.seq);
      if (this.style === 'sloppy') {
        if (this.dotted) continue; // after the "." nothing more: the question goes unanswered
        this.dotted = true;
        await this.message(m.channel === 'chat' ? 'incident' : m.channel, '.', m.seq);
        continue;
      }
      await this.message(m.channel === 'chat' ? 'incident' : m.channel, GOOD_ANSWER, m.seq);
    }
    for (const i of open) {
      if (this.roled.has(i.id)) continue;
      this.roled.add(i.id);
      try {
        await this.api('POST', `/api/team/incidents/${encodeURIComponent(i.id)}/roles`, { commander: this.member, communications: this.member, ops: this.member, name: this.member });
      } catch (err) {
        // Until roles land (POST /api/team/incidents/:id/roles), or when the bot is no member: skip.
        if (!(err instanceof HttpError) || (err.status !== 404 && err.status !== 400)) throw err;
      }
    }
  }

  private async postmortem(): Promise<void> {
    const fault = this.lastFault;
    if (this.style === 'sloppy' || !fault || this.postmortems.has(fault)) return;
    this.postmortems.add(fault);
    try {
      await this.api('POST', '/api/team/postmortems', {
        fault,
        name: this.member,
        text: 'Timeline: alerted, acknowledged, found the breaking change in the history, rolled it back, verified. Impact: chat failed for users until the rollback. Root cause: an unreviewed change. Action item: review changes before they ship.',
      });
    } catch {
      /* a postmortem for a fault the server does not know yet: skip */
    }
  }

  /** The newest change in the history that we did not make and that nobody has undone yet. */
  private async suspectChange(): Promise<{ change: Change; before: Change | undefined } | undefined> {
    const { changes } = await this.api<{ changes: Change[] }>('GET', '/api/team/ops/changes');
    const undone = new Set(changes.map((c) => c.revertOf).filter((x): x is string => !!x));
    for (let i = 0; i < changes.length; i++) {
      const c = changes[i] as Change;
      if (this.baseline.has(c.change)) return undefined;
      if (c.author === this.member || c.revertOf || undone.has(c.change) || this.handled.has(c.change)) continue;
      return { change: c, before: changes[i + 1] };
    }
    return undefined;
  }

  private async fix(): Promise<void> {
    // Sometimes the team is slow to look, sometimes it chases the wrong lead first.
    await this.think(Math.random() < 0.3);
    if (Math.random() < 0.25 && !this.tried.has('wrong-lead')) {
      this.tried.add('wrong-lead');
      await this.api('GET', `/api/team/ops/logs/${pick(['frontend', 'ingress'])}?lines=50`);
      this.say(`${this.team.id}: reading the wrong logs first`);
      await this.think(true);
    }
    await this.api('GET', '/api/team/ops/logs/backend?lines=100');
    // Look again after thinking: the world may have moved on (someone else fixed it, a new change).
    const suspect = await this.suspectChange();
    if (!suspect && (await this.userCheck()).ok) return;
    if (suspect?.before) {
      const { change, before } = suspect;
      this.handled.add(change.change);
      const diff = diffLeaves(before.manifest, change.manifest);
      const release = diff.length === 1 ? /^services\.(frontend|backend)\.release$/.exec(diff[0] as string)?.[1] : undefined;
      if (release) {
        const version = getPath(before.manifest, diff[0] as string) as string;
        await this.api('POST', '/api/team/ops/rollback', { component: release, version, author: this.member, message: `Roll back ${release} to ${version}: "${change.message}" broke chat` });
        this.say(`${this.team.id}: rolled ${release} back to ${version}`);
      } else {
        // Like `git revert`: undo only what that change changed, on top of the manifest as it is now.
        const { manifest: current } = await this.api<{ manifest: Change['manifest'] }>('GET', '/api/team/ops/manifest');
        const next = structuredClone(current);
        for (const path of diff) {
          if (JSON.stringify(getPath(current, path)) === JSON.stringify(getPath(change.manifest, path))) setPath(next, path, getPath(before.manifest, path));
        }
        await this.api('PUT', '/api/team/ops/manifest', { manifest: next, author: this.member, message: `Revert "${change.message}"` });
        this.say(`${this.team.id}: reverted change ${change.change} "${change.message}"`);
      }
      return;
    }
    // No change to blame: roll back the newest release.
    const { components } = await this.api<{ components: Array<{ component: string; current: string | null; releases: Array<{ version: string }> }> }>('GET', '/api/team/ops/releases');
    const backend = components.find((c) => c.component === 'backend');
    const idx = backend?.releases.findIndex((r) => r.version === backend.current) ?? -1;
    const prev = idx > 0 ? backend?.releases[idx - 1]?.version : undefined;
    if (backend && prev && !this.tried.has(`rollback:${backend.current}`)) {
      this.tried.add(`rollback:${backend.current}`);
      await this.api('POST', '/api/team/ops/rollback', { component: 'backend', version: prev, author: this.member, message: `Roll backend back to ${prev}` });
      this.say(`${this.team.id}: rolled backend back to ${prev}`);
    }
  }
}

/** Run bots for these teams until stopped; `pace` > 1 makes them think faster. */
export function runBots(url: string, teams: BotTeam[], say: (line: string) => void, pace = 1): { stop(): void; done: Promise<void> } {
  const bots = teams.map((t, i) => new Bot(url, t, say, pace, STYLES[i % STYLES.length]));
  const done = Promise.all(bots.map((b) => b.run())).then((): void => undefined);
  return { stop: () => bots.forEach((b) => b.stop()), done };
}

interface StartMessage {
  url: string;
  teams: BotTeam[];
  pace?: number;
}

function main(): void {
  const say = (line: string) => process.stdout.write(`[bots] ${line}\n`);
  const begin = (m: StartMessage) => {
    const r = runBots(m.url, m.teams, say, m.pace ?? 1);
    say(`playing for ${m.teams.map((t) => t.id).join(', ')} against ${m.url}`);
    process.on('SIGTERM', () => {
      r.stop();
      process.exit(0);
    });
  };
  if (process.env.FIREDRILL_BOTS) return begin(JSON.parse(process.env.FIREDRILL_BOTS) as StartMessage);
  if (!process.send) {
    process.stderr.write('firedrill bots: run by the server with --demo, or set FIREDRILL_BOTS\n');
    process.exit(2);
  }
  // Tokens arrive over IPC, never on the command line; the bots die with the server.
  process.once('message', (m) => begin(m as StartMessage));
  process.on('disconnect', () => process.exit(0));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main();
