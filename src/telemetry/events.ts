import type { StoredEvent } from '../events/types.js';
import type { Attributes, GameEventRecord } from './types.js';

/**
 * Which game events leave the server as custom events, and in what shape. Pure: one stored event in,
 * at most one record out. Only facts a team could already see are exported (nothing about a fault
 * before it is injected: an armed fault's id would spoil it).
 */

const FAULT_ACTIONS: Partial<Record<StoredEvent['type'], string>> = {
  'fault.injected': 'injected',
  'fault.injection_failed': 'injection_failed',
  'fault.detected': 'detected',
  'fault.acknowledged': 'acknowledged',
  'fault.recovered': 'recovered',
  'fault.relapsed': 'relapsed',
  'fault.resolved': 'resolved',
  'fault.timed_out': 'timed_out',
  'fault.skipped': 'skipped',
  'fault.reverted': 'reverted',
  'fault.voided': 'voided',
  'fault.premature_resolve': 'premature_resolve',
};

const INCIDENT_STATES: Partial<Record<StoredEvent['type'], string>> = {
  'incident.triggered': 'triggered',
  'incident.acknowledged': 'acknowledged',
  'incident.unacknowledged': 'triggered',
  'incident.resolved': 'resolved',
  'incident.reopened': 'triggered',
};

const GAME_ACTIONS: Partial<Record<StoredEvent['type'], string>> = {
  'game.started': 'started',
  'game.paused': 'paused',
  'game.resumed': 'resumed',
  'game.finished': 'finished',
  'game.speed_set': 'speed_set',
};

/** New Relic caps string attributes at 4096 characters. */
const cap = (s: string) => s.slice(0, 4000);

export const EVENT_TYPES = {
  fault: 'FiredrillFault',
  incident: 'FiredrillIncident',
  question: 'FiredrillPersonaQuestion',
  probe: 'FiredrillProbeTransition',
  game: 'FiredrillGame',
} as const;

export function customEventFor(e: StoredEvent): GameEventRecord | undefined {
  const base: Attributes = { seq: e.seq, gameTimeSeconds: Math.floor(e.gameTime / 1000) };
  if (e.team) base.team = e.team;
  const rec = (eventType: string, attributes: Attributes): GameEventRecord => ({ eventType, attributes: { ...base, ...attributes }, timestampWall: e.at });

  const fault = FAULT_ACTIONS[e.type];
  // Every fault.* payload names its fault; every incident.* payload its incident and channel.
  if (fault) return rec(EVENT_TYPES.fault, { action: fault, fault: (e.data as { fault: string }).fault });
  const incident = INCIDENT_STATES[e.type];
  if (incident) {
    const d = e.data as { incident: string; via: string };
    return rec(EVENT_TYPES.incident, { state: incident, transition: e.type.slice('incident.'.length), incident: d.incident, via: d.via });
  }
  const game = GAME_ACTIONS[e.type];
  if (game) return rec(EVENT_TYPES.game, { action: game, ...(e.type === 'game.speed_set' ? { speed: e.data.speed } : {}) });
  if (e.type === 'probe.failed' || e.type === 'probe.recovered') {
    const ev = e.data.evidence;
    return rec(EVENT_TYPES.probe, {
      probe: e.data.probe,
      to: e.type === 'probe.failed' ? 'failed' : 'recovered',
      ...(ev.status !== undefined ? { status: ev.status } : {}),
      ...(ev.error !== undefined ? { error: cap(ev.error) } : {}),
    });
  }
  if (e.type === 'message.posted' && e.data.author.kind === 'persona' && e.data.expectsAnswer) {
    return rec(EVENT_TYPES.question, {
      persona: e.data.persona ?? e.data.author.name,
      channel: e.data.channel,
      text: cap(e.data.text),
      ...(e.data.fault ? { fault: e.data.fault } : {}),
    });
  }
  return undefined;
}
