// The per-user sliding-window rate limit, driven by an injected clock and minimal fake contexts: the gate
// counts and drops, the notice answers the one flagged update of a window.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Context } from 'grammy';
import {
  rateLimit,
  type RateLimitCounter,
  type RateLimitOptions,
  type RateLimitVerdict,
} from '../../src/bot/middleware/rate-limit.js';

let updateId = 0;
/** Just what the limiter reads: the sender, and an update to tell contexts apart. */
function fakeContext(userId?: number): Context {
  return {
    ...(userId === undefined ? {} : { from: { id: userId, is_bot: false, first_name: 'U' } }),
    update: { update_id: ++updateId },
  } as unknown as Context;
}

/** A limiter on a hand-moved clock; `send` runs one update through gate → notice → handler. */
function setup(options: Partial<RateLimitOptions<Context>> & { limit: number }) {
  let t = 1_000_000;
  const handled: Context[] = [];
  const noticed: Context[] = [];
  const limiter = rateLimit<Context>({
    windowMs: 60_000,
    onLimitExceeded: async (ctx) => void noticed.push(ctx),
    now: () => t,
    ...options,
  });
  /** What became of the update: answered, told it is over the limit, or dropped. */
  async function send(ctx: Context): Promise<'handled' | 'noticed' | 'dropped'> {
    const before = { handled: handled.length, noticed: noticed.length };
    await limiter.gate(ctx, async () => {
      await limiter.notice(ctx, async () => void handled.push(ctx));
    });
    if (handled.length > before.handled) return 'handled';
    if (noticed.length > before.noticed) return 'noticed';
    return 'dropped';
  }
  const sendMany = async (n: number, user: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(await send(fakeContext(user)));
    return out;
  };
  return {
    send,
    sendMany,
    handled,
    noticed,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('rateLimit', () => {
  it('lets `limit` updates through within a window, then one notice, then drops silently', async () => {
    const s = setup({ limit: 3 });
    expect(await s.sendMany(7, 1)).toEqual([
      'handled',
      'handled',
      'handled',
      'noticed',
      'dropped',
      'dropped',
      'dropped',
    ]);
    expect(s.handled).toHaveLength(3);
    expect(s.noticed).toHaveLength(1);
  });

  it('answers the notice for the very update that went over the limit', async () => {
    const s = setup({ limit: 1 });
    await s.send(fakeContext(1));
    const over = fakeContext(1);
    expect(await s.send(over)).toBe('noticed');
    expect(s.noticed[0]).toBe(over);
  });

  it('the notice middleware passes an unflagged update on untouched', async () => {
    const onLimitExceeded = vi.fn(async () => undefined);
    const limiter = rateLimit<Context>({ limit: 1, onLimitExceeded, now: () => 0 });
    const next = vi.fn(async () => undefined);
    await limiter.notice(fakeContext(1), next);
    expect(next).toHaveBeenCalledTimes(1);
    expect(onLimitExceeded).not.toHaveBeenCalled();
  });

  it('a flood within the window does not extend it: the oldest hit expires windowMs after it was let through', async () => {
    const s = setup({ limit: 2, windowMs: 1000 });
    expect(await s.send(fakeContext(1))).toBe('handled'); // t = 0
    s.advance(400);
    expect(await s.send(fakeContext(1))).toBe('handled'); // t = 400
    s.advance(300);
    expect(await s.sendMany(3, 1)).toEqual(['noticed', 'dropped', 'dropped']); // t = 700
    s.advance(299);
    expect(await s.send(fakeContext(1))).toBe('dropped'); // t = 999: the first hit is still in the window
    s.advance(1);
    expect(await s.send(fakeContext(1))).toBe('handled'); // t = 1000: it has slid out
    expect(await s.send(fakeContext(1))).toBe('dropped'); // the hit at 400 still counts; notice already sent at 700
    s.advance(400);
    expect(await s.send(fakeContext(1))).toBe('handled'); // t = 1400: the hit at 400 is out
  });

  it('sends one notice per window, not per burst', async () => {
    const s = setup({ limit: 1, windowMs: 1000 });
    expect(await s.sendMany(2, 1)).toEqual(['handled', 'noticed']); // t = 0
    s.advance(1000);
    // A new window: one through, then a new notice.
    expect(await s.sendMany(3, 1)).toEqual(['handled', 'noticed', 'dropped']);
    s.advance(500);
    // The window of hits has slid, but the last notice (at 1000) is not a window old yet.
    expect(await s.sendMany(2, 1)).toEqual(['dropped', 'dropped']);
    s.advance(500);
    expect(await s.sendMany(3, 1)).toEqual(['handled', 'noticed', 'dropped']);
    expect(s.noticed).toHaveLength(3);
  });

  it('defaults to a one-minute window', async () => {
    const s = setup({ limit: 1, windowMs: undefined });
    expect(await s.sendMany(2, 1)).toEqual(['handled', 'noticed']);
    s.advance(59_999);
    expect(await s.send(fakeContext(1))).toBe('dropped');
    s.advance(1);
    expect(await s.send(fakeContext(1))).toBe('handled');
  });

  it('limits users independently', async () => {
    const s = setup({ limit: 2 });
    expect(await s.sendMany(3, 1)).toEqual(['handled', 'handled', 'noticed']);
    expect(await s.sendMany(3, 2)).toEqual(['handled', 'handled', 'noticed']);
    expect(await s.send(fakeContext(1))).toBe('dropped');
    expect(await s.send(fakeContext(3))).toBe('handled');
  });

  it('uses a custom key: updates with the same key share a window', async () => {
    const chatOf = new WeakMap<Context, string>();
    const s = setup({ limit: 2, key: (ctx) => chatOf.get(ctx) });
    const inChat = (chat: string, user: number) => {
      const ctx = fakeContext(user);
      chatOf.set(ctx, chat);
      return ctx;
    };
    expect(await s.send(inChat('group', 1))).toBe('handled');
    expect(await s.send(inChat('group', 2))).toBe('handled');
    expect(await s.send(inChat('group', 3))).toBe('noticed');
    expect(await s.send(inChat('other', 1))).toBe('handled');
  });

  it('never limits updates without a key (no sender), nor counts them', async () => {
    const s = setup({ limit: 1 });
    for (let i = 0; i < 20; i++) expect(await s.send(fakeContext())).toBe('handled');
    // They did not use up anyone's allowance.
    expect(await s.send(fakeContext(1))).toBe('handled');
    const keyed = setup({ limit: 1, key: () => undefined });
    expect(await keyed.sendMany(5, 1)).toEqual(['handled', 'handled', 'handled', 'handled', 'handled']);
    expect(keyed.noticed).toHaveLength(0);
  });

  it('a user idle for a whole window starts afresh', async () => {
    const s = setup({ limit: 2, windowMs: 1000 });
    expect(await s.sendMany(4, 1)).toEqual(['handled', 'handled', 'noticed', 'dropped']);
    s.advance(5000);
    expect(await s.sendMany(4, 1)).toEqual(['handled', 'handled', 'noticed', 'dropped']);
  });

  it('forgets users idle for a whole window (their entry is swept), but not active ones', async () => {
    // The windows map is private: watch what the limiter deletes from its maps.
    const deleted: unknown[] = [];
    const originalDelete = Map.prototype.delete;
    vi.spyOn(Map.prototype, 'delete').mockImplementation(function (this: Map<unknown, unknown>, key: unknown) {
      deleted.push(key);
      return originalDelete.call(this, key);
    });
    const s = setup({ limit: 5, windowMs: 1000, key: (ctx) => (ctx.from ? `user-${ctx.from.id}` : undefined) });
    await s.send(fakeContext(1)); // t = 0
    s.advance(600);
    await s.send(fakeContext(2)); // t = 600
    s.advance(500);
    await s.send(fakeContext(3)); // t = 1100: user 1 idle for 1100 ms, user 2 for 500 ms
    expect(deleted).toContain('user-1');
    expect(deleted).not.toContain('user-2');
    expect(deleted).not.toContain('user-3');
  });

  it('does not sweep a user still inside the window of its notice', async () => {
    const deleted: unknown[] = [];
    const originalDelete = Map.prototype.delete;
    vi.spyOn(Map.prototype, 'delete').mockImplementation(function (this: Map<unknown, unknown>, key: unknown) {
      deleted.push(key);
      return originalDelete.call(this, key);
    });
    const s = setup({ limit: 1, windowMs: 1000, key: (ctx) => (ctx.from ? `user-${ctx.from.id}` : undefined) });
    await s.send(fakeContext(1)); // t = 0: the hit
    s.advance(900);
    expect(await s.send(fakeContext(1))).toBe('noticed'); // t = 900: notice, no hit recorded
    s.advance(200);
    await s.send(fakeContext(2)); // t = 1100: sweep; user 1's last hit is old, its notice is not
    expect(deleted).not.toContain('user-1');
    // And user 1 is still told nothing more until the notice is a window old.
    expect(await s.send(fakeContext(1))).toBe('handled'); // its hit at 0 has slid out: allowed again
    expect(await s.send(fakeContext(1))).toBe('dropped'); // over again, but the notice at 900 is recent
  });

  it('follows the verdicts of another counter (a shared one answers asynchronously), per key', async () => {
    const verdicts: RateLimitVerdict[] = ['pass', 'notice', 'drop', 'pass'];
    const keys: string[] = [];
    const counter: RateLimitCounter = {
      hit: async (key) => {
        keys.push(key);
        return verdicts.shift()!;
      },
    };
    const s = setup({ limit: 1000, counter });
    expect(await s.sendMany(4, 7)).toEqual(['handled', 'noticed', 'dropped', 'handled']);
    expect(keys).toEqual(['7', '7', '7', '7']);
    // An update without a sender is never counted.
    expect(await s.send(fakeContext())).toBe('handled');
    expect(keys).toHaveLength(4);
  });
});
