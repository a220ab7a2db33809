import { WebClient, type WebAPICallError } from '@slack/web-api';
import { LogLevel, SocketModeClient, type Logger } from '@slack/socket-mode';
import type { EventStore } from '../events/store.js';
import type { Actor, External, NewEventOf, StoredEvent } from '../events/types.js';
import { statusModal, readStatusModal, STATUS_CALLBACK } from './modal.js';

/**
 * Slack as a team's war room (issue 17). Outbound: follows the log and posts the persona lines of
 * Slack teams in character (`chat.postMessage` with `username` and an icon), one at a time in log
 * order, each attempt recorded as `message.delivered` (the ts that thread replies point at); a 429
 * holds every send until its `Retry-After`. Inbound: Socket Mode envelopes become the inbox's events
 * (keyed `slack:<event_id>`), acknowledged only after the append, so a redelivery is stored once and
 * a crash before the ack loses nothing. Everything it knows (channel ids, ts ↔ seq, what is still
 * owed) is folded from the log, so a restart resumes exactly.
 */

export type Lang = 'en' | 'ja';
export type Channel = 'incident' | 'stakeholders';

export interface SlackTeam {
  id: string;
  lang: Lang;
  /** Configured channel ids; absent with `create`. */
  channels?: { incident: string; stakeholders: string };
  /** Create `#<team>-incident` and `#<team>-stakeholders` and invite `members`' Slack users. */
  create?: boolean;
  members: Array<{ name: string; slackUser?: string }>;
}

export interface SlackSettings {
  botToken: string;
  appToken: string;
  /** The Web API base (tests: a local fake), ending in `/`. */
  apiUrl?: string;
  teams: SlackTeam[];
  /** Per persona: `:emoji:` or an image URL. */
  icons?: Record<string, string>;
  /** Socket Mode reconnect delay base (the library waits this long before reconnecting). */
  reconnectMs?: number;
  maxAttempts?: number;
}

/** What this part needs of the log and the server (the composition root hands them in). */
export interface SlackDeps {
  settings: SlackSettings;
  store: Pick<EventStore, 'append'>;
  inbox: SlackInbox;
  clock: { now(): number };
  personas: () => Array<{ id: string; name: { en: string; ja: string }; role: { en: string; ja: string } }>;
  log?: (msg: string) => void;
}

/** The inbound port (src/comms/transport.ts ChannelInbox satisfies it). */
export interface SlackInbox {
  teamMessage(team: string, m: { channel: Channel; text: string; author: Actor; replyTo?: number; externalId: string; external?: External }): Promise<{ seq: number; duplicate: boolean }>;
  messageEdited(team: string, m: { message: number; text: string; externalId: string; external?: External }): Promise<{ seq: number; duplicate: boolean }>;
  messageDeleted(team: string, m: { message: number; externalId: string; external?: External }): Promise<{ seq: number; duplicate: boolean }>;
  statusPublished(
    team: string,
    s: { text: string; impact?: string; currentAction?: string; nextUpdateInMinutes?: number; resolved?: boolean; author: Actor; externalId: string },
  ): Promise<{ seq: number; duplicate: boolean }>;
}

interface Owed {
  seq: number;
  team: string;
  channel: Channel;
  persona?: string;
  name: string;
  text: string;
  textJa?: string;
  replyTo?: number;
  expectsAnswer?: boolean;
  attempts: number;
  retryAtWall?: number;
}

type Ack = (response?: Record<string, unknown>) => Promise<void>;

/** Slack escapes these three in message text (and expects them escaped): text stays text. */
const escape = (t: string) => t.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
const unescape = (t: string) => t.replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
const backoffMs = (attempt: number) => Math.min(60_000, 1000 * 2 ** (attempt - 1));
const TEXT_MAX = 4000;

/** The Slack libraries' logger: warnings and errors only (their debug lines carry payloads), into ours. */
function quietLogger(log: ((msg: string) => void) | undefined): Logger {
  const out = (level: string) => (...msg: unknown[]) => log?.(`slack ${level}: ${msg.map(String).join(' ')}`);
  return { debug: () => {}, info: () => {}, warn: out('warn'), error: out('error'), setLevel: () => {}, getLevel: () => LogLevel.WARN, setName: () => {} };
}

export class SlackTransport {
  readonly name = 'slack' as const;
  readonly web: WebClient;
  private socket: SocketModeClient | undefined;
  private readonly teams = new Map<string, SlackTeam>();
  /** `team:channel` → Slack channel id, and back. */
  private readonly channelId = new Map<string, string>();
  private readonly byChannelId = new Map<string, { team: string; channel: Channel }>();
  /** `channelId:ts` → message seq (persona lines delivered, team messages received), and seq → place. */
  private readonly seqOfTs = new Map<string, number>();
  private readonly tsOfSeq = new Map<number, { channel: string; ts: string }>();
  private readonly owed = new Map<number, Owed>();
  /** `channelId:threadTs` → the latest persona question posted into that thread. */
  private readonly threadQuestion = new Map<string, number>();
  private readonly userNames = new Map<string, string>();
  private blockedUntilWall = 0;
  private started = false;
  private closed = false;
  private draining: Promise<void> | undefined;

  constructor(private readonly d: SlackDeps) {
    for (const t of d.settings.teams) {
      this.teams.set(t.id, t);
      if (t.channels) {
        this.link(t.id, 'incident', t.channels.incident);
        this.link(t.id, 'stakeholders', t.channels.stakeholders);
      }
      for (const m of t.members) if (m.slackUser) this.userNames.set(m.slackUser, m.name);
    }
    this.web = new WebClient(d.settings.botToken, {
      ...(d.settings.apiUrl ? { slackApiUrl: d.settings.apiUrl } : {}),
      // Rate limits and retries are ours (the outbox records each attempt), not the library's.
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
      logger: quietLogger(d.log) as never,
    });
  }

  carries(team: string): boolean {
    return this.teams.has(team);
  }

  private link(team: string, channel: Channel, id: string): void {
    this.channelId.set(`${team}:${channel}`, id);
    this.byChannelId.set(id, { team, channel });
  }

  private place(seq: number, ext: External | undefined): void {
    if (!ext) return;
    this.seqOfTs.set(`${ext.slack.channel}:${ext.slack.ts}`, seq);
    this.tsOfSeq.set(seq, { channel: ext.slack.channel, ts: ext.slack.ts });
  }

  /** Fold one event (rebuild from the log, then by subscription). */
  apply(e: StoredEvent): void {
    if (!e.team || !this.teams.has(e.team)) return;
    switch (e.type) {
      case 'channel.linked':
        this.link(e.team, e.data.channel, e.data.id);
        return;
      case 'message.posted': {
        this.place(e.seq, e.data.external);
        const d = e.data;
        if (d.author.kind !== 'persona' || d.channel === 'chat' || d.external) return;
        this.owed.set(e.seq, {
          seq: e.seq,
          team: e.team,
          channel: d.channel,
          name: d.author.name,
          text: d.text,
          attempts: 0,
          ...(d.persona ? { persona: d.persona } : {}),
          ...(d.textJa !== undefined ? { textJa: d.textJa } : {}),
          ...(d.replyTo !== undefined ? { replyTo: d.replyTo } : {}),
          ...(d.expectsAnswer ? { expectsAnswer: true } : {}),
        });
        this.kick();
        return;
      }
      case 'message.delivered': {
        const o = this.owed.get(e.data.message);
        if (e.data.ok) {
          this.place(e.data.message, e.data.external);
          // A persona question posted into a thread (a follow-up) is what a later reply there answers.
          const ext = e.data.external?.slack;
          if (ext?.threadTs && o?.expectsAnswer) this.threadQuestion.set(`${ext.channel}:${ext.threadTs}`, e.data.message);
          this.owed.delete(e.data.message);
        } else if (o && e.data.retryAtWall !== undefined) {
          o.attempts = e.data.attempt;
          o.retryAtWall = e.data.retryAtWall;
        } else this.owed.delete(e.data.message);
        return;
      }
      default:
        return;
    }
  }

  /** Seq of the message at this Slack place, if firedrill knows it. */
  seqAt(channel: string, ts: string): number | undefined {
    return this.seqOfTs.get(`${channel}:${ts}`);
  }

  async start(): Promise<void> {
    await this.ensureChannels();
    const socket = new SocketModeClient({
      appToken: this.d.settings.appToken,
      logger: quietLogger(this.d.log),
      clientPingTimeout: this.d.settings.reconnectMs ?? 5000,
      clientOptions: this.d.settings.apiUrl ? { slackApiUrl: this.d.settings.apiUrl } : {},
    });
    socket.on('message', (a: { ack: Ack; event: SlackMessageEvent; body: { event_id?: string } }) => void this.guard(a.ack, () => this.onMessage(a.body, a.event)));
    socket.on('slash_commands', (a: { ack: Ack; body: SlashCommand }) => void this.guard(a.ack, () => this.onSlash(a.body)));
    // Any other Events API event is acknowledged and dropped, so Slack does not keep redelivering it.
    socket.on('slack_event', (a: { ack: Ack; type: string; body?: { event?: { type?: string } } }) => {
      if (a.type === 'events_api' && a.body?.event?.type !== 'message') void this.guard(a.ack, async () => {});
    });
    socket.on('interactive', (a: { ack: Ack; body: Interactive }) => void this.guard(a.ack, () => this.onInteractive(a.body)));
    this.socket = socket;
    await socket.start();
    this.started = true;
    this.kick();
  }

  /** Acknowledge after the handler (its event appended); a handler that throws leaves the envelope for Slack to redeliver. */
  private async guard(ack: Ack, handle: () => Promise<Record<string, unknown> | void>): Promise<void> {
    let response: Record<string, unknown> | void;
    try {
      response = await handle();
    } catch (err) {
      this.d.log?.(`slack: envelope not acknowledged, Slack will redeliver: ${(err as Error).message}`);
      return;
    }
    try {
      await ack(response ?? undefined);
    } catch (err) {
      // The socket dropped between append and ack: the redelivery is de-duplicated by its key.
      this.d.log?.(`slack: ack failed (${(err as Error).message})`);
    }
  }

  private async ensureChannels(): Promise<void> {
    for (const t of this.teams.values()) {
      if (!t.create) continue;
      for (const channel of ['incident', 'stakeholders'] as const) {
        if (this.channelId.has(`${t.id}:${channel}`)) continue;
        const name = `${t.id}-${channel}`;
        let id: string | undefined;
        try {
          id = (await this.web.conversations.create({ name, is_private: false })).channel?.id;
        } catch (err) {
          // name_taken (made by hand, or by another event): the organizer configures its id instead.
          await this.warn(t.id, `could not create #${name}: ${describe(err)}; give the channel ids in slack.teams instead`);
          continue;
        }
        if (!id) continue;
        await this.d.store.append({
          type: 'channel.linked',
          team: t.id,
          source: 'slack',
          key: `slack:channel:${t.id}:${channel}`,
          data: { channel, transport: 'slack', id, name, created: true },
        });
        const users = t.members.flatMap((m) => (m.slackUser ? [m.slackUser] : []));
        if (users.length) {
          try {
            await this.web.conversations.invite({ channel: id, users: users.join(',') });
          } catch (err) {
            await this.warn(t.id, `could not invite the team into #${name}: ${describe(err)}`);
          }
        }
      }
    }
  }

  private warn(team: string | null, message: string): Promise<unknown> {
    return this.d.store.append({ type: 'warning.raised', team, source: 'slack', data: { code: 'slack', message: message.slice(0, 1000) } });
  }

  // --- outbound: persona lines, in log order, one at a time

  tick(): void {
    this.kick();
  }

  private kick(): void {
    if (!this.started || this.closed || this.draining) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // Something may have become owed while the last send was in flight.
      if (this.dueNow().length) this.kick();
    });
  }

  private dueNow(): Owed[] {
    const now = this.d.clock.now();
    if (now < this.blockedUntilWall) return [];
    return [...this.owed.values()].filter((o) => (o.retryAtWall ?? 0) <= now).sort((a, b) => a.seq - b.seq);
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.closed) return;
      const next = this.dueNow()[0];
      if (!next) return;
      await this.send(next);
    }
  }

  private username(o: Owed, lang: Lang): string {
    const p = this.d.personas().find((x) => x.id === o.persona);
    // Scenario names already say the role ("Kenji Sato (CTO)").
    return p ? p.name[lang] : o.name;
  }

  private async send(o: Owed): Promise<void> {
    const team = this.teams.get(o.team)!;
    const channel = this.channelId.get(`${o.team}:${o.channel}`);
    const attempt = o.attempts + 1;
    const base = { message: o.seq, transport: 'slack' as const, attempt };
    const key = `slack-sent:${o.seq}:${attempt}`;
    if (!channel) {
      await this.d.store.append({ type: 'message.delivered', team: o.team, source: 'slack', key, data: { ...base, ok: false, detail: `no Slack channel for #${o.channel}` } });
      await this.warn(o.team, `persona line ${o.seq} not posted: the team has no Slack #${o.channel} channel`);
      return;
    }
    const icon = o.persona ? this.d.settings.icons?.[o.persona] : undefined;
    const thread = o.replyTo !== undefined ? this.tsOfSeq.get(o.replyTo) : undefined;
    const text = team.lang === 'ja' ? (o.textJa ?? o.text) : o.text;
    let data: NewEventOf<'message.delivered'>['data'];
    try {
      const r = await this.web.chat.postMessage({
        channel,
        text: escape(text),
        username: this.username(o, team.lang),
        ...(icon ? (/^https?:\/\//.test(icon) ? { icon_url: icon } : { icon_emoji: icon }) : { icon_emoji: ':speech_balloon:' }),
        ...(thread && thread.channel === channel ? { thread_ts: thread.ts } : {}),
        unfurl_links: false,
      });
      const ts = r.ts ?? r.message?.ts;
      data = {
        ...base,
        ok: true,
        detail: 'posted',
        status: 200,
        ...(ts ? { external: { slack: { channel: r.channel ?? channel, ts, ...(thread ? { threadTs: thread.ts } : {}) } } } : {}),
      };
    } catch (err) {
      const e = err as WebAPICallError;
      const max = this.d.settings.maxAttempts ?? 10;
      let retryAt: number | undefined;
      let status: number | undefined;
      if (e.code === 'slack_webapi_rate_limited_error') {
        status = 429;
        retryAt = this.d.clock.now() + Math.max(1, e.retryAfter) * 1000;
        this.blockedUntilWall = Math.max(this.blockedUntilWall, retryAt);
      } else if (e.code === 'slack_webapi_platform_error') {
        // channel_not_found, not_in_channel, ...: retrying will not help.
        status = 200;
      } else {
        if (e.code === 'slack_webapi_http_error') status = e.statusCode;
        retryAt = this.d.clock.now() + backoffMs(attempt);
      }
      if (attempt >= max) retryAt = undefined;
      data = { ...base, ok: false, detail: describe(err).slice(0, 500), ...(status !== undefined ? { status } : {}), ...(retryAt !== undefined ? { retryAtWall: retryAt } : {}) };
    }
    if (this.closed) return;
    await this.d.store.append({ type: 'message.delivered', team: o.team, source: 'slack', key, data });
    if (!data.ok && data.retryAtWall === undefined) await this.warn(o.team, `persona line ${o.seq} not posted to Slack: ${data.detail}`);
  }

  // --- inbound

  private async author(user: string | undefined): Promise<Actor> {
    if (!user) return { kind: 'team', name: 'unknown' };
    let name = this.userNames.get(user);
    if (name === undefined) {
      try {
        const r = await this.web.users.info({ user });
        const u = r.user;
        name = u?.profile?.display_name || u?.real_name || u?.name || user;
      } catch {
        name = user;
      }
      this.userNames.set(user, name);
    }
    return { kind: 'team', name: name.slice(0, 200) };
  }

  private async onMessage(body: { event_id?: string }, ev: SlackMessageEvent): Promise<void> {
    const where = this.byChannelId.get(ev.channel);
    if (!where || !body.event_id) return;
    const externalId = `slack:${body.event_id}`;
    if (ev.subtype === 'message_changed') {
      const m = ev.message;
      if (!m || m.bot_id || !m.edited) return; // a thread's reply count changing is not an edit
      const seq = this.seqAt(ev.channel, m.ts);
      if (seq === undefined) return;
      await this.d.inbox.messageEdited(where.team, { message: seq, text: unescape(m.text ?? '').slice(0, TEXT_MAX), externalId, external: { slack: { channel: ev.channel, ts: m.ts } } });
      return;
    }
    if (ev.subtype === 'message_deleted') {
      const ts = ev.deleted_ts ?? ev.previous_message?.ts;
      const seq = ts ? this.seqAt(ev.channel, ts) : undefined;
      if (seq === undefined || !ts) return;
      await this.d.inbox.messageDeleted(where.team, { message: seq, externalId, external: { slack: { channel: ev.channel, ts } } });
      return;
    }
    // Our own persona posts come back as bot messages; joins and topics are not the team speaking.
    if (ev.bot_id || (ev.subtype && ev.subtype !== 'thread_broadcast' && ev.subtype !== 'file_share')) return;
    if (!ev.ts || !(ev.text ?? '').trim()) return;
    const threadTs = ev.thread_ts && ev.thread_ts !== ev.ts ? ev.thread_ts : undefined;
    // In a question's thread the reply answers the latest question there (a follow-up), else the thread's first message.
    const replyTo = threadTs ? (this.threadQuestion.get(`${ev.channel}:${threadTs}`) ?? this.seqAt(ev.channel, threadTs)) : undefined;
    await this.d.inbox.teamMessage(where.team, {
      channel: where.channel,
      text: unescape(ev.text ?? '').slice(0, TEXT_MAX),
      author: await this.author(ev.user),
      ...(replyTo !== undefined ? { replyTo } : {}),
      externalId,
      external: { slack: { channel: ev.channel, ts: ev.ts, ...(threadTs ? { threadTs } : {}) } },
    });
  }

  private async onSlash(body: SlashCommand): Promise<Record<string, unknown> | void> {
    const where = this.byChannelId.get(body.channel_id);
    if (!where) return { text: 'This channel is not a firedrill team channel.' };
    await this.web.views.open({ trigger_id: body.trigger_id, view: statusModal(where.team, this.teams.get(where.team)!.lang, body.text ?? '') as never });
  }

  private async onInteractive(body: Interactive): Promise<Record<string, unknown> | void> {
    if (body.type === 'message_action' && body.callback_id === STATUS_CALLBACK) {
      const where = body.channel?.id ? this.byChannelId.get(body.channel.id) : undefined;
      if (!where || !body.trigger_id) return;
      await this.web.views.open({ trigger_id: body.trigger_id, view: statusModal(where.team, this.teams.get(where.team)!.lang, unescape(body.message?.text ?? '')) as never });
      return;
    }
    if (body.type !== 'view_submission' || body.view?.callback_id !== STATUS_CALLBACK) return;
    const form = readStatusModal(body.view);
    if ('errors' in form) return { response_action: 'errors', errors: form.errors };
    if (!this.teams.has(form.team)) return;
    await this.d.inbox.statusPublished(form.team, {
      text: form.text.slice(0, TEXT_MAX),
      ...(form.impact ? { impact: form.impact.slice(0, 1000) } : {}),
      ...(form.currentAction ? { currentAction: form.currentAction.slice(0, 1000) } : {}),
      ...(form.nextUpdateInMinutes !== undefined ? { nextUpdateInMinutes: form.nextUpdateInMinutes } : {}),
      ...(form.resolved ? { resolved: true } : {}),
      author: await this.author(body.user?.id),
      // A view is submitted once; Slack's redelivery of the same submission carries the same view id.
      externalId: `slack:view:${body.view.id}`,
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.draining;
    if (this.socket) await this.socket.disconnect().catch(() => {});
  }
}

function describe(err: unknown): string {
  const e = err as WebAPICallError & { data?: { error?: string } };
  if (e.code === 'slack_webapi_platform_error') return `Slack said ${e.data.error}`;
  if (e.code === 'slack_webapi_rate_limited_error') return `rate limited, retry after ${e.retryAfter} s`;
  return (err as Error).message ?? String(err);
}

// The fields of the Slack payloads this transport reads.
export interface SlackMessageEvent {
  type: 'message';
  subtype?: string;
  channel: string;
  user?: string;
  bot_id?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  deleted_ts?: string;
  message?: { ts: string; text?: string; user?: string; bot_id?: string; edited?: { user: string; ts: string } };
  previous_message?: { ts: string; text?: string };
}

export interface SlashCommand {
  command: string;
  text?: string;
  channel_id: string;
  user_id: string;
  trigger_id: string;
}

export interface Interactive {
  type: 'view_submission' | 'message_action' | string;
  callback_id?: string;
  trigger_id?: string;
  user?: { id: string };
  channel?: { id: string };
  message?: { ts: string; text?: string };
  view?: { id: string; callback_id: string; private_metadata?: string; state?: { values: Record<string, Record<string, { type: string; value?: string | null; selected_options?: Array<{ value: string }> }>> } };
}
