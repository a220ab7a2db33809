import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import type { LocalAction } from '../scenario/types.js';
import type { LocalPlatform } from '../platform/platform.js';
import { assertManifest, cloneManifest, getPath, isAbsent, sameValue, setPath, type Manifest } from '../platform/manifest.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from './types.js';

const Entry = Type.Object({ path: Type.String({ minLength: 1 }), before: Type.Unknown(), after: Type.Unknown() });
const Handle = Type.Union([
  Type.Object({
    kind: Type.Literal('local.change'),
    fault: Type.String(),
    author: Type.String(),
    message: Type.String(),
    dropConnections: Type.Boolean(),
    set: Type.Array(Entry, { minItems: 1 }),
  }),
  Type.Object({
    kind: Type.Literal('local.rollout'),
    fault: Type.String(),
    author: Type.String(),
    message: Type.String(),
    component: Type.Union([Type.Literal('frontend'), Type.Literal('backend')]),
    from: Type.String(),
    to: Type.String(),
  }),
]);
export type LocalHandle = Static<typeof Handle>;
const checkHandle = Compile(Handle);

const show = (v: unknown) => (isAbsent(v) ? '(absent)' : JSON.stringify(v));

/** The handle's changes as path → [fault value, value to restore]. A rollout is one path. */
function entries(h: LocalHandle): Array<{ path: string; before: unknown; after: unknown }> {
  return h.kind === 'local.change' ? h.set : [{ path: `services.${h.component}.release`, before: h.from, after: h.to }];
}

/**
 * Faults on the embedded platform: each is a recorded change to the team's manifest (an author, a
 * commit message, the values it sets), never code. Revert is a compare-and-swap per field.
 * There is no revertAll here: the game knows every handle (fault.injecting) and reverts each.
 */
export class LocalTarget implements TargetAdapter {
  readonly kind = 'local';

  constructor(private readonly platform: LocalPlatform) {}

  private current(team: string): Manifest {
    const m = this.platform.manifest(team);
    if (!m) throw new Error(`team ${team} is not on the embedded platform`);
    return m;
  }

  private action(req: FaultRequest): LocalAction {
    const a = req.actions.local;
    if (!a) throw new Error(`fault ${req.fault} has no 'local' action for the embedded platform`);
    return a;
  }

  async plan(req: FaultRequest): Promise<Plan> {
    const a = this.action(req);
    const cur = this.current(req.team);
    let handle: LocalHandle;
    if ('change' in a) {
      const set = Object.entries(a.change.set).map(([path, after]) => ({ path, before: getPath(cur, path), after }));
      handle = { kind: 'local.change', fault: req.fault, author: a.change.author, message: a.change.message, dropConnections: a.change.dropConnections === true, set };
    } else {
      const { component, version } = a.rollout;
      if (!this.platform.findRelease(component, version)) {
        throw new Error(`there is no release ${version} of ${component} (available: ${this.platform.releases()[component].map((r) => r.version).join(', ')})`);
      }
      handle = { kind: 'local.rollout', fault: req.fault, author: a.rollout.author, message: a.rollout.message, component, from: cur.services[component].release, to: version };
    }
    // A dry run: the faulted manifest must itself be valid, or the fault could never be applied.
    const next = cloneManifest(cur);
    for (const e of entries(handle)) setPath(next, e.path, e.after);
    assertManifest(next, this.platform.catalog);
    const summary = `${handle.author}: "${handle.message}" — ${entries(handle)
      .map((e) => `${e.path}: ${show(e.before)} → ${show(e.after)}`)
      .join(', ')}${handle.kind === 'local.change' && handle.dropConnections ? ' (drops open connections)' : ''}`;
    return { summary, handle };
  }

  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    const h = this.parse(handle);
    await this.platform.mutate(req.team, (cur) => {
      const todo = entries(h);
      // Inject twice = once: when every value already holds, there is nothing to deploy.
      if (todo.every((e) => sameValue(getPath(cur, e.path), e.after))) return null;
      const next = cloneManifest(cur);
      for (const e of todo) setPath(next, e.path, e.after);
      return {
        author: h.author,
        message: h.message,
        manifest: next,
        fault: h.fault,
        dropConnections: h.kind === 'local.change' && h.dropConnections,
        source: 'game',
      };
    });
  }

  async revert(team: string, handle: unknown): Promise<RevertResult> {
    const h = this.parse(handle);
    const restored: string[] = [];
    const kept: string[] = [];
    await this.platform.mutate(team, (cur, history) => {
      const next = cloneManifest(cur);
      for (const e of entries(h)) {
        const now = getPath(cur, e.path);
        // Compare-and-swap: only a field that still holds the fault's value is put back.
        if (sameValue(now, e.after)) {
          setPath(next, e.path, e.before);
          restored.push(`${e.path} → ${show(e.before)}`);
        } else kept.push(`${e.path} (now ${show(now)})`);
      }
      if (!restored.length) return null;
      const faultChange = history.findLast((c) => c.fault === h.fault);
      return {
        author: 'firedrill',
        message: `Revert "${h.message}"`,
        manifest: next,
        ...(faultChange ? { revertOf: faultChange.change } : {}),
        source: 'game',
      };
    });
    const detail = [
      restored.length ? `restored ${restored.join(', ')}` : 'nothing to restore',
      kept.length ? `kept the team's own change to ${kept.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return { changed: restored.length > 0, detail };
  }

  async inPlace(team: string, handle: unknown): Promise<boolean> {
    const h = this.parse(handle);
    const cur = this.current(team);
    return entries(h).every((e) => sameValue(getPath(cur, e.path), e.after));
  }

  publicUrl(team: string): string | undefined {
    return this.platform.publicUrl(team);
  }

  private parse(handle: unknown): LocalHandle {
    if (!checkHandle.Check(handle)) throw new Error('not a handle of the local target');
    return handle as LocalHandle;
  }
}
