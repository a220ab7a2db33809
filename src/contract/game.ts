import Type, { type Static } from 'typebox';

const Closed = { additionalProperties: false } as const;

/** Text in English and Japanese (the scenario's `title`s). */
export const Text = Type.Object({ en: Type.String(), ja: Type.String() }, Closed);
export type Text = Static<typeof Text>;

export const GamePhase = Type.Union([Type.Literal('not_started'), Type.Literal('running'), Type.Literal('paused'), Type.Literal('finished')]);
export type GamePhase = Static<typeof GamePhase>;

/** The clock every page ticks from (src/game/views.ts gameBlock). */
export const GameBlockFields = {
  phase: GamePhase,
  /** Game ms when this block was built; with `phase` and `speed`, clients extrapolate. */
  gameTime: Type.Number(),
  speed: Type.Number(),
  durationMs: Type.Number(),
  /** Game ms at which the game finishes by itself; null when no scenario is loaded. */
  endsAt: Type.Union([Type.Number(), Type.Null()]),
};
export const GameBlock = Type.Object(GameBlockFields, Closed);
export type GameBlock = Static<typeof GameBlock>;

/** GET /api/game. */
export const GameResponse = Type.Object({ scenario: Type.Union([Type.Object({ name: Type.String(), title: Text, description: Text }, Closed), Type.Null()]), ...GameBlockFields }, Closed);
export type GameResponse = Static<typeof GameResponse>;

/** The `game` of GET /api/team: the clock and the scenario's title. */
export const TeamGameBlock = Type.Object({ ...GameBlockFields, title: Text }, Closed);
export type TeamGameBlock = Static<typeof TeamGameBlock>;

/** The `game` of the leaderboard and of /ws/leaderboard, /ws/team frames (src/leaderboard/types.ts GameBlock). */
export const BoardGameBlock = Type.Object(
  {
    scenario: Type.String(),
    title: Text,
    ...GameBlockFields,
    /** The public board is held by the organizers (it shows the state at the freeze). */
    frozen: Type.Boolean(),
    /** Faults' real titles are public (the game finished, or the organizers revealed them); until then titles are symptoms. */
    revealed: Type.Boolean(),
  },
  Closed,
);
export type BoardGameBlock = Static<typeof BoardGameBlock>;
