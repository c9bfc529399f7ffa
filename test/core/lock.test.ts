import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/core/lock.ts';

describe('Mutex', () => {
  it('runs tasks one at a time, in order, and keeps going after a rejection', async () => {
    const m = new Mutex();
    const log: string[] = [];
    const task =
      (name: string, fail = false) =>
      async () => {
        log.push(`start ${name}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      };
    const a = m.run(task('a'));
    const b = m.run(task('b', true));
    const c = m.run(task('c'));
    await expect(a).resolves.toBe('a');
    await expect(b).rejects.toThrow('b');
    await expect(c).resolves.toBe('c');
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });
});
