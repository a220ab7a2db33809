import type { FaultRequest, Plan, RevertResult, TargetAdapter } from './types.js';

/**
 * One target for the game that sends each fault to the adapter of its action kind, so a scenario
 * can mix them and an event can mix teams (some embedded, some on their own cluster).
 *
 * Which action a fault uses for a team: the team's own kind when the config names one (`kindOf`),
 * else the only action of the fault that has an adapter here; several → the first in ORDER.
 * Revert and inPlace go by the handle's `kind` ('local.change' → local, 'kubernetes' → kubernetes …),
 * so a handle from the log is always undone by the adapter that made it — handles are not wrapped,
 * and handles logged before this router existed still revert.
 */

export type ActionKind = 'local' | 'kubernetes' | 'exec' | 'http';
export const ORDER: ActionKind[] = ['local', 'kubernetes', 'exec', 'http'];

/** An adapter that can also tell whether its fault still holds (helper L adds this to TargetAdapter). */
export type Adapter = TargetAdapter;

export interface CompositeTargetOptions {
  adapters: Partial<Record<ActionKind, Adapter>>;
  /** The kind of target a team is on, from the config (e.g. external teams → 'kubernetes'); undefined = decide by the fault. */
  kindOf?: (team: string) => ActionKind | undefined;
}

export class CompositeTarget implements TargetAdapter {
  readonly kind = 'composite';

  constructor(private readonly o: CompositeTargetOptions) {}

  /** The kinds of target configured here (an external team must use one of them). */
  kinds(): ActionKind[] {
    return ORDER.filter((k) => this.o.adapters[k]);
  }

  /** The adapter a fault goes to for a team, or an error saying why none fits. */
  route(req: FaultRequest): { kind: ActionKind; adapter: Adapter } {
    const present = ORDER.filter((k) => req.actions[k] !== undefined);
    const wanted = this.o.kindOf?.(req.team);
    if (wanted) {
      const adapter = this.o.adapters[wanted];
      if (!adapter) throw new Error(`team ${req.team} is on the ${wanted} target, which is not configured`);
      if (!present.includes(wanted)) throw new Error(`fault ${req.fault} has no '${wanted}' action for team ${req.team} (it has: ${present.join(', ') || 'none'})`);
      return { kind: wanted, adapter };
    }
    const kind = present.find((k) => this.o.adapters[k]);
    if (!kind) {
      const configured = ORDER.filter((k) => this.o.adapters[k]);
      throw new Error(`fault ${req.fault} has no action for a configured target (fault: ${present.join(', ') || 'none'}; configured: ${configured.join(', ') || 'none'})`);
    }
    return { kind, adapter: this.o.adapters[kind]! };
  }

  private byHandle(handle: unknown): Adapter {
    const k = typeof handle === 'object' && handle !== null ? (handle as { kind?: unknown }).kind : undefined;
    const kind = typeof k === 'string' ? (k.split('.')[0] as ActionKind) : undefined;
    const adapter = kind && ORDER.includes(kind) ? this.o.adapters[kind] : undefined;
    if (!adapter) throw new Error(`no configured target for a handle of kind ${JSON.stringify(k)}`);
    return adapter;
  }

  async plan(req: FaultRequest): Promise<Plan> {
    return this.route(req).adapter.plan(req);
  }

  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    return this.byHandle(handle).inject(req, handle);
  }

  async revert(team: string, handle: unknown): Promise<RevertResult> {
    return this.byHandle(handle).revert(team, handle);
  }

  async inPlace(team: string, handle: unknown): Promise<boolean> {
    const a = this.byHandle(handle);
    return a.inPlace(team, handle);
  }

  /** The team's URL from its own kind's adapter, else the first adapter that knows the team. */
  publicUrl(team: string): string | undefined {
    const wanted = this.o.kindOf?.(team);
    if (wanted) return this.o.adapters[wanted]?.publicUrl(team);
    for (const k of ORDER) {
      const url = this.o.adapters[k]?.publicUrl(team);
      if (url) return url;
    }
    return undefined;
  }
}
