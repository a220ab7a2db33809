import type { SlackSettings } from './transport.js';

export { SlackTransport, type SlackSettings, type SlackTeam, type SlackDeps, type SlackInbox } from './transport.js';
export { statusModal, readStatusModal, STATUS_CALLBACK } from './modal.js';

/** The `slack:` block of firedrill.yaml (and the teams' `slackUser` ids), as this part's settings. */
export interface SlackConfigInput {
  slack?: {
    botToken?: string;
    appToken?: string;
    apiUrl?: string;
    reconnectMs?: number;
    icons?: Record<string, string>;
    teams: Array<{ team: string; incident?: string; stakeholders?: string; create?: boolean; lang: 'en' | 'ja' }>;
  };
  teams: Array<{ id: string; members?: Array<{ name: string; slackUser?: string }> }>;
}

export function slackSettings(config: SlackConfigInput): SlackSettings {
  const s = config.slack;
  if (!s?.botToken || !s.appToken) throw new Error('slack: bot token and app-level token are required');
  return {
    botToken: s.botToken,
    appToken: s.appToken,
    ...(s.apiUrl ? { apiUrl: s.apiUrl } : {}),
    ...(s.icons ? { icons: s.icons } : {}),
    ...(s.reconnectMs ? { reconnectMs: s.reconnectMs } : {}),
    teams: s.teams.map((t) => ({
      id: t.team,
      lang: t.lang,
      ...(t.incident && t.stakeholders ? { channels: { incident: t.incident, stakeholders: t.stakeholders } } : {}),
      ...(t.create ? { create: true } : {}),
      members: (config.teams.find((c) => c.id === t.team)?.members ?? []).map((m) => ({ name: m.name, ...(m.slackUser ? { slackUser: m.slackUser } : {}) })),
    })),
  };
}
