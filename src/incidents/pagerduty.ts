import type { NewEvent } from '../events/types.js';
import type { IncidentFold, StateKind } from './fold.js';

/**
 * Pure translation of what PagerDuty tells us (webhooks v3 deliveries, REST incidents and log
 * entries) into incident.* events. No I/O: the service feeds it, appends what it returns.
 */

/** One thing that happened to a PagerDuty incident, whichever way we learnt of it. */
export type PdFact =
  | {
      kind: StateKind;
      incident: string;
      atWall: number;
      agent?: string;
      /** For triggers (and to open an incident first heard of by a later fact). */
      title?: string;
      createdAtWall?: number;
      severity?: string;
      channel?: string;
    }
  | { kind: 'annotated'; incident: string; atWall: number; agent?: string; note: string; key: string }
  | { kind: 'severity'; incident: string; atWall: number; severity: string; key: string }
  | { kind: 'status_update'; incident: string; atWall: number; message: string; key: string };

export interface ParsedDelivery {
  eventId: string;
  eventType: string;
  occurredAtWall: number;
  /** Service of the incident, when the data carries it (incident-typed data does; notes do not). */
  serviceId?: string;
  /** The user or integration that did it, as PagerDuty references it. */
  agentType?: string;
  fact?: PdFact;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const time = (v: unknown): number | undefined => {
  const s = str(v);
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) && t >= 0 ? t : undefined;
};
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

const STATE_TYPES: Record<string, StateKind> = {
  'incident.triggered': 'triggered',
  'incident.acknowledged': 'acknowledged',
  'incident.unacknowledged': 'unacknowledged',
  'incident.resolved': 'resolved',
  'incident.reopened': 'reopened',
};

/** The envelope's id and type, or a reason it is not a v3 delivery at all. */
export function envelope(body: unknown): { id: string; type: string; event: Obj } | { error: string } {
  if (!isObj(body) || !isObj(body.event)) return { error: 'not a webhooks v3 body: no "event" object' };
  const id = str(body.event.id);
  const type = str(body.event.event_type);
  if (!id || !type) return { error: 'webhook event without id or event_type' };
  return { id, type, event: body.event };
}

/** Read a v3 delivery. Unknown event types give no fact: their data is never read for a status. */
export function parseDelivery(body: unknown): ParsedDelivery | { error: string } {
  const env = envelope(body);
  if ('error' in env) return env;
  const ev = env.event;
  const occurredAtWall = time(ev.occurred_at);
  if (occurredAtWall === undefined) return { error: 'webhook event without a valid occurred_at' };
  const base: ParsedDelivery = { eventId: env.id, eventType: env.type, occurredAtWall };
  const agent = isObj(ev.agent) ? ev.agent : undefined;
  const agentName = str(agent?.summary);
  if (agent && str(agent.type)) base.agentType = str(agent.type)!;
  const data = isObj(ev.data) ? ev.data : undefined;
  if (!data) return base;

  const kind = STATE_TYPES[env.type];
  if (kind || env.type === 'incident.priority_updated') {
    const incident = str(data.id);
    if (!incident || data.type !== 'incident') return base;
    if (isObj(data.service) && str(data.service.id)) base.serviceId = str(data.service.id)!;
    const severity = isObj(data.priority) ? str(data.priority.summary) : undefined;
    if (!kind) {
      if (severity) base.fact = { kind: 'severity', incident, atWall: occurredAtWall, severity: clip(severity, 20), key: `pd:${env.id}` };
      return base;
    }
    base.fact = {
      kind,
      incident,
      atWall: occurredAtWall,
      ...(agentName ? { agent: clip(agentName, 200) } : {}),
      title: clip(str(data.title) ?? incident, 500),
      ...(time(data.created_at) !== undefined ? { createdAtWall: time(data.created_at)! } : {}),
      ...(severity ? { severity: clip(severity, 20) } : {}),
      // v3 names no channel; a user who opened it by hand shows as the agent with no client.
      ...(kind === 'triggered' && agent?.type === 'user_reference' && ev.client == null ? { channel: 'web_trigger' } : {}),
    };
    return base;
  }
  const ref = isObj(data.incident) ? str(data.incident.id) : undefined;
  if (!ref) return base;
  if (env.type === 'incident.annotated' && data.type === 'incident_note' && typeof data.content === 'string') {
    base.fact = { kind: 'annotated', incident: ref, atWall: occurredAtWall, note: clip(data.content, 4000), key: `pd:${env.id}`, ...(agentName ? { agent: clip(agentName, 200) } : {}) };
  } else if (env.type === 'incident.status_update_published' && typeof data.message === 'string') {
    base.fact = { kind: 'status_update', incident: ref, atWall: occurredAtWall, message: clip(data.message, 4000), key: `pd:${env.id}` };
  }
  return base;
}

/** A REST v2 incident, as much of it as we read. */
export interface PdIncident {
  id: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  title: string;
  created_at: string;
  service: { id: string };
  last_status_change_at?: string;
  priority?: { summary?: string } | null;
}

export interface PdLogEntry {
  id: string;
  type: string;
  created_at: string;
  agent?: { summary?: string; type?: string } | null;
  channel?: { type?: string; summary?: string } | null;
}

const LOG_KINDS: Record<string, StateKind> = {
  trigger_log_entry: 'triggered',
  acknowledge_log_entry: 'acknowledged',
  unacknowledge_log_entry: 'unacknowledged',
  resolve_log_entry: 'resolved',
};

/** An incident's history from its REST log entries, oldest first. */
export function factsFromLog(incident: PdIncident, entries: readonly PdLogEntry[]): PdFact[] {
  const createdAtWall = time(incident.created_at);
  const severity = incident.priority?.summary;
  const facts: PdFact[] = [];
  const sorted = [...entries].sort((a, b) => (time(a.created_at) ?? 0) - (time(b.created_at) ?? 0));
  let seenTrigger = false;
  for (const le of sorted) {
    const kind = LOG_KINDS[le.type];
    const at = time(le.created_at);
    if (!kind || at === undefined) continue;
    // A second trigger entry after a resolve is PagerDuty reopening the incident.
    const k: StateKind = kind === 'triggered' && seenTrigger ? 'reopened' : kind;
    if (kind === 'triggered') seenTrigger = true;
    const agent = str(le.agent?.summary);
    facts.push({
      kind: k,
      incident: incident.id,
      atWall: at,
      ...(agent ? { agent: clip(agent, 200) } : {}),
      ...(k === 'triggered'
        ? {
            title: clip(incident.title || incident.id, 500),
            ...(createdAtWall !== undefined ? { createdAtWall } : {}),
            ...(severity ? { severity: clip(severity, 20) } : {}),
            ...(str(le.channel?.type) ? { channel: clip(str(le.channel?.type)!, 50) } : {}),
          }
        : {}),
    });
  }
  if (!seenTrigger) {
    // Log entries can be trimmed; the incident itself still says when and what.
    facts.unshift({ kind: 'triggered', incident: incident.id, atWall: createdAtWall ?? 0, title: clip(incident.title || incident.id, 500), ...(severity ? { severity } : {}) });
  }
  return facts;
}

/** The trigger fact of a log, for the channel of an incident first heard of by webhook. */
export function triggerChannel(entries: readonly PdLogEntry[]): string | undefined {
  const t = entries.find((e) => e.type === 'trigger_log_entry');
  return t?.channel?.type ? clip(t.channel.type, 50) : undefined;
}

/**
 * The events that record `fact` for `team`, given what the log already says (the fold). Returns []
 * when the fact is known already or would move the incident backwards (an older delivery arriving
 * late). State facts are keyed `pd:<incident>:<state>:<n>` whether they came by webhook or by poll,
 * so both paths together store each once.
 */
export function eventsForFact(fold: IncidentFold, team: string, fact: PdFact): NewEvent[] {
  const src = { team, source: 'pagerduty' } as const;
  const inc = fold.get(team, fact.incident);
  const out: NewEvent[] = [];
  let status = inc?.status;
  let last = inc?.lastChangeAtWall ?? 0;
  const counts = { ...(inc?.counts ?? { triggered: 0, acknowledged: 0, unacknowledged: 0, resolved: 0, reopened: 0 }) };

  if (!inc) {
    if (fact.kind === 'annotated' || fact.kind === 'severity' || fact.kind === 'status_update') return [];
    // First heard of by a later fact (deliveries come in any order): open it from the incident data.
    const openedAt = fact.kind === 'triggered' ? fact.atWall : (fact.createdAtWall ?? fact.atWall);
    out.push({
      ...src,
      type: 'incident.triggered',
      key: `pd:${fact.incident}:triggered:0`,
      data: {
        incident: fact.incident,
        via: 'pagerduty',
        title: fact.title ?? fact.incident,
        ...(fact.severity ? { severity: fact.severity } : {}),
        ...(fact.kind === 'triggered' && fact.channel ? { channel: fact.channel } : {}),
        ...(fact.kind === 'triggered' && fact.agent ? { agent: fact.agent } : {}),
        occurredAtWall: openedAt,
      },
    });
    status = 'triggered';
    last = openedAt;
    counts.triggered = 1;
    if (fact.kind === 'triggered') return out;
  }

  const state = (kind: StateKind, extra: { agent?: string } = {}): NewEvent => {
    const key = `pd:${fact.incident}:${kind}:${counts[kind]}`;
    const base = { incident: fact.incident, via: 'pagerduty' as const, occurredAtWall: fact.atWall };
    switch (kind) {
      case 'acknowledged':
        return { ...src, key, type: 'incident.acknowledged', data: { ...base, ...extra } };
      case 'resolved':
        return { ...src, key, type: 'incident.resolved', data: { ...base, ...extra } };
      case 'unacknowledged':
        return { ...src, key, type: 'incident.unacknowledged', data: base };
      case 'reopened':
        return { ...src, key, type: 'incident.reopened', data: base };
      default:
        throw new Error(`no state event for ${kind}`);
    }
  };
  const agent = 'agent' in fact && fact.agent ? { agent: fact.agent } : {};
  const newer = fact.atWall >= last;

  switch (fact.kind) {
    case 'triggered':
      return out;
    case 'acknowledged':
      if (status === 'triggered' && newer) out.push(state('acknowledged', agent));
      // A late acknowledgement of an incident resolved since: keep when it happened, status stays.
      else if (status === 'resolved' && inc && inc.acknowledgedAtWall === undefined && counts.acknowledged === 0 && fact.atWall <= last) {
        out.push(state('acknowledged', agent));
      }
      return out;
    case 'unacknowledged':
      if (status === 'acknowledged' && newer) out.push(state('unacknowledged'));
      return out;
    case 'resolved':
      if (status !== 'resolved' && newer) out.push(state('resolved', agent));
      return out;
    case 'reopened':
      if (status === 'resolved' && newer) out.push(state('reopened'));
      return out;
    case 'annotated':
      out.push({ ...src, key: fact.key, type: 'incident.annotated', data: { incident: fact.incident, via: 'pagerduty', note: fact.note, ...agent, occurredAtWall: fact.atWall } });
      return out;
    case 'severity':
      out.push({ ...src, key: fact.key, type: 'incident.severity_set', data: { incident: fact.incident, via: 'pagerduty', severity: fact.severity, occurredAtWall: fact.atWall } });
      return out;
    case 'status_update':
      out.push({ ...src, key: fact.key, type: 'incident.status_update_published', data: { incident: fact.incident, via: 'pagerduty', message: fact.message, occurredAtWall: fact.atWall } });
      return out;
  }
}

/** Whether the fold already agrees with PagerDuty's current view of an incident (no need to read its log). */
export function inSync(fold: IncidentFold, team: string, incident: PdIncident): boolean {
  const inc = fold.get(team, incident.id);
  return !!inc && inc.status === incident.status;
}
