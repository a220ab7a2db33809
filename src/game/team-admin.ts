import { randomInt } from 'node:crypto';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import type { EventStore } from '../events/store.js';
import type { Actor } from '../events/types.js';
import { hashToken, newToken } from '../tokens.js';
import type { TeamRegistry } from './teams.js';

/** Ports each embedded team may use from its block (the platform uses the first five). */
export const PORTS_PER_TEAM = 10;
const ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

export interface NewTeam {
  id?: string;
  name: string;
  members?: Array<{ name: string; role?: string }>;
}

/** A lower-case id from a display name ("Team Ramen 🍜" → "team-ramen"), unique among `taken`. */
export function teamIdFrom(name: string, taken: (id: string) => boolean): string {
  const base =
    name
      .normalize('NFKD')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 32) || 'team';
  let id = base;
  for (let n = 2; taken(id); n++) id = `${base}-${n}`;
  return id;
}

/**
 * Append team.created with a fresh token (only its hash is stored) and the team's port block and
 * seed. Returns the token: the caller shows it once (a join link) and never logs it.
 */
export async function createTeam(
  deps: { store: EventStore; teams: TeamRegistry; teamPortBase: number },
  input: NewTeam,
  by: Actor,
  opts: { key?: string; token?: string } = {},
): Promise<{ id: string; name: string; token: string; created: boolean }> {
  const name = input.name.trim();
  if (!name) throw new BadRequest('name must not be empty');
  const id = input.id ?? teamIdFrom(name, (x) => !!deps.teams.get(x));
  if (!ID.test(id)) throw new BadRequest(`team id '${id}' must be lower-case letters, digits and '-', at most 40 characters`);
  if (deps.teams.get(id)) throw new Conflict(`a team with id '${id}' already exists`);
  const token = opts.token ?? newToken();
  const n = deps.teams.list().length;
  const portBase = deps.teamPortBase > 0 ? deps.teamPortBase + n * PORTS_PER_TEAM : null;
  if (portBase !== null && portBase + PORTS_PER_TEAM > 65535) throw new Conflict('no port block left for another team (lower --team-port-base)');
  const r = await deps.store.append({
    type: 'team.created',
    team: id,
    source: by.kind,
    key: opts.key ?? null,
    data: { id, name, members: (input.members ?? []).map((m) => ({ name: m.name, ...(m.role ? { role: m.role } : {}) })), tokenHash: hashToken(token), portBase, seed: randomInt(0, 2 ** 31 - 1), by },
  });
  return { id, name, token, created: !r.duplicate };
}

export interface TeamChange {
  name?: string;
  members?: Array<{ name: string; role?: string }>;
}

/**
 * Append team.updated. The same rules as creation: a name is trimmed and must not be blank
 * (a name of spaces would show as an empty row on every board).
 */
export async function updateTeam(deps: { store: EventStore; teams: TeamRegistry }, id: string, change: TeamChange, by: Actor): Promise<void> {
  if (!deps.teams.get(id)) throw new NotFound(`no team '${id}'`);
  if (change.name === undefined && change.members === undefined) throw new BadRequest('nothing to change: send name and/or members');
  const name = change.name?.trim();
  if (name !== undefined && !name) throw new BadRequest('name must not be empty');
  await deps.store.append({
    type: 'team.updated',
    team: id,
    source: by.kind,
    data: {
      ...(name !== undefined ? { name } : {}),
      ...(change.members !== undefined ? { members: change.members.map((m) => ({ name: m.name, ...(m.role ? { role: m.role } : {}) })) } : {}),
      by,
    },
  });
}

/** Append team.token_rotated with a fresh token (only its hash is stored); the old token stops working. */
export async function rotateTeamToken(deps: { store: EventStore; teams: TeamRegistry }, id: string, by: Actor): Promise<{ token: string }> {
  if (!deps.teams.get(id)) throw new NotFound(`no team '${id}'`);
  const token = newToken();
  await deps.store.append({ type: 'team.token_rotated', team: id, source: by.kind, data: { tokenHash: hashToken(token), by } });
  return { token };
}
