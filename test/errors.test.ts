// describeError: whatever was thrown becomes a readable line, never "undefined".
import { describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.js';

describe('describeError', () => {
  it('gives an Error its message, a string itself, and anything else as JSON', () => {
    expect(describeError(new TypeError('fetch failed'))).toBe('fetch failed');
    expect(describeError('disk full')).toBe('disk full');
    expect(describeError({ code: 'ECONNREFUSED', port: 5432 })).toBe('{"code":"ECONNREFUSED","port":5432}');
    expect(describeError(undefined)).toBe('undefined');
    expect(describeError(42)).toBe('42');
  });

  it('does not throw on a value JSON cannot write', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeError(cyclic)).toBe('[object Object]');
    expect(describeError(10n)).toBe('10');
  });
});
