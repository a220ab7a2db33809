import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import type { NewEvent, StoredEvent } from '../../src/events/types.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { results, resultsCsv } from '../../src/export/results.js';
import { mdText, retrospective } from '../../src/export/retro.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { score } from '../../src/scoring/index.js';

/** A demo game recorded from a real `--demo --speed 60` run (three bot teams, finished by the organizer). */
const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));

/** The recording plus what people typed: a hostile message, a structured postmortem, a judge's note. */
function withPeople(): StoredEvent[] {
  const last = recorded[recorded.length - 1]!;
  let seq = last.seq;
  const add = (e: Omit<StoredEvent, 'seq' | 'at' | 'gameTime' | 'source' | 'key'>) =>
    ({ ...e, seq: ++seq, at: last.at + seq, gameTime: last.gameTime, source: 'test', key: null }) as StoredEvent;
  const team = 'bot-alpha';
  const actor = { kind: 'team' as const, name: 'Aiko' };
  return [
    ...recorded,
    add({ type: 'message.posted', team, data: { channel: 'incident', author: actor, text: '<script>alert(1)</script> **not bold** [link](http://x)' } }),
    add({
      type: 'postmortem.submitted',
      team,
      data: {
        fault: 'site-unreachable',
        text: 'The ingress route pointed at the wrong port.',
        wentWell: 'Paged within a minute',
        lucky: 'Nobody else deployed meanwhile',
        improve: 'Check ports in review',
        actionItems: [{ text: 'Add a route-port check to CI', owner: 'Ken' }],
        by: actor,
      },
    }),
    add({ type: 'judgement.recorded', team, data: { fault: 'site-unreachable', category: 'communication', criterion: 'accuracy', score: 4, judge: 'Mika', note: 'Clear impact statement' } }),
  ] as StoredEvent[];
}

describe('results', () => {
  const events = withPeople();
  const r = results(scenario, events);

  it('ranks every team with the same totals as the scoring fold', () => {
    const board = score(scenario, events);
    expect(r.teams.map((t) => [t.team, t.rank, t.total])).toEqual(board.teams.map((t) => [t.team, t.rank, t.total]));
    expect(r.teams).toHaveLength(3);
    expect(r.finished).toBe(true);
  });

  it('summarises each fault with its times from injection and reveals its cause', () => {
    for (const t of r.teams) {
      expect(t.faults.map((f) => f.fault)).toEqual(scenario.faults.map((f) => f.id));
      for (const f of t.faults.filter((x) => x.injectedAt !== null)) {
        expect(f.cause.en.length).toBeGreaterThan(20);
        expect(f.recoverMs === null || f.recoverMs >= 0).toBe(true);
        expect(f.acknowledgeMs === null || f.detectMs === null || f.acknowledgeMs >= 0).toBe(true);
      }
    }
    const charlie = r.teams.find((t) => t.team === 'bot-charlie')!;
    const first = charlie.faults[0]!;
    const injected = recorded.find((e) => e.type === 'fault.injected' && e.team === 'bot-charlie')!;
    const recovered = recorded.find((e) => e.type === 'fault.recovered' && e.team === 'bot-charlie')!;
    expect(first.recoverMs).toBe((recovered.type === 'fault.recovered' ? recovered.data.greenSince : 0) - injected.gameTime);
  });

  it('keeps awards and penalties with their reasons', () => {
    expect(r.teams.find((t) => t.team === 'bot-bravo')!.adjustments).toEqual([expect.objectContaining({ points: 50, reason: 'Clear handover between roles' })]);
  });

  it('writes CSV a spreadsheet cannot run as formulas', () => {
    const csv = resultsCsv({ ...r, teams: [{ ...r.teams[0]!, name: '=HYPERLINK("http://evil")' }] });
    const [head, row] = csv.split('\r\n');
    expect(head).toMatch(/^rank,team,name,total,recovery,detection,communication,review,availability,hints,adjustments/);
    expect(row).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });
});

describe('retrospective pack', () => {
  const events = withPeople();
  const r = results(scenario, events);
  const md = retrospective(scenario, events, r, 'bot-alpha', 'en');

  it('drafts the timeline from the team’s events: injection, probes, incident, questions, changes, recovery', () => {
    const timeline = md.slice(md.indexOf('## Timeline'));
    for (const what of ['fault injected', 'probe failed', 'incident opened', 'incident acknowledged', '(question)', 'change c', 'recovered', 'resolved']) {
      expect(timeline, what).toContain(what);
    }
    // Only this team's events.
    expect(md).not.toContain('Bravo Bots');
  });

  it('shows the postmortem sections and action items separately, and the judges’ comments', () => {
    expect(md).toContain('### What went well\n\nPaged within a minute');
    expect(md).toContain('### Where we got lucky');
    expect(md).toContain('### What to improve');
    expect(md).toContain('- [ ] Add a route-port check to CI — Ken');
    expect(md).toContain("## Judges' comments");
    expect(md).toContain('Clear impact statement');
  });

  it('shows what people typed as text, never as markup or HTML', () => {
    expect(md).not.toContain('<script>');
    expect(md).toContain('&lt;script\\>alert(1)&lt;/script\\> \\*\\*not bold\\*\\* \\[link\\](http://x)');
    expect(mdText('a\nb')).toBe('a b');
  });

  it('is written in Japanese for a Japanese team', () => {
    const ja = retrospective(scenario, events, r, 'bot-alpha', 'ja');
    expect(ja).toContain('# ふりかえり');
    expect(ja).toContain('## タイムライン');
    expect(ja).toContain('チャットサイトに接続できない');
  });
});

describe('firedrill export (the built CLI on a real data dir)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fd-export-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes results, the log and each team’s retrospective from the data dir’s database', async () => {
    // The recording, appended into a real database file with its own wall and game times.
    const clock = new ManualClock(0);
    const db = openDatabase(join(dir, 'data', 'firedrill.db'));
    const store = new SqliteEventStore(db, { clock });
    for (const e of recorded) {
      clock.set(e.at);
      await store.append({ type: e.type, team: e.team, source: e.source, key: e.key, data: e.data, gameTime: e.gameTime } as NewEvent);
    }
    await store.close();

    const out = join(dir, 'out');
    const stdout = execFileSync(process.execPath, [fromRoot('dist/src/cli.js'), 'export', '--data-dir', join(dir, 'data'), '--out', out], { encoding: 'utf8' });
    expect(stdout).toContain(`exported ${recorded.length} events`);
    const written = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(results(scenario, recorded))));
    expect(parseEventsJsonl(readFileSync(join(out, 'events.jsonl'), 'utf8'))).toEqual(recorded);
    expect(readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n')).toHaveLength(3 + 2);
    for (const t of ['bot-alpha', 'bot-bravo', 'bot-charlie']) {
      expect(readFileSync(join(out, 'retro', `${t}.md`), 'utf8')).toContain('## Timeline');
      expect(readFileSync(join(out, 'retro', `${t}.ja.md`), 'utf8')).toContain('## タイムライン');
    }
  });

  it('says so when the data dir holds no game', () => {
    let err = '';
    try {
      execFileSync(process.execPath, [fromRoot('dist/src/cli.js'), 'export', '--data-dir', join(dir, 'nothing')], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      err = String((e as { stderr: string }).stderr);
    }
    expect(err).toContain('no game in');
  });
});
