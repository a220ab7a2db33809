import type { Static } from 'typebox';
import type { StoredEvent, TeamTargetRecord as TargetSchema } from '../events/types.js';

export type TeamTargetRecord = Static<typeof TargetSchema>;

export interface Team {
  id: string;
  name: string;
  members: { name: string; role?: string }[];
  portBase: number | null;
  seed: number;
  createdSeq: number;
  /** Absent = embedded. */
  target?: TeamTargetRecord;
}

/** Teams and their token hashes, folded from team.* events. */
export class TeamRegistry {
  private readonly teams = new Map<string, Team>();
  private readonly byTokenHash = new Map<string, string>();
  private readonly hashOf = new Map<string, string>();

  apply(e: StoredEvent): void {
    if (e.type === 'team.created') {
      const d = e.data;
      this.teams.set(d.id, { id: d.id, name: d.name, members: d.members, portBase: d.portBase, seed: d.seed, createdSeq: e.seq, ...(d.target ? { target: d.target } : {}) });
      this.setHash(d.id, d.tokenHash);
    } else if (e.type === 'team.updated' && e.team) {
      const t = this.teams.get(e.team);
      if (!t) return;
      if (e.data.name !== undefined) t.name = e.data.name;
      if (e.data.members !== undefined) t.members = e.data.members;
    } else if (e.type === 'team.token_rotated' && e.team) {
      this.setHash(e.team, e.data.tokenHash);
    }
  }

  private setHash(team: string, hash: string): void {
    const old = this.hashOf.get(team);
    if (old) this.byTokenHash.delete(old);
    this.hashOf.set(team, hash);
    this.byTokenHash.set(hash, team);
  }

  get(id: string): Team | undefined {
    return this.teams.get(id);
  }
  list(): Team[] {
    return [...this.teams.values()];
  }
  byToken(tokenHash: string): Team | undefined {
    const id = this.byTokenHash.get(tokenHash);
    return id ? this.teams.get(id) : undefined;
  }
}
