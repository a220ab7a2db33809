import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigError, loadConfig } from '../../src/config.js';
import { slackSettings, STATUS_CALLBACK } from '../../src/slack/index.js';

const doc = readFileSync(join(import.meta.dirname, '../../docs/slack.md'), 'utf8');
const yamlBlocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!.replace(/^ {3}/gm, ''));
const dir = mkdtempSync(join(tmpdir(), 'firedrill-slack-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(text: string): string {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, text);
  return f;
}

describe('slack configuration', () => {
  it('loads the firedrill.yaml example of docs/slack.md, tokens from the environment', () => {
    const example = yamlBlocks.find((b) => b.includes('slack:'))!;
    const c = loadConfig({ file: configFile(example), env: { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1' } });
    const s = slackSettings(c);
    expect(s).toMatchObject({ botToken: 'xoxb-1', appToken: 'xapp-1', icons: { cto: ':necktie:' } });
    expect(s.teams).toEqual([{ id: 'tigers', lang: 'ja', create: true, members: [{ name: 'Aiko', slackUser: 'U012AB3CD' }, { name: 'Ben', slackUser: 'U045EF6GH' }] }]);
  });

  it('refuses a slack block without tokens, or a team with neither (or both) channel ids and create', () => {
    const file = configFile('slack:\n  teams:\n    - { team: t1, lang: en }\n');
    expect(() => loadConfig({ file, env: {} })).toThrow(ConfigError);
    try {
      loadConfig({ file, env: {} });
    } catch (e) {
      expect((e as Error).message).toMatch(/SLACK_BOT_TOKEN/);
      expect((e as Error).message).toMatch(/SLACK_APP_TOKEN/);
      expect((e as Error).message).toMatch(/slack\.teams\.t1: give both channel ids/);
    }
    const both = configFile('slack:\n  teams:\n    - { team: t1, create: true, incident: C0A1, stakeholders: C0A2 }\n');
    expect(() => loadConfig({ file: both, env: { SLACK_BOT_TOKEN: 'x', SLACK_APP_TOKEN: 'y' } })).toThrow(/give both channel ids/);
  });

  it('without a slack block nothing is configured', () => {
    expect(loadConfig({ env: { SLACK_BOT_TOKEN: 'xoxb-1' }, flags: {} }).slack).toBeUndefined();
  });

  it('the app manifest of docs/slack.md asks for what the transport uses', () => {
    const manifest = parse(yamlBlocks.find((b) => b.includes('oauth_config'))!) as {
      features: { slash_commands: Array<{ command: string }>; shortcuts: Array<{ callback_id: string; type: string }> };
      oauth_config: { scopes: { bot: string[] } };
      settings: { socket_mode_enabled: boolean; event_subscriptions: { bot_events: string[] }; interactivity: { is_enabled: boolean } };
    };
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.event_subscriptions.bot_events).toContain('message.channels');
    expect(manifest.oauth_config.scopes.bot).toEqual(expect.arrayContaining(['chat:write', 'chat:write.customize', 'channels:manage', 'channels:read', 'channels:history', 'groups:write', 'users:read', 'commands']));
    expect(manifest.features.slash_commands.map((c) => c.command)).toContain('/status');
    expect(manifest.features.shortcuts).toContainEqual(expect.objectContaining({ type: 'message', callback_id: STATUS_CALLBACK }));
  });
});
