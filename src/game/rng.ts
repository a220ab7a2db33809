/**
 * A small seeded RNG (mulberry32) so a team's fault delays follow from its `seed` (team.created):
 * the same log gives the same schedule, on any machine.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a of a string, for mixing ids into seeds and for probe phases. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A delay in [min, max] (inclusive, whole ms) for one fault of one team. */
export function seededDelay(seed: number, faultId: string, minMs: number, maxMs: number): number {
  const lo = Math.min(minMs, maxMs);
  const hi = Math.max(minMs, maxMs);
  const r = mulberry32((seed ^ hash32(faultId)) >>> 0)();
  return lo + Math.floor(r * (hi - lo + 1));
}
