import { describe, expect, it } from 'vitest';
import { newId } from '../../src/core/id.ts';

describe('newId', () => {
  it('prefixes a fresh random part', () => {
    const a = newId('ckpt');
    const b = newId('ckpt');
    expect(a).toMatch(/^ckpt-[0-9a-z-]{8,}$/);
    expect(a).not.toBe(b);
  });
});
