import type { EventStore } from '../events/store.js';
import type { StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { CommsFold } from './fold.js';
import { PersonaDirector } from './personas.js';

export { CommsFold, type ChannelMessage, type QuestionView, type StatusUpdate } from './fold.js';
export { dueLines, lineEvent, personaKey, PersonaDirector, type DueLine } from './personas.js';

export interface CommsDeps {
  store: EventStore;
  scenario: Scenario;
  /** The game clock: game ms now, and whether it runs. */
  gameClock: { now(): number; running: boolean };
}

/**
 * The communication part: a fold of the team channels and status pages (read by the HTTP routes)
 * and the persona director (`tick()`, called by the game loop). Feed it every event with `apply`.
 */
export class Comms {
  readonly fold: CommsFold;
  readonly director: PersonaDirector;

  constructor(deps: CommsDeps) {
    this.fold = new CommsFold(deps.scenario.scoring.communication.ctoAnswer.zeroAtMs);
    this.director = new PersonaDirector({
      store: deps.store,
      scenario: deps.scenario,
      gameNow: () => deps.gameClock.now(),
      running: () => deps.gameClock.running,
      teams: () => this.fold.teamIds(),
      teamEvents: (team) => this.fold.personaInputs(team),
      reads: (team) => ({ thread: (seq) => this.fold.questionThread(team, seq), text: (seq) => this.fold.message(team, seq)?.text }),
    });
  }

  apply(e: StoredEvent): void {
    this.fold.apply(e);
  }

  /** Post every persona line due now; resolves to how many were posted. */
  tick(): Promise<number> {
    return this.director.tick();
  }
}
