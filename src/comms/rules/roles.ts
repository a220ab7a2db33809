/**
 * Incident roles as scored facts (issue 15; docs/scoring.md, "Roles"). Pure: no I/O, no clock.
 * Three facts per fault, each a share 0..1 or null when it does not apply:
 * - named: how many of the three roles were named on the fault's incident within `withinMs` of detection;
 * - commsLead: how many of the fault's status updates and persona answers, written after a
 *   Communications Lead was named, that lead wrote;
 * - rotation: how many of the fault's roles went to someone who had not held that role yet in the
 *   current round (a round ends when every member has held the role).
 */

export const ROLES = ['commander', 'communications', 'ops'] as const;
export type Role = (typeof ROLES)[number];
export type Holders = Record<Role, string | null>;

/** One naming of an incident's roles (an incident.roles_set), in log order. */
export interface RoleNaming extends Holders {
  seq: number;
  gameTime: number;
}

export interface RoleFact {
  share: number | null;
  evidence: number[];
  note: { en: string; ja: string };
}

const ROLE_EN: Record<Role, string> = { commander: 'Incident Commander', communications: 'Communications Lead', ops: 'Ops Lead' };
const ROLE_JA: Record<Role, string> = { commander: 'インシデントコマンダー', communications: 'コミュニケーション担当', ops: 'オペレーション担当' };

/** Names compare as people type them: case, width and spacing do not matter. */
export const sameName = (a: string, b: string): boolean => norm(a) === norm(b);
const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();

const minutes = (ms: number) => `${Math.round(ms / 6_000) / 10}`;

/** The holders after the last naming at or before `seq` (nobody before the first). */
export function holdersAt(namings: readonly RoleNaming[], seq: number): Holders | null {
  let out: Holders | null = null;
  for (const n of namings) if (n.seq <= seq) out = n;
  return out;
}

/** The holders now: the last naming. */
export const currentHolders = (namings: readonly RoleNaming[]): Holders | null => namings[namings.length - 1] ?? null;

/**
 * How many roles were named within `withinMs` of detection: a role counts when some naming at or
 * before the deadline gave it a holder. Not detected yet: 0 (no incident to name roles on).
 */
export function namedInTime(namings: readonly RoleNaming[], detectedAt: number | null, withinMs: number): RoleFact {
  if (detectedAt === null) return { share: 0, evidence: [], note: { en: 'no incident yet: no roles named', ja: 'インシデント未作成：役割の指名なし' } };
  const deadline = detectedAt + withinMs;
  const inTime = new Set<Role>();
  const evidence: number[] = [];
  for (const n of namings) {
    if (n.gameTime > deadline) break;
    let used = false;
    for (const r of ROLES) {
      if (n[r] === null || inTime.has(r)) continue;
      inTime.add(r);
      used = true;
    }
    if (used) evidence.push(n.seq);
  }
  const missing = ROLES.filter((r) => !inTime.has(r));
  const within = minutes(withinMs);
  return {
    share: inTime.size / ROLES.length,
    evidence,
    note: missing.length
      ? { en: `${inTime.size} of 3 roles named within ${within} min of detection; not in time: ${missing.map((r) => ROLE_EN[r]).join(', ')}`, ja: `検知から ${within} 分以内に指名された役割 3 件中 ${inTime.size} 件（間に合わず：${missing.map((r) => ROLE_JA[r]).join('、')}）` }
      : { en: `all 3 roles named within ${within} min of detection`, ja: `検知から ${within} 分以内に 3 つの役割をすべて指名` },
  };
}

/** A status update or persona answer of the fault, with who wrote it (absent: unknown, e.g. PagerDuty). */
export interface Written {
  seq: number;
  kind: 'update' | 'answer';
  author?: string | undefined;
}

/**
 * The share of the fault's stakeholder updates and answers written by the Communications Lead
 * of the time. Only what was written after a Communications Lead was named counts (before, there
 * was nobody to write it); writing with no known author (PagerDuty) is left out. Null when nothing counts.
 */
export function commsLeadShare(namings: readonly RoleNaming[], written: readonly Written[]): RoleFact {
  let counted = 0;
  let byLead = 0;
  const evidence: number[] = [];
  const others: string[] = [];
  for (const w of [...written].sort((a, b) => a.seq - b.seq)) {
    const lead = holdersAt(namings, w.seq)?.communications ?? null;
    if (lead === null || w.author === undefined) continue;
    counted++;
    evidence.push(w.seq);
    if (sameName(lead, w.author)) byLead++;
    else others.push(`#${w.seq} ${w.author}`);
  }
  if (!counted) return { share: null, evidence: [], note: { en: 'nothing written since a Communications Lead was named', ja: 'コミュニケーション担当の指名後の発信なし' } };
  return {
    share: byLead / counted,
    evidence,
    note: {
      en: `${byLead} of ${counted} updates and answers written by the Communications Lead${others.length ? `; by others: ${others.join(', ')}` : ''}`,
      ja: `状況報告と回答 ${counted} 件中 ${byLead} 件をコミュニケーション担当が発信${others.length ? `（他の人：${others.join('、')}）` : ''}`,
    },
  };
}

/** A fault's roles, in the order faults happened; holders null when none were named. */
export interface FaultRoles {
  fault: string;
  holders: Holders | null;
  /** The naming the holders come from (evidence). */
  seq: number | null;
}

/**
 * Rotation over the team's faults in order: for each role, a round lasts until every member has
 * held it; within a round, a holder who already held the role breaks the rotation for that role.
 * Members are the team's registered names (holders who are no longer members still count as
 * having held it). Returns each fault's fact (null share: no roles named on it).
 */
export function rotationFacts(faults: readonly FaultRoles[], members: readonly string[]): Map<string, RoleFact> {
  const out = new Map<string, RoleFact>();
  const round: Record<Role, string[]> = { commander: [], communications: [], ops: [] };
  const everyone = members.map(norm);
  for (const f of faults) {
    if (!f.holders || ROLES.every((r) => f.holders![r] === null)) {
      out.set(f.fault, { share: null, evidence: [], note: { en: 'no roles named', ja: '役割の指名なし' } });
      continue;
    }
    let named = 0;
    let kept = 0;
    const broken: Array<{ role: Role; who: string; waiting: string[] }> = [];
    for (const r of ROLES) {
      const who = f.holders[r];
      if (who === null) continue;
      named++;
      const n = norm(who);
      // A full round (every member has held it) starts a new one.
      if (everyone.length && everyone.every((m) => round[r].includes(m))) round[r] = [];
      if (round[r].includes(n)) broken.push({ role: r, who, waiting: members.filter((m) => !round[r].includes(norm(m))) });
      else {
        kept++;
        round[r].push(n);
      }
    }
    out.set(f.fault, {
      share: kept / named,
      evidence: f.seq !== null ? [f.seq] : [],
      note: broken.length
        ? {
            en: `rotation broken: ${broken.map((b) => `${b.who} was ${ROLE_EN[b.role]} before${b.waiting.length ? ` (not yet: ${b.waiting.join(', ')})` : ''}`).join('; ')}`,
            ja: `ローテーション違反：${broken.map((b) => `${b.who} は以前も${ROLE_JA[b.role]}${b.waiting.length ? `（未担当：${b.waiting.join('、')}）` : ''}`).join('、')}`,
          }
        : { en: `rotation kept for ${named} role${named === 1 ? '' : 's'}`, ja: `${named} つの役割でローテーションを守った` },
    });
  }
  return out;
}

/** The roles measure: the facts' shares weighted (a null fact drops out); null when none applies. */
export function rolesShare(facts: Array<{ fact: RoleFact; weight: number }>): number | null {
  const on = facts.filter((x) => x.fact.share !== null && x.weight > 0);
  const w = on.reduce((a, x) => a + x.weight, 0);
  return w ? on.reduce((a, x) => a + x.fact.share! * x.weight, 0) / w : null;
}
