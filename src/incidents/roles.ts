import { BadRequest } from '../errors.js';
import type { NewEvent, NewEventOf } from '../events/types.js';
import type { Incident, IncidentRoles } from './fold.js';

/**
 * Incident roles (issue 15): Incident Commander, Communications Lead, Ops Lead, named from the
 * team's members. Pure: checking holders against the members and reading roles from a PagerDuty
 * note ("roles: IC=Aki, comms=Ben, ops=Chie" / 「役割: IC=Aki、広報=Ben、オペ=Chie」).
 */

export const ROLE_KEYS = ['commander', 'communications', 'ops'] as const;
export type RoleKey = (typeof ROLE_KEYS)[number];
/** Holders per role: a member's name, or null for nobody. */
export type RoleHolders = Record<RoleKey, string | null>;

/** A member's name as stored, for a name given in any case and spacing; undefined when nobody has it. */
export function memberName(members: ReadonlyArray<{ name: string }>, given: string): string | undefined {
  const norm = (s: string) => s.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
  const want = norm(given);
  return members.find((m) => norm(m.name) === want)?.name;
}

/**
 * The holders with each name replaced by the member's stored name; a name that is not a member
 * of the team is refused (400), naming the role and the members.
 */
export function checkHolders(members: ReadonlyArray<{ name: string }>, given: Partial<Record<RoleKey, string | null | undefined>>): RoleHolders {
  const out = { commander: null, communications: null, ops: null } as RoleHolders;
  for (const k of ROLE_KEYS) {
    const v = given[k];
    if (v === null || v === undefined || v.trim() === '') continue;
    const name = memberName(members, v);
    if (!name) {
      const list = members.length ? members.map((m) => m.name).join(', ') : 'none are registered';
      throw new BadRequest(`body.${k}: '${v.trim()}' is not a member of your team (members: ${list})`);
    }
    out[k] = name;
  }
  return out;
}

/** The current holders of an incident (nobody before roles are named). */
export const holdersOf = (r: IncidentRoles | null): RoleHolders => ({ commander: r?.commander ?? null, communications: r?.communications ?? null, ops: r?.ops ?? null });

// --- a PagerDuty note that names roles

/** Words for each role in a note, English and Japanese (matched case-insensitively, after NFKC). */
const ROLE_WORDS: Record<RoleKey, string[]> = {
  commander: ['ic', 'commander', 'incident commander', 'インシデントコマンダー', 'コマンダー', '指揮', '指揮者'],
  communications: ['comms', 'comm', 'communications', 'communication', 'communications lead', 'cl', '広報', 'コミュニケーション', 'コミュニケーション担当', '連絡', '連絡担当'],
  ops: ['ops', 'ops lead', 'operations', 'ol', 'オペ', 'オペレーション', 'オペレーション担当', '作業', '作業担当'],
};
const NOBODY = new Set(['-', '—', 'none', 'nobody', 'なし', '無し', '未定']);

/** What a note says about roles: the roles it names (null = "nobody"); roles it does not mention are absent. */
export type NoteRoles = Partial<RoleHolders>;

/**
 * Reads a note whose first word is `roles:` or `役割:` (full-width colon too), then `key=name`
 * pairs separated by commas, 、 or semicolons. Returns null when the note is not about roles or
 * names no role it knows.
 */
export function parseRolesNote(note: string): NoteRoles | null {
  const text = note.normalize('NFKC').trim();
  const head = /^(roles|役割)\s*:\s*/i.exec(text);
  if (!head) return null;
  const body = text.slice(head[0].length).split(/\r?\n/)[0]!;
  const out: NoteRoles = {};
  for (const pair of body.split(/[,、;]/)) {
    const m = /^\s*([^=]+?)\s*=\s*(.*?)\s*$/.exec(pair);
    if (!m) continue;
    const word = m[1]!.toLowerCase().replace(/\s+/g, ' ');
    const key = ROLE_KEYS.find((k) => ROLE_WORDS[k].includes(word));
    if (!key) continue;
    const value = m[2]!;
    out[key] = value === '' || NOBODY.has(value.toLowerCase()) ? null : value;
  }
  return Object.keys(out).length ? out : null;
}

/**
 * The incident.roles_set a PagerDuty note asks for (appended with the note, keyed after it), or
 * null: not about roles, the incident unknown or resolved, or a name that is not a member (the
 * note stays a note). Roles the note does not mention keep their holders.
 */
export function rolesFromNote(inc: Incident | undefined, members: ReadonlyArray<{ name: string }>, note: NewEventOf<'incident.annotated'>): NewEvent | null {
  const said = parseRolesNote(note.data.note);
  if (!said || !inc || inc.status === 'resolved') return null;
  const holders = holdersOf(inc.roles);
  for (const k of ROLE_KEYS) {
    const v = said[k];
    if (v === undefined) continue;
    if (v === null) holders[k] = null;
    else {
      const name = memberName(members, v);
      if (!name) return null;
      holders[k] = name;
    }
  }
  return {
    type: 'incident.roles_set',
    team: note.team ?? null,
    source: note.source,
    key: note.key ? `${note.key}:roles` : null,
    data: { incident: inc.id, via: inc.via, ...holders, by: { kind: 'team', name: note.data.agent ?? 'PagerDuty' }, occurredAtWall: note.data.occurredAtWall },
  };
}
