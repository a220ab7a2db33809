import Type, { type Static } from 'typebox';
import type { Detection as LifeDetection, FaultState as LifeFaultState } from '../lifecycle/fault.js';
import { Text } from './game.js';

export const Closed = { additionalProperties: false } as const;

/** The one fault lifecycle's `state` (src/lifecycle/fault.ts). */
export const FaultState = Type.Enum(['pending', 'armed', 'injecting', 'injected', 'recovered', 'resolved', 'timed_out', 'skipped', 'reverted', 'voided']);
export type FaultState = Static<typeof FaultState>;
/** The detection track (src/lifecycle/fault.ts). */
export const Detection = Type.Union([Type.Literal('none'), Type.Literal('detected'), Type.Literal('acknowledged')]);
export type Detection = Static<typeof Detection>;

// The schemas must name exactly the lifecycle's words: a state added there fails typecheck here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
export const sameStates: Same<FaultState, LifeFaultState> = true;
export const sameDetection: Same<Detection, LifeDetection> = true;

/**
 * Spoiler-proof by shape. A fault the public may not know yet (its change has not landed for this
 * team: pending, armed, injecting, or skipped/voided before it landed) is `masked: true` and has
 * no id and no title at all: the serializer drops them even if a caller passed them. A landed fault
 * (`masked: false`) carries its id and its public title (the symptom until `game.revealed`).
 */
export const Masked = { masked: Type.Literal(true), index: Type.Integer({ description: '0-based position in the scenario ("fault N+1")' }) };
export const Shown = { masked: Type.Literal(false), index: Type.Integer() };

/** The title spectators and teams read: the symptom until revealed, then the real title. */
export const PublicTitle = Type.Union([Text, Type.Null()], { description: 'the symptom until the faults are revealed, then the real title' });

/**
 * A team's current fault on the board and in /ws/team frames: null until one has landed (no
 * "armed" chip), so a current fault always has an injection time.
 */
export const PublicCurrentFault = Type.Union([
  Type.Object({ id: Type.String(), index: Type.Integer(), title: PublicTitle, state: FaultState, detection: Detection, injectedAt: Type.Number() }, Closed),
  Type.Null(),
]);
export type PublicCurrentFault = Static<typeof PublicCurrentFault>;
