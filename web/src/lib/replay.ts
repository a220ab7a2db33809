import { useEffect, useState } from 'preact/hooks';
import type { ReplayPosition } from '../../../src/contract/replay.js';
import { api } from './api.js';
import { setReplayPace } from './model.js';

/** How often a replay's position is read (its pace, pause and seeks). */
const REPLAY_POLL_MS = 2_000;

/**
 * On a `firedrill replay` server: where the replay is, read every 2 s, and the pace every page's
 * clock follows (lib/model.ts gameNow). Undefined on a live server (it has no /api/replay: one
 * request, then nothing). `reload` reads it at once (after an organizer's pause, seek or speed).
 */
export function useReplay(): [ReplayPosition | undefined, () => void] {
  const [position, setPosition] = useState<ReplayPosition | undefined>(undefined);
  const [asked, setAsked] = useState(0);
  useEffect(() => {
    let stop = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = () =>
      api<ReplayPosition>('/api/replay').then(
        (p) => {
          if (stop) return;
          setReplayPace(p);
          setPosition(p);
          timer = setTimeout(poll, REPLAY_POLL_MS);
        },
        () => setReplayPace(undefined),
      );
    void poll();
    return () => {
      stop = true;
      clearTimeout(timer);
    };
  }, [asked]);
  return [position, () => setAsked((n) => n + 1)];
}
