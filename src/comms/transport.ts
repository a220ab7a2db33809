import type { EventStore } from '../events/store.js';
import type { Actor, External } from '../events/types.js';

/**
 * A team's two channels (incident, stakeholders) reach the team through one transport: the built-in
 * channels (the war room reads the log) or Slack. The rest of the server never asks which: persona
 * lines and team messages are `message.posted` events either way. A transport follows the log for
 * persona lines to carry out (outbound) and hands what the team writes to the inbox (inbound), which
 * appends the same events the built-in routes append.
 */
export interface ChannelTransport {
  readonly name: 'builtin' | 'slack';
  /** Does this transport carry the team's channels? */
  carries(team: string): boolean;
  /** Connect and post what is still owed (after a restart: persona lines not yet delivered). */
  start(): Promise<void>;
  /** The game loop's tick: retries that fell due. */
  tick(): Promise<void> | void;
  close(): Promise<void>;
}

export type TeamChannel = 'incident' | 'stakeholders';

/** A message the team wrote in an outside chat. `externalId` makes a redelivery a no-op. */
export interface TeamMessageIn {
  channel: TeamChannel;
  text: string;
  author: Actor;
  replyTo?: number;
  externalId: string;
  external?: External;
}

export interface StatusIn {
  text: string;
  impact?: string;
  currentAction?: string;
  nextUpdateInMinutes?: number;
  resolved?: boolean;
  author: Actor;
  externalId: string;
}

export interface Appended {
  seq: number;
  duplicate: boolean;
}

/** The inbound port a transport calls; each call is one event appended before the caller acknowledges. */
export interface ChannelInbox {
  teamMessage(team: string, m: TeamMessageIn): Promise<Appended>;
  messageEdited(team: string, m: { message: number; text: string; externalId: string; external?: External }): Promise<Appended>;
  messageDeleted(team: string, m: { message: number; externalId: string; external?: External }): Promise<Appended>;
  statusPublished(team: string, s: StatusIn): Promise<Appended>;
}

/** The log-backed inbox: the same events (and the same shapes) the built-in routes append. */
export function logInbox(store: Pick<EventStore, 'append'>, gameNow: () => number, source = 'slack'): ChannelInbox {
  const done = (r: { event: { seq: number }; duplicate: boolean }): Appended => ({ seq: r.event.seq, duplicate: r.duplicate });
  return {
    async teamMessage(team, m) {
      return done(
        await store.append({
          type: 'message.posted',
          team,
          source,
          key: m.externalId,
          data: {
            channel: m.channel,
            author: m.author,
            text: m.text,
            ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
            ...(m.external ? { external: m.external } : {}),
          },
        }),
      );
    },
    async messageEdited(team, m) {
      return done(
        await store.append({
          type: 'message.edited',
          team,
          source,
          key: m.externalId,
          data: { message: m.message, text: m.text, ...(m.external ? { external: m.external } : {}) },
        }),
      );
    },
    async messageDeleted(team, m) {
      return done(
        await store.append({ type: 'message.deleted', team, source, key: m.externalId, data: { message: m.message, ...(m.external ? { external: m.external } : {}) } }),
      );
    },
    async statusPublished(team, s) {
      // "Next update in N minutes" is promised in game time, as the war room's form does.
      const nextUpdateAt = s.nextUpdateInMinutes !== undefined ? gameNow() + Math.round(s.nextUpdateInMinutes * 60_000) : undefined;
      return done(
        await store.append({
          type: 'status.published',
          team,
          source,
          key: s.externalId,
          data: {
            text: s.text,
            ...(s.impact?.trim() ? { impact: s.impact } : {}),
            ...(s.currentAction?.trim() ? { currentAction: s.currentAction } : {}),
            ...(nextUpdateAt !== undefined ? { nextUpdateAt } : {}),
            resolved: s.resolved ?? false,
            by: s.author,
          },
        }),
      );
    },
  };
}

/** The built-in channels: the log is the channel, so there is nothing to carry. */
export function builtinTransport(carries: (team: string) => boolean = () => true): ChannelTransport {
  return { name: 'builtin', carries, start: async () => {}, tick: () => {}, close: async () => {} };
}
