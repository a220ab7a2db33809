/**
 * Which status update still carries a promise ("next update in 12:00" / "overdue by 3:00"): only
 * the newest, and only while it does not resolve the incident. An older update's promise was kept
 * (or broken) by the updates after it: showing "overdue by 1:27:11" under it after a resolved
 * update is wrong. `updates` are newest first, as the status page lists them.
 */
export function promiseOf(updates: ReadonlyArray<{ resolved?: boolean; nextUpdateAt?: number }>, index: number): number | undefined {
  const u = updates[index];
  if (index !== 0 || !u || u.resolved) return undefined;
  return u.nextUpdateAt;
}
