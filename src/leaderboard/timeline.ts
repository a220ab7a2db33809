import type { StoredEvent } from '../events/types.js';
import type { FaultRun } from '../lifecycle/index.js';
import type { Scenario, Text } from '../scenario/types.js';
import type { Coalescer } from './coalesce.js';
import type { GameBlock, SeriesPoint, TimelineItem } from './types.js';

type FaultMoment = Extract<TimelineItem, { kind: 'fault' }>['moment'];
type IncidentState = Extract<TimelineItem, { kind: 'incident' }>['state'];
/** What organizers read of a timeline: masked items with their real id and title. */
export type OrganizerTimelineItem = TimelineItem | (Extract<TimelineItem, { masked: true }> & { fault: string; title: Text | null });

const FAULT_MOMENTS: Partial<Record<StoredEvent['type'], FaultMoment>> = {
  'fault.injected': 'injected',
  'fault.detected': 'detected',
  'fault.acknowledged': 'acknowledged',
  'fault.premature_resolve': 'premature_resolve',
  'fault.recovered': 'recovered',
  'fault.relapsed': 'relapsed',
  'fault.signed_off': 'signed_off',
  'fault.resolved': 'resolved',
  'fault.timed_out': 'timed_out',
  'fault.skipped': 'skipped',
  'fault.voided': 'voided',
  'fault.reverted': 'reverted',
  'fault.deadline_extended': 'deadline_extended',
};
const INCIDENT_STATES: Partial<Record<StoredEvent['type'], IncidentState>> = {
  'incident.triggered': 'triggered',
  'incident.acknowledged': 'acknowledged',
  'incident.unacknowledged': 'unacknowledged',
  'incident.resolved': 'resolved',
  'incident.reopened': 'reopened',
};

/**
 * The timeline item of one event, or null. `run` is the fault's lifecycle after the event: a
 * fault whose change never landed for this team (skipped or voided while armed) stays masked.
 * `secret` receives the real id and title of a masked item (organizers see them).
 */
export function timelineItem(scenario: Scenario, e: StoredEvent, run: FaultRun | undefined, secret: (seq: number, fault: string, title: Text | null) => void): TimelineItem | null {
  const base = { seq: e.seq, gameTime: e.gameTime };
  const moment = FAULT_MOMENTS[e.type];
  if (moment && 'fault' in e.data) {
    const fault = e.data.fault as string;
    const def = scenario.faults.find((f) => f.id === fault);
    const title = def?.title ?? null;
    const index = def?.index ?? 0;
    // Masked: no id, no title in the item at all (the contract has no place for them).
    if (!run || run.injectedAt === null) {
      secret(e.seq, fault, title);
      return { ...base, kind: 'fault', masked: true, index, moment };
    }
    return { ...base, kind: 'fault', masked: false, index, fault, title, moment };
  }
  if (e.type === 'probe.failed' || e.type === 'probe.recovered') {
    const ev = e.data.evidence;
    return {
      ...base,
      kind: 'probe',
      probe: e.data.probe,
      state: e.type === 'probe.failed' ? 'failed' : 'recovered',
      ...(ev.status !== undefined ? { status: ev.status } : {}),
      ...(ev.latencyMs !== undefined ? { latencyMs: ev.latencyMs } : {}),
    };
  }
  const istate = INCIDENT_STATES[e.type];
  if (istate && 'incident' in e.data) {
    return { ...base, kind: 'incident', incident: e.data.incident as string, state: istate, ...(e.type === 'incident.triggered' ? { title: e.data.title } : {}) };
  }
  if (e.type === 'status.published') {
    const d = e.data;
    return {
      ...base,
      kind: 'status',
      text: d.text,
      resolved: d.resolved,
      ...(d.impact !== undefined ? { impact: d.impact } : {}),
      ...(d.currentAction !== undefined ? { currentAction: d.currentAction } : {}),
      ...(d.nextUpdateAt !== undefined ? { nextUpdateAt: d.nextUpdateAt } : {}),
    };
  }
  return null;
}

/** One team's timeline and score series, capped; the public reads stop at the freeze. */
export class TeamHistory {
  timeline: TimelineItem[] = [];
  series: SeriesPoint[] = [];
  version = 0;
  listeners = new Set<(frame: string) => void>();
  /** Items and game block waiting for the next coalesced frame (src/leaderboard/service.ts sendTeam). */
  pending: { items: TimelineItem[]; game: GameBlock | undefined } | undefined;
  coalescer: Coalescer | undefined;
  /** Real id and title of masked items, by seq (organizers only). */
  private readonly secrets = new Map<number, { fault: string; title: Text | null }>();
  constructor(private readonly cap: number) {}

  push(items: TimelineItem[]): void {
    for (const it of items) this.timeline.push(it);
    if (this.timeline.length > this.cap) {
      for (const gone of this.timeline.splice(0, this.timeline.length - this.cap)) this.secrets.delete(gone.seq);
    }
  }
  hide(seq: number, fault: string, title: Text | null): void {
    this.secrets.set(seq, { fault, title });
  }

  read(audience: 'organizer', frozenAt: number | null): OrganizerTimelineItem[];
  read(audience: 'public' | 'team', frozenAt: number | null): TimelineItem[];
  read(audience: 'public' | 'team' | 'organizer', frozenAt: number | null): OrganizerTimelineItem[] {
    if (audience === 'organizer') return this.timeline.map((i) => (i.kind === 'fault' && i.masked && this.secrets.has(i.seq) ? { ...i, ...this.secrets.get(i.seq)! } : i));
    return audience === 'public' && frozenAt !== null ? this.timeline.filter((i) => i.seq <= frozenAt) : this.timeline.slice();
  }
  readSeries(audience: 'public' | 'team' | 'organizer', frozenAt: number | null): SeriesPoint[] {
    return audience === 'public' && frozenAt !== null ? this.series.filter((p) => p.seq <= frozenAt) : this.series.slice();
  }
}
