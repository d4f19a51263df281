// A record store that keeps nothing: for the start-up warm-up's throwaway bot, whose made-up questions
// must run the record's code (pseudonym, writer) without reaching the office's statistics.
import type { RecordStore, WindowDetails } from './types.js';

const EMPTY: WindowDetails = {
  questions: 0,
  answered: 0,
  up: 0,
  down: 0,
  busiestHours: [],
  unanswered: [],
  latestDown: [],
};

/** Accepts every write and forgets it; every read finds nothing. */
export function discardingStore(): RecordStore {
  return {
    kind: 'sqlite',
    location: '(discarded)',
    migrate: async () => undefined,
    ping: async () => undefined,
    write: async () => undefined,
    window: async () => ({ questions: 0, answered: 0, up: 0, down: 0 }),
    details: async () => EMPTY,
    exportRows: async () => [],
    forget: async () => ({ questions: 0, votes: 0 }),
    purgeBefore: async () => 0,
    questionCount: async () => 0,
    getMeta: async () => null,
    setMeta: async () => undefined,
    close: async () => undefined,
  };
}
