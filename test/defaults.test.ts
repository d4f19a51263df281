import { describe, expect, it } from 'vitest';
import { withDefaults } from '../src/defaults.js';

describe('withDefaults', () => {
  const DEFAULTS = { capacity: 10, flushMs: 200, check: true };

  it('keeps every default the caller leaves out or gives as undefined, as ?? would', () => {
    expect(withDefaults(DEFAULTS)).toEqual(DEFAULTS);
    expect(withDefaults(DEFAULTS, { capacity: undefined, flushMs: 5 })).toEqual({
      capacity: 10,
      flushMs: 5,
      check: true,
    });
  });

  it('takes a given false or 0, and reads no option the defaults do not name', () => {
    const given = { capacity: 0, check: false, onError: () => undefined };
    expect(withDefaults(DEFAULTS, given)).toEqual({ capacity: 0, flushMs: 200, check: false });
  });

  it('never changes the defaults object', () => {
    withDefaults(DEFAULTS, { capacity: 1 });
    expect(DEFAULTS.capacity).toBe(10);
  });
});
