/**
 * One loop for everything that acts on game time: the sequencer, the persona director, the
 * incident alert timer... Each registered part is ticked every `everyMs` of wall time; a part whose
 * previous tick has not finished is skipped (never two ticks of one part at once), and a throwing
 * part is logged, never the loop's end.
 */
export interface Tickable {
  name: string;
  tick(): unknown;
}

export class GameLoop {
  private readonly parts: Tickable[] = [];
  private readonly busy = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly everyMs = 250,
    private readonly onError: (part: string, err: unknown) => void = () => {},
  ) {}

  register(part: Tickable): void {
    this.parts.push(part);
  }

  /** Tick every part once and wait for all of them (tests call this directly). */
  async tickAll(): Promise<void> {
    await Promise.all(this.parts.map((p) => this.tickOne(p)));
  }

  private async tickOne(p: Tickable): Promise<void> {
    if (this.busy.has(p.name)) return;
    this.busy.add(p.name);
    try {
      await p.tick();
    } catch (err) {
      this.onError(p.name, err);
    } finally {
      this.busy.delete(p.name);
    }
  }

  start(): void {
    if (this.timer) return;
    // Not awaited: a slow part (an injection restarting processes) must not delay the others.
    this.timer = setInterval(() => void this.tickAll(), this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
