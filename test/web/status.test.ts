import { describe, expect, it } from 'vitest';
import { promiseOf } from '../../web/src/lib/status.js';

describe('status page: which update still owes the next one', () => {
  it('an old update shows no "overdue" after a resolved update', () => {
    const updates = [
      { resolved: true, nextUpdateAt: undefined },
      { resolved: false, nextUpdateAt: 600_000 }, // its promise is long past, but it was answered
    ];
    expect(updates.map((_, i) => promiseOf(updates, i))).toEqual([undefined, undefined]);
  });

  it('only the newest unresolved update carries its promise', () => {
    const updates = [{ nextUpdateAt: 1_800_000 }, { nextUpdateAt: 1_200_000 }, { nextUpdateAt: 600_000 }];
    expect(updates.map((_, i) => promiseOf(updates, i))).toEqual([1_800_000, undefined, undefined]);
    expect(promiseOf([], 0)).toBeUndefined();
  });
});
