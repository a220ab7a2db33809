import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commsLeadShare, namedInTime, rolesShare, rotationFacts, type FaultRoles, type RoleNaming } from '../../src/comms/rules/roles.js';
import { checkHolders, parseRolesNote } from '../../src/incidents/roles.js';
import { fromRoot } from '../../src/paths.js';
import { parseScenario } from '../../src/scenario/load.js';
import { apply, createScore, freshBreakdowns, leaderboard } from '../../src/scoring/index.js';
import { buildEvents, buildScenario } from '../scoring/fixture.js';
import { parse } from 'yaml';

const naming = (seq: number, gameTime: number, commander: string | null, communications: string | null, ops: string | null): RoleNaming => ({ seq, gameTime, commander, communications, ops });
const MIN = 60_000;

describe('roles named within N minutes of detection (namedInTime)', () => {
  const rows: Array<[string, RoleNaming[], number | null, number, number[]]> = [
    ['all three at once, in time', [naming(5, 3 * MIN, 'Aki', 'Ben', 'Chie')], 2 * MIN, 1, [5]],
    ['exactly at the deadline counts', [naming(5, 7 * MIN, 'Aki', 'Ben', 'Chie')], 2 * MIN, 1, [5]],
    ['one ms late counts nothing', [naming(5, 7 * MIN + 1, 'Aki', 'Ben', 'Chie')], 2 * MIN, 0, []],
    ['two in time, the third later', [naming(5, 3 * MIN, 'Aki', 'Ben', null), naming(9, 9 * MIN, 'Aki', 'Ben', 'Chie')], 2 * MIN, 2 / 3, [5]],
    ['named in two steps, both in time', [naming(5, 3 * MIN, 'Aki', null, null), naming(6, 4 * MIN, 'Aki', 'Ben', 'Chie')], 2 * MIN, 1, [5, 6]],
    ['a role taken back away still was named in time', [naming(5, 3 * MIN, 'Aki', 'Ben', 'Chie'), naming(6, 4 * MIN, null, null, null)], 2 * MIN, 1, [5]],
    ['no naming', [], 2 * MIN, 0, []],
    ['not detected: nothing to name roles on', [], null, 0, []],
  ];
  for (const [what, namings, detectedAt, share, evidence] of rows)
    it(what, () => {
      const f = namedInTime(namings, detectedAt, 5 * MIN);
      expect(f.share).toBeCloseTo(share, 10);
      expect(f.evidence).toEqual(evidence);
      expect(f.note.en).toBeTruthy();
      expect(f.note.ja).toBeTruthy();
    });

  it('says which roles were late, in both languages', () => {
    const f = namedInTime([naming(5, 3 * MIN, 'Aki', null, null)], 2 * MIN, 5 * MIN);
    expect(f.note.en).toBe('1 of 3 roles named within 5 min of detection; not in time: Communications Lead, Ops Lead');
    expect(f.note.ja).toBe('検知から 5 分以内に指名された役割 3 件中 1 件（間に合わず：コミュニケーション担当、オペレーション担当）');
  });
});

describe('stakeholder updates and answers by the Communications Lead (commsLeadShare)', () => {
  const lead = [naming(10, 0, 'Aki', 'Ben', 'Chie')];
  const rows: Array<[string, RoleNaming[], Array<{ seq: number; author?: string }>, number | null]> = [
    ['all by the lead', lead, [{ seq: 11, author: 'Ben' }, { seq: 12, author: 'Ben' }], 1],
    ['names compare as typed (case, width, spaces)', lead, [{ seq: 11, author: ' ben ' }, { seq: 12, author: 'ＢＥＮ' }], 1],
    ['one by the commander', lead, [{ seq: 11, author: 'Ben' }, { seq: 12, author: 'Aki' }], 0.5],
    ['written before the lead was named does not count', lead, [{ seq: 9, author: 'Aki' }, { seq: 11, author: 'Ben' }], 1],
    ['no known author (PagerDuty) does not count', lead, [{ seq: 11 }, { seq: 12, author: 'Aki' }], 0],
    ['the lead of the time: a later change of lead', [naming(10, 0, 'Aki', 'Ben', 'Chie'), naming(20, 0, 'Aki', 'Chie', 'Ben')], [{ seq: 11, author: 'Ben' }, { seq: 21, author: 'Ben' }], 0.5],
    ['nothing written since a lead was named: n/a', lead, [{ seq: 3, author: 'Ben' }], null],
    ['no lead named (nobody): n/a', [naming(10, 0, 'Aki', null, 'Chie')], [{ seq: 11, author: 'Ben' }], null],
  ];
  for (const [what, namings, written, share] of rows)
    it(what, () => {
      const f = commsLeadShare(namings, written.map((w) => ({ ...w, kind: 'update' as const })));
      expect(f.share).toBe(share);
    });

  it('names who else wrote', () => {
    const f = commsLeadShare(lead, [{ seq: 11, kind: 'update', author: 'Ben' }, { seq: 12, kind: 'answer', author: 'Aki' }]);
    expect(f.note.en).toBe('1 of 2 updates and answers written by the Communications Lead; by others: #12 Aki');
    expect(f.evidence).toEqual([11, 12]);
  });
});

describe('rotation: nobody holds the same role twice before everyone has held it (rotationFacts)', () => {
  const members = ['Aki', 'Ben', 'Chie'];
  const f = (fault: string, c: string | null, m: string | null, o: string | null, seq = 1): FaultRoles => ({ fault, holders: { commander: c, communications: m, ops: o }, seq });
  const shares = (faults: FaultRoles[], ms = members) => Object.fromEntries([...rotationFacts(faults, ms)].map(([k, v]) => [k, v.share]));

  it('a full rotation is kept on every fault, and a new round starts after everyone has held a role', () => {
    expect(shares([f('a', 'Aki', 'Ben', 'Chie'), f('b', 'Ben', 'Chie', 'Aki'), f('c', 'Chie', 'Aki', 'Ben'), f('d', 'Aki', 'Ben', 'Chie')])).toEqual({ a: 1, b: 1, c: 1, d: 1 });
  });
  it('the same commander twice while others have not been: that role is broken', () => {
    const r = rotationFacts([f('a', 'Aki', 'Ben', 'Chie'), f('b', 'Aki', 'Chie', 'Ben')], members);
    expect(r.get('b')!.share).toBeCloseTo(2 / 3, 10);
    expect(r.get('b')!.note.en).toBe('rotation broken: Aki was Incident Commander before (not yet: Ben, Chie)');
    expect(r.get('b')!.note.ja).toBe('ローテーション違反：Aki は以前もインシデントコマンダー（未担当：Ben、Chie）');
  });
  it('every role repeated', () => {
    expect(shares([f('a', 'Aki', 'Ben', 'Chie'), f('b', 'Aki', 'Ben', 'Chie')])).toEqual({ a: 1, b: 0 });
  });
  it('a broken role does not start the round again: the next fault is judged against the same round', () => {
    expect(shares([f('a', 'Aki', null, null), f('b', 'Aki', null, null), f('c', 'Ben', null, null), f('d', 'Chie', null, null), f('e', 'Aki', null, null)])).toEqual({ a: 1, b: 0, c: 1, d: 1, e: 1 });
  });
  it('a fault without roles is n/a and does not advance the rotation', () => {
    expect(shares([f('a', 'Aki', null, null), { fault: 'b', holders: null, seq: null }, f('c', 'Aki', null, null)])).toEqual({ a: 1, b: null, c: 0 });
  });
  it('a one-member team cannot break it', () => {
    expect(shares([f('a', 'Solo', 'Solo', 'Solo'), f('b', 'Solo', 'Solo', 'Solo')], ['Solo'])).toEqual({ a: 1, b: 1 });
  });
  it('names compare as typed', () => {
    expect(shares([f('a', 'Aki', null, null), f('b', 'aki', null, null)])).toEqual({ a: 1, b: 0 });
  });
});

describe('the roles measure (rolesShare): weighted facts, n/a facts drop out', () => {
  const fact = (share: number | null) => ({ share, evidence: [], note: { en: '', ja: '' } });
  it.each([
    [[1, 0, 1], [1, 1, 1], 2 / 3],
    [[1, null, 0], [1, 1, 1], 0.5],
    [[1, 0, 0], [2, 1, 1], 0.5],
    [[null, null, null], [1, 1, 1], null],
    [[1, 1, 0], [1, 1, 0], 1],
  ] as Array<[Array<number | null>, number[], number | null]>)('%j weighted %j → %s', (shares, weights, want) => {
    const got = rolesShare(shares.map((s, i) => ({ fact: fact(s), weight: weights[i]! })));
    if (want === null) expect(got).toBeNull();
    else expect(got).toBeCloseTo(want, 10);
  });
});

describe('holders must be members (checkHolders)', () => {
  const members = [{ name: 'Aki Tanaka' }, { name: 'Ben' }];
  it('maps names to the stored spelling and leaves the rest to nobody', () => {
    expect(checkHolders(members, { commander: 'aki  tanaka', ops: 'BEN' })).toEqual({ commander: 'Aki Tanaka', communications: null, ops: 'Ben' });
  });
  it('refuses a stranger, naming the role and the members', () => {
    expect(() => checkHolders(members, { communications: 'Mallory' })).toThrow("body.communications: 'Mallory' is not a member of your team (members: Aki Tanaka, Ben)");
  });
});

describe('a PagerDuty note that names roles (parseRolesNote)', () => {
  const rows: Array<[string, ReturnType<typeof parseRolesNote>]> = [
    ['roles: IC=Aki, comms=Ben, ops=Chie', { commander: 'Aki', communications: 'Ben', ops: 'Chie' }],
    ['Roles: Incident Commander = Aki Tanaka; Communications Lead = Ben', { commander: 'Aki Tanaka', communications: 'Ben' }],
    ['役割: IC=Aki、広報=Ben、オペ=Chie', { commander: 'Aki', communications: 'Ben', ops: 'Chie' }],
    ['役割：インシデントコマンダー＝Aki，コミュニケーション担当＝Ben', { commander: 'Aki', communications: 'Ben' }],
    ['roles: ops=none, IC=Aki', { commander: 'Aki', ops: null }],
    ['roles: IC=Aki\nthe rest of the note is text', { commander: 'Aki' }],
    ['we changed roles: IC=Aki', null],
    ['roles: lead=Aki', null],
    ['restarted the ingress', null],
  ];
  for (const [note, want] of rows) it(JSON.stringify(note), () => expect(parseRolesNote(note)).toEqual(want));
});

describe('scenario option scoring.roles (validated, defaults filled)', () => {
  const base = readFileSync(fromRoot('test/fixtures/scenarios/minimal.yaml'), 'utf8');
  const load = (extra: string) => parseScenario(`${base}\nscoring:\n  roles: ${extra}\n`, 'x.yaml');
  it('defaults: within 5m, rotation off, weight 1, facts 1 each', () => {
    const r = parseScenario(base, 'x.yaml');
    expect(r.ok && r.scenario.scoring.roles).toEqual({ withinMs: 300_000, rotation: false, weight: 1, weights: { named: 1, commsLead: 1, rotation: 1 } });
  });
  it('keeps what the file sets', () => {
    const r = load('{ within: 10m, rotation: true, weight: 2, weights: { rotation: 3 } }');
    expect(r.ok && r.scenario.scoring.roles).toEqual({ withinMs: 600_000, rotation: true, weight: 2, weights: { named: 1, commsLead: 1, rotation: 3 } });
  });
  it.each([
    ['{ within: 0s }', /scoring\.roles\.within: must be more than 0/],
    ['{ within: soon }', /scoring\.roles\.within/],
    ['{ rotation: yes please }', /scoring\.roles\.rotation/],
    ['{ weight: -1 }', /scoring\.roles\.weight/],
    ['{ weights: { named: 0, commsLead: 0, rotation: 0 } }', /scoring\.roles\.weights: at least one roles fact must weigh more than 0/],
    ['{ rotate: true }', /scoring\.roles/],
  ])('refuses %s', (extra, problem) => {
    const r = load(extra);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problems.join('\n')).toMatch(problem);
  });
});

describe('the fold keeps roles O(1) per event yet right: the cached breakdown equals the fresh one after every event', () => {
  it('golden 05, event by event', () => {
    const g = parse(readFileSync(fromRoot('test/scoring/golden/05-roles-on-time-and-rotated.yaml'), 'utf8')) as { scenario: Parameters<typeof buildScenario>[0]; teams: string[]; members: Record<string, string[]>; events: never[] };
    const sc = buildScenario(g.scenario);
    const s = createScore(sc);
    for (const e of buildEvents(g.teams, g.events, g.members)) {
      apply(s, e);
      const fresh = freshBreakdowns(s);
      for (const t of leaderboard(s).teams) expect(t.breakdown, `after #${e.seq} ${e.type}`).toEqual(fresh.get(t.team));
    }
  });
});
