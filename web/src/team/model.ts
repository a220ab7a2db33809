import { shownState, type LocText } from '../lib/model.js';
import { normQuestion, normRoles, personaNameOf, type Question, type Roles } from '../lib/show-model.js';

type J = Record<string, unknown>;
const obj = (x: unknown): J => (x && typeof x === 'object' ? (x as J) : {});
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const arr = (...xs: unknown[]): unknown[] => (xs.find(Array.isArray) as unknown[] | undefined) ?? [];

export interface Message {
  seq?: number;
  at?: number;
  channel: string;
  author: { kind: string; name: string };
  persona?: string;
  text: string;
  /** Scripted persona lines come in both languages. */
  textJa?: string;
  replyTo?: number;
  expectsAnswer?: boolean;
  answered?: boolean;
  /** A persona question's state and findings (issue 15), when the server gives them. */
  question?: Question;
  personaName?: LocText;
}

export function normMessages(x: unknown): Message[] {
  const o = obj(x);
  let list: unknown[] = arr(x, o.messages);
  if (list.length === 0 && o.channels && typeof o.channels === 'object') {
    const ch = o.channels;
    list = Array.isArray(ch)
      ? ch.flatMap((c) => arr(obj(c).messages).map((m) => ({ channel: obj(c).id ?? obj(c).name, ...obj(m) })))
      : Object.entries(obj(ch)).flatMap(([k, v]) => arr(v, obj(v).messages).map((m) => ({ channel: k, ...obj(m) })));
  }
  return list.map((m) => {
    const q = obj(m);
    const d = q.data ? obj(q.data) : q;
    const a = obj(d.author);
    return {
      seq: num(q.seq) ?? num(q.id),
      at: num(q.at),
      channel: str(d.channel) ?? str(q.channel) ?? 'incident',
      author: { kind: str(a.kind) ?? 'team', name: str(a.name) ?? str(d.persona) ?? '?' },
      persona: str(d.persona),
      text: str(d.text) ?? '',
      textJa: str(d.textJa),
      replyTo: num(d.replyTo),
      expectsAnswer: d.expectsAnswer === true,
      answered: q.answered === true || d.answered === true,
      ...((normQuestion(q) ?? normQuestion(d)) ? { question: normQuestion(q) ?? normQuestion(d) } : {}),
      ...((personaNameOf(q) ?? personaNameOf(d)) ? { personaName: personaNameOf(q) ?? personaNameOf(d) } : {}),
    };
  });
}

/** Mark questions answered when a later message replies to them. */
export function markAnswered(messages: Message[]): Message[] {
  const replied = new Set(messages.map((m) => m.replyTo).filter((r): r is number => r !== undefined));
  return messages.map((m) => (m.seq !== undefined && replied.has(m.seq) ? { ...m, answered: true } : m));
}

export interface Incident {
  id: string;
  title: string;
  status: string;
  severity?: string;
  at?: number;
  via?: string;
  agent?: string;
  notes: Array<{ note: string; at?: number; agent?: string }>;
  roles?: Roles;
}

export function normIncidents(x: unknown): Incident[] {
  const o = obj(x);
  return arr(x, o.incidents).map((i): Incident => {
    const q = obj(i);
    return {
      id: str(q.id) ?? str(q.incident) ?? '?',
      title: str(q.title) ?? '',
      status: str(q.status) ?? str(q.state) ?? 'triggered',
      severity: str(q.severity),
      at: num(q.openedAtWall) ?? num(q.at) ?? num(q.occurredAtWall),
      via: str(q.via),
      agent: str(q.agent),
      roles: normRoles(q),
      notes: arr(q.notes).map((n) => {
        const m = obj(n);
        return { note: str(m.text) ?? str(m.note) ?? '', at: num(m.atWall) ?? num(m.at), agent: str(m.agent) };
      }),
    };
  });
}

export interface Hint {
  id: string;
  cost: number;
  taken: boolean;
  text?: LocText;
}

export interface TeamFault {
  id: string;
  title?: LocText;
  state: string;
  briefing?: LocText;
  injectedAt?: number;
  hints: Hint[];
}

export interface TeamState {
  id: string;
  name: string;
  members: Array<{ name: string; role?: string }>;
  /** The team's own monitoring: what its checks see now. */
  probes: Array<{ id: string; up: boolean }>;
  fault?: TeamFault;
  faults: Array<{ id: string; title?: LocText; state: string }>;
}

const locText = (x: unknown): LocText | undefined => (typeof x === 'string' ? x : obj(x).en ? (x as LocText) : undefined);

export function normTeamState(x: unknown): TeamState {
  const o = obj(x);
  const team = obj(o.team ?? o);
  const f = obj(o.fault ?? o.currentFault);
  const fid = str(f.id) ?? str(f.fault);
  const fault: TeamFault | undefined = fid
    ? {
        id: fid,
        title: locText(f.title),
        state: shownState(str(f.phase) ?? str(f.state) ?? 'injected', f.detection),
        briefing: locText(f.briefing) ?? locText(obj(f.briefing).team),
        injectedAt: num(f.injectedAt),
        hints: arr(f.hints, o.hints).map((h) => {
          const q = obj(h);
          return { id: str(q.id) ?? '?', cost: num(q.cost) ?? 0, taken: q.taken === true || q.text !== undefined, text: locText(q.text) };
        }),
      }
    : undefined;
  return {
    id: str(team.id) ?? '',
    name: str(team.name) ?? '',
    members: arr(team.members, o.members).map((m) => ({ name: str(obj(m).name) ?? '?', role: str(obj(m).role) })),
    fault,
    faults: arr(o.faults).map((q) => ({ id: str(obj(q).id) ?? '?', title: locText(obj(q).title), state: shownState(str(obj(q).phase) ?? str(obj(q).state) ?? str(obj(q).status) ?? 'pending', obj(q).detection) })),
    probes: arr(o.probes).map((q) => ({ id: str(obj(q).id) ?? '?', up: obj(q).up !== false })),
  };
}
