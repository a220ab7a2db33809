import type { StoredEvent } from '../events/types.js';

/** Texts of status updates and postmortems, and judges' notes, by event seq: what judges read (organizers only). */
export class JudgingTexts {
  private readonly texts = new Map<number, { text: string; impact?: string; currentAction?: string; resolved?: boolean; gameTime: number }>();
  private readonly notes = new Map<number, string>();

  apply(e: StoredEvent): void {
    switch (e.type) {
      case 'judgement.recorded':
        if (e.data.note) this.notes.set(e.seq, e.data.note);
        break;
      case 'status.published':
        this.texts.set(e.seq, { text: e.data.text, impact: e.data.impact, currentAction: e.data.currentAction, resolved: e.data.resolved, gameTime: e.gameTime });
        break;
      case 'postmortem.submitted':
        this.texts.set(e.seq, { text: e.data.text, gameTime: e.gameTime });
        break;
      default:
    }
  }

  textOf(seq: number) {
    return this.texts.get(seq);
  }
  noteOf(seq: number): string | undefined {
    return this.notes.get(seq);
  }
}
