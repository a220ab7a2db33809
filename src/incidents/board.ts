import type { Clock } from '../clock.js';
import { Conflict, NotFound } from '../errors.js';
import type { Actor, NewEvent } from '../events/types.js';
import type { Incident, IncidentFold } from './fold.js';
import type { IncidentsStore } from './ports.js';
import { checkHolders, type RoleKey } from './roles.js';

/** The built-in incident board's commands (when no PagerDuty is configured): checked, then appended. */
export class IncidentBoard {
  constructor(
    private readonly o: {
      incidents: IncidentFold;
      store: IncidentsStore;
      clock: Clock;
      /** With PagerDuty, teams work their incidents in PagerDuty and the board is closed. */
      usesPagerDuty: () => boolean;
      /** The team's members (roles are named from them). */
      members: (team: string) => ReadonlyArray<{ name: string }>;
    },
  ) {}

  private board(team: string, id: string): Incident {
    if (this.o.usesPagerDuty()) throw new Conflict('this game uses PagerDuty: open, acknowledge and resolve incidents in PagerDuty');
    const inc = this.o.incidents.get(team, id);
    if (!inc) throw new NotFound(`no incident '${id}' on your board`);
    return inc;
  }

  private async append(team: string, ev: Omit<NewEvent, 'team' | 'source'>): Promise<void> {
    await this.o.store.append({ ...ev, team, source: 'team' } as NewEvent);
  }

  private now(): number {
    return this.o.clock.now();
  }

  async open(team: string, input: { title: string; severity?: string; name: string }): Promise<Incident> {
    if (this.o.usesPagerDuty()) throw new Conflict('this game uses PagerDuty: open incidents in PagerDuty');
    // Synchronous up to the append: two opens at once still get different numbers.
    const id = `inc-${this.o.incidents.count(team) + 1}`;
    await this.append(team, {
      type: 'incident.triggered',
      key: `board:${team}:${id}:triggered`,
      data: {
        incident: id,
        via: 'board',
        title: input.title,
        ...(input.severity ? { severity: input.severity } : {}),
        channel: 'web_trigger',
        agent: input.name,
        occurredAtWall: this.now(),
      },
    });
    return this.o.incidents.get(team, id)!;
  }

  async acknowledge(team: string, id: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status === 'acknowledged') throw new Conflict(`incident ${id} is already acknowledged`);
    if (inc.status === 'resolved') throw new Conflict(`incident ${id} is resolved; reopen it first`);
    await this.append(team, { type: 'incident.acknowledged', data: { incident: id, via: 'board', ...(name ? { agent: name } : {}), occurredAtWall: this.now() } });
    return inc;
  }

  async resolve(team: string, id: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status === 'resolved') throw new Conflict(`incident ${id} is already resolved`);
    await this.append(team, { type: 'incident.resolved', data: { incident: id, via: 'board', ...(name ? { agent: name } : {}), occurredAtWall: this.now() } });
    return inc;
  }

  async reopen(team: string, id: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status !== 'resolved') throw new Conflict(`incident ${id} is not resolved`);
    await this.append(team, { type: 'incident.reopened', data: { incident: id, via: 'board', occurredAtWall: this.now() } });
    return inc;
  }

  async annotate(team: string, id: string, text: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    await this.append(team, { type: 'incident.annotated', data: { incident: id, via: 'board', note: text, ...(name ? { agent: name } : {}), occurredAtWall: this.now() } });
    return inc;
  }

  async setSeverity(team: string, id: string, severity: string): Promise<Incident> {
    const inc = this.board(team, id);
    await this.append(team, { type: 'incident.severity_set', data: { incident: id, via: 'board', severity, occurredAtWall: this.now() } });
    return inc;
  }

  /**
   * A status update written on the board is a status update (issue 15: one concept): the scored
   * `status.published`, linked to the incident; its free text is read for the fields.
   */
  async publishStatusUpdate(team: string, id: string, message: string, opts: { resolved?: boolean; name?: string } = {}): Promise<Incident> {
    const inc = this.board(team, id);
    await this.append(team, { type: 'status.published', data: { text: message, resolved: opts.resolved ?? false, by: { kind: 'team', name: opts.name ?? team }, incident: id } });
    return inc;
  }

  /**
   * Name the incident's roles from the team's members (issue 15); roles not given are nobody's.
   * Open in PagerDuty games too (PagerDuty has no such roles). A resolved incident's roles stay
   * as they were: rotation is scored from them.
   */
  async setRoles(team: string, id: string, given: Partial<Record<RoleKey, string | null>>, by: Actor): Promise<Incident> {
    const inc = this.o.incidents.get(team, id);
    if (!inc) throw new NotFound(`no incident '${id}' on your board`);
    if (inc.status === 'resolved') throw new Conflict(`incident ${id} is resolved: its roles can no longer change`);
    const holders = checkHolders(this.o.members(team), given);
    await this.append(team, { type: 'incident.roles_set', data: { incident: id, via: inc.via, ...holders, by, occurredAtWall: this.now() } });
    return inc;
  }
}
