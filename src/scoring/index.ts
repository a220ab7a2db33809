/** Scoring: a pure fold over the event log (no I/O, no clock). See docs/scoring.md. */
export { apply, compareTeams, createScore, freshBreakdowns, leaderboard, rangeShare, score, standing, teamVersion, type ScoreState } from './fold.js';
export * from './types.js';
