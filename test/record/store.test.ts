// The record's store, the same suite on the embedded SQLite file and on PostgreSQL: migrations, the
// question log, votes and their changes, the /stats figures, export rows, /forget, the retention purge,
// the old stats file's import; then the batched writer and the pseudonyms.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/log.js';
import { createPostgresStore } from '../../src/store/postgres.js';
import { loadPseudonymSecret, pseudonymizer, PSEUDONYM_KEY_FILE } from '../../src/store/pseudonym.js';
import { importLegacyStats, LEGACY_TOTALS } from '../../src/store/legacy-stats.js';
import { openSqliteStore } from '../../src/store/sqlite.js';
import { questionKey, SqlRecordStore } from '../../src/store/store.js';
import type { QuestionRecord, RecordStore, WriteBatch } from '../../src/store/types.js';
import { RecordWriter } from '../../src/store/writer.js';
import { createTestDatabase, type TestDatabase } from '../fixtures/postgres.js';
import { makeTempDir } from '../fixtures/temp-dir.js';
import { pgSkip } from './pg-skip.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A fixed Vietnam morning: 2024-05-06 09:30 (UTC+7) = 02:30 UTC. */
const T0 = Date.UTC(2024, 4, 6, 2, 30);

let tmp: string;
beforeAll(async () => {
  setLogSink(() => undefined);
  tmp = await makeTempDir('record-');
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

let seq = 0;
function q(partial: Partial<QuestionRecord> = {}): QuestionRecord {
  seq++;
  return {
    id: `q${seq}-${Math.random().toString(36).slice(2, 8)}`,
    at: T0,
    user: 'u-lan',
    question: 'Mục tiêu thu ngân sách là bao nhiêu?',
    answered: true,
    source: 'bao-cao.txt',
    section: 'Mục 1',
    answer: 'Thu ngân sách vượt 15%',
    confidence: 0.75,
    mode: 'lexical',
    latencyMs: 42,
    chatType: 'private',
    ...partial,
  };
}

interface Backend {
  name: 'sqlite' | 'postgres';
  skip: string | null;
  setup(): Promise<void>;
  /** A store on an empty database. */
  fresh(): Promise<RecordStore>;
  /** Another store on the same database (a restart). */
  reopen(): Promise<RecordStore>;
  teardown(): Promise<void>;
}

function sqliteBackend(): Backend {
  let file = '';
  let n = 0;
  return {
    name: 'sqlite',
    skip: null,
    async setup() {},
    async fresh() {
      file = path.join(tmp, `store-${++n}`, 'records.sqlite');
      return (await openSqliteStore(file)).store;
    },
    async reopen() {
      return (await openSqliteStore(file)).store;
    },
    async teardown() {},
  };
}

function postgresBackend(): Backend {
  let db: TestDatabase | null = null;
  return {
    name: 'postgres',
    skip: pgSkip,
    async setup() {
      db = await createTestDatabase();
    },
    async fresh() {
      const store = createPostgresStore(db!.url);
      await store.migrate();
      const wipe = createPostgresStore(db!.url);
      await (
        wipe as unknown as { db: { transaction: (s: { sql: string; params: unknown[] }[]) => Promise<number[]> } }
      ).db.transaction([
        { sql: 'DELETE FROM questions', params: [] },
        { sql: 'DELETE FROM votes', params: [] },
        { sql: 'DELETE FROM meta', params: [] },
      ]);
      await wipe.close();
      return store;
    },
    async reopen() {
      return createPostgresStore(db!.url);
    },
    async teardown() {
      await db?.drop();
    },
  };
}

describe.each([sqliteBackend(), postgresBackend()])('record store on $name', (backend) => {
  describe.skipIf(backend.skip !== null)(backend.skip ? `skipped: ${backend.skip}` : 'suite', () => {
    let store: RecordStore;
    const opened: RecordStore[] = [];
    beforeAll(() => backend.setup());
    afterAll(() => backend.teardown());
    beforeEach(async () => {
      store = await backend.fresh();
      opened.push(store);
    });
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    });
    const write = (batch: Partial<WriteBatch>) => store.write({ questions: [], votes: [], ...batch });

    it('migrations are recorded and run once; a second process opening the same database changes nothing', async () => {
      const again = await backend.reopen();
      opened.push(again);
      await again.migrate();
      await again.migrate();
      await write({ questions: [q()] });
      expect(await again.questionCount()).toBe(1);
      await expect(again.ping()).resolves.toBeUndefined();
    });

    it('keeps every field of a question, answered or not, and a retried batch does not duplicate it', async () => {
      const answered = q({ question: 'Giá "vé", xe buýt?\nDòng 2', confidence: 0.5, chatType: 'group' });
      const unanswered = q({
        answered: false,
        source: null,
        section: null,
        answer: null,
        confidence: null,
        at: T0 + 1,
      });
      await write({ questions: [answered, unanswered] });
      await write({ questions: [answered] });
      const rows = await store.exportRows(T0 - 1, T0 + 2);
      expect(rows).toEqual([
        {
          at: answered.at,
          user: 'u-lan',
          question: answered.question,
          answered: true,
          source: 'bao-cao.txt',
          section: 'Mục 1',
          confidence: 0.5,
          mode: 'lexical',
          latencyMs: 42,
          chatType: 'group',
          vote: null,
          reason: null,
        },
        expect.objectContaining({ at: T0 + 1, answered: false, source: null, section: null, confidence: null }),
      ]);
    });

    it('one vote per citizen per answer: a change replaces it, also within one batch; reasons stick to the 👎', async () => {
      const a = q();
      await write({ questions: [a] });
      await write({ votes: [{ answerId: a.id, user: 'u-lan', vote: 'up', reason: null, at: T0 + 10 }] });
      expect(await store.window(T0, T0 + DAY)).toMatchObject({ up: 1, down: 0 });
      await write({
        votes: [
          { answerId: a.id, user: 'u-lan', vote: 'up', reason: null, at: T0 + 20 },
          { answerId: a.id, user: 'u-lan', vote: 'down', reason: null, at: T0 + 21 },
        ],
      });
      expect(await store.window(T0, T0 + DAY)).toMatchObject({ up: 0, down: 1 });
      await write({ votes: [{ answerId: a.id, user: 'u-lan', vote: 'down', reason: 'wrong', at: T0 + 30 }] });
      // Another citizen's vote on the same answer is a second vote; one for an unknown answer counts nowhere.
      await write({
        votes: [
          { answerId: a.id, user: 'u-minh', vote: 'up', reason: null, at: T0 + 40 },
          { answerId: 'forged01', user: 'u-minh', vote: 'down', reason: null, at: T0 + 40 },
        ],
      });
      expect(await store.window(T0, T0 + DAY)).toMatchObject({ up: 1, down: 1 });
      const [row] = await store.exportRows(T0, T0 + DAY);
      expect(row).toMatchObject({ vote: 'down', reason: 'wrong' });
    });

    it('/stats figures: windows, busiest hours in Vietnam time, unanswered grouped with and without diacritics, latest 👎', async () => {
      const old = q({ at: T0 - 10 * DAY, answered: false, question: 'Câu hỏi cũ' });
      const qs = [
        q({ at: T0 }), // 09:30 Vietnam
        q({ at: T0 + 5 * 60_000 }), // 09:35
        q({ at: T0 + 5 * HOUR, answered: false, answer: null, question: 'Giá vé xe buýt là bao nhiêu?' }), // 14:30
        q({ at: T0 + 5 * HOUR + 1, answered: false, answer: null, question: 'gia ve xe buyt la bao nhieu' }),
        q({ at: T0 + 5 * HOUR + 2, answered: false, answer: null, question: '  GIÁ VÉ xe buýt là bao nhiêu ??' }),
        q({ at: T0 + 6 * HOUR, answered: false, answer: null, question: 'Lịch tiêm chủng?' }), // 15:30
      ];
      await write({ questions: [old, ...qs] });
      await write({
        votes: [
          { answerId: qs[0]!.id, user: 'u-lan', vote: 'down', reason: 'unclear', at: T0 + HOUR },
          { answerId: qs[1]!.id, user: 'u-lan', vote: 'down', reason: null, at: T0 + 2 * HOUR },
          { answerId: qs[1]!.id, user: 'u-minh', vote: 'up', reason: null, at: T0 + 2 * HOUR },
        ],
      });
      const d = await store.details(T0 - 1, T0 + DAY);
      expect(d).toMatchObject({ questions: 6, answered: 2, up: 1, down: 2 });
      expect(d.busiestHours).toEqual(
        [
          { hour: 9, count: 2 },
          { hour: 14, count: 3 },
          { hour: 15, count: 1 },
        ].sort((a, b) => b.count - a.count || a.hour - b.hour),
      );
      expect(d.unanswered.map((u) => u.count)).toEqual([3, 1]);
      expect(questionKey(d.unanswered[0]!.text)).toBe('gia ve xe buyt la bao nhieu');
      expect(d.unanswered[1]!.text).toBe('Lịch tiêm chủng?');
      expect(d.latestDown.map((x) => x.reason)).toEqual([null, 'unclear']);
      expect(d.latestDown[1]).toMatchObject({ question: qs[0]!.question, answer: qs[0]!.answer });
      // The 10-day-old question is in a 30-day window only.
      expect((await store.window(T0 - 30 * DAY, T0 + DAY)).questions).toBe(7);
      expect((await store.window(T0 - 7 * DAY, T0 + DAY)).questions).toBe(6);
    });

    it('/forget deletes one pseudonym’s questions and votes and nobody else’s', async () => {
      const mine = q({ user: 'u-lan' });
      const theirs = q({ user: 'u-minh' });
      await write({ questions: [mine, theirs] });
      await write({
        votes: [
          { answerId: mine.id, user: 'u-lan', vote: 'up', reason: null, at: T0 },
          { answerId: theirs.id, user: 'u-minh', vote: 'down', reason: null, at: T0 },
        ],
      });
      expect(await store.forget('u-lan')).toEqual({ questions: 1, votes: 1 });
      const rows = await store.exportRows(0, T0 + DAY);
      expect(rows.map((r) => r.user)).toEqual(['u-minh']);
      expect(await store.window(0, T0 + DAY)).toMatchObject({ up: 0, down: 1 });
      expect(await store.forget('u-lan')).toEqual({ questions: 0, votes: 0 });
    });

    it('the retention purge deletes questions and votes older than the limit only', async () => {
      const old = q({ at: T0 - 200 * DAY });
      const recent = q({ at: T0 - 10 * DAY });
      await write({ questions: [old, recent] });
      await write({
        votes: [
          { answerId: old.id, user: 'u-lan', vote: 'up', reason: null, at: T0 - 200 * DAY },
          { answerId: recent.id, user: 'u-lan', vote: 'up', reason: null, at: T0 - 10 * DAY },
        ],
      });
      expect(await store.purgeBefore(T0 - 180 * DAY)).toBe(2);
      expect((await store.exportRows(0, T0)).map((r) => r.at)).toEqual([recent.at]);
      expect(await store.purgeBefore(T0 - 180 * DAY)).toBe(0);
    });

    it('imports the old stats file once, then renames it *.imported', async () => {
      const file = path.join(tmp, `stats-${backend.name}-${Date.now()}.json`);
      const legacy = {
        version: 1,
        since: '2024-01-02T03:04:05.000Z',
        asked: 120,
        answered: 90,
        recentUnanswered: [
          { question: 'Giá vé xe buýt?', at: '2024-05-01T01:00:00.000Z' },
          { question: 'Lịch nghỉ lễ, "Tết"?', at: '2024-04-30T01:00:00.000Z' },
        ],
      };
      await writeFile(file, JSON.stringify(legacy));
      expect(await importLegacyStats(store, file)).toBe(true);
      expect(await readdir(path.dirname(file))).toContain(path.basename(file) + '.imported');
      expect(JSON.parse((await store.getMeta(LEGACY_TOTALS))!)).toEqual({
        since: legacy.since,
        asked: 120,
        answered: 90,
      });
      const rows = await store.exportRows(0, Date.now());
      expect(rows.map((r) => [r.question, r.answered, r.at])).toEqual([
        ['Lịch nghỉ lễ, "Tết"?', false, Date.parse('2024-04-30T01:00:00.000Z')],
        ['Giá vé xe buýt?', false, Date.parse('2024-05-01T01:00:00.000Z')],
      ]);
      // The same file put back (an old backup restored): not imported twice.
      await writeFile(file, JSON.stringify(legacy));
      expect(await importLegacyStats(store, file)).toBe(true);
      expect(await store.questionCount()).toBe(2);
      expect(await importLegacyStats(store, file)).toBe(false);
    });
  });
});

describe('the embedded store', () => {
  it('stores the database in WAL mode with synchronous=FULL', async () => {
    const { store } = await openSqliteStore(path.join(tmp, 'pragma', 'records.sqlite'));
    const driver = (store as unknown as { db: { query: (sql: string) => Promise<Record<string, unknown>[]> } }).db;
    expect((await driver.query('PRAGMA journal_mode'))[0]).toEqual({ journal_mode: 'wal' });
    expect((await driver.query('PRAGMA synchronous'))[0]).toEqual({ synchronous: 2 });
    await store.close();
  });

  it('a file that is not a database is set aside as .corrupt-<time> and a fresh one created', async () => {
    const dir = path.join(tmp, 'corrupt');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'records.sqlite');
    await writeFile(file, Buffer.from('this is not a database '.repeat(500)));
    const { store, setAside } = await openSqliteStore(file);
    expect(setAside).toMatch(/records\.sqlite\.corrupt-\d{4}-/);
    expect(await readFile(setAside!, 'utf8')).toContain('this is not a database');
    await store.write({ questions: [q()], votes: [] });
    expect(await store.questionCount()).toBe(1);
    await store.close();
  });

  it('a database with damaged pages is set aside too', async () => {
    const dir = path.join(tmp, 'damaged');
    const file = path.join(dir, 'records.sqlite');
    const first = await openSqliteStore(file);
    await first.store.write({
      questions: Array.from({ length: 2000 }, (_, i) => q({ question: `Câu hỏi số ${i} `.repeat(20) })),
      votes: [],
    });
    await first.store.close();
    // Overwrite pages in the middle of the file (the header stays valid).
    const bytes = await readFile(file);
    bytes.fill(0xa5, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 16_384);
    await writeFile(file, bytes);
    // A file above the start-up check's size limit opens at once; its check runs later and finds the damage.
    const deferred = await openSqliteStore(file, { checkAtStartMaxBytes: 1024 });
    expect(deferred.setAside).toBeNull();
    expect(deferred.deferredCheck).not.toBeNull();
    expect(await deferred.deferredCheck!()).not.toBe('ok');
    await deferred.store.close();
    // Within the limit (the default 32 MB): checked before start-up and set aside.
    const second = await openSqliteStore(file);
    expect(second.setAside).not.toBeNull();
    expect(second.deferredCheck).toBeNull();
    expect(await second.store.questionCount()).toBe(0);
    await second.store.close();
  });
});

describe('the batched writer', () => {
  /** A store that fails while `down` is true and remembers what it wrote. */
  class FlakyStore {
    down = false;
    written: WriteBatch[] = [];
    calls = 0;
    async write(batch: WriteBatch) {
      this.calls++;
      if (this.down) throw new Error('connection refused');
      this.written.push(batch);
    }
  }
  const rows = (s: FlakyStore) => s.written.flatMap((b) => b.questions.map((x) => x.id));

  it('returns at once, writes in batches, and keeps the order', async () => {
    const flaky = new FlakyStore();
    const writer = new RecordWriter(flaky as unknown as RecordStore, { flushMs: 10, batchSize: 100 });
    const ids = Array.from({ length: 250 }, () => q().id);
    for (const id of ids) expect(writer.addQuestion(q({ id }))).toBe(true);
    expect(flaky.calls).toBe(0); // nothing was written on the caller's path
    await writer.close();
    expect(rows(flaky)).toEqual(ids);
    expect(flaky.written.length).toBe(3);
    expect(writer.stats).toMatchObject({ written: 250, dropped: 0, pending: 0 });
  });

  it('while the database fails, records wait (bounded) and are written once it is back; overflow is counted', async () => {
    const flaky = new FlakyStore();
    flaky.down = true;
    const errors: unknown[] = [];
    const drops: number[] = [];
    const writer = new RecordWriter(flaky as unknown as RecordStore, {
      flushMs: 5,
      maxRetryMs: 20,
      capacity: 50,
      onError: (e) => errors.push(e),
      onDrop: (n) => drops.push(n),
    });
    const ids = Array.from({ length: 60 }, () => q().id);
    const accepted = ids.map((id) => writer.addQuestion(q({ id })));
    expect(accepted.filter(Boolean).length).toBe(50);
    await expect.poll(() => errors.length).toBeGreaterThanOrEqual(2);
    expect(writer.stats.failingSince).not.toBeNull();
    expect(writer.stats.pending).toBe(50);
    expect(writer.stats.dropped).toBe(10);
    expect(drops.reduce((a, b) => a + b, 0)).toBe(10);
    flaky.down = false;
    await expect.poll(() => writer.stats.pending, { timeout: 5000 }).toBe(0);
    expect(rows(flaky)).toEqual(ids.slice(0, 50));
    expect(writer.stats.failingSince).toBeNull();
    await writer.close();
  });

  it('discardPending drops a pseudonym’s waiting records only', async () => {
    const flaky = new FlakyStore();
    flaky.down = true;
    const writer = new RecordWriter(flaky as unknown as RecordStore, { flushMs: 60_000 });
    writer.addQuestion(q({ user: 'a' }));
    writer.addQuestion(q({ user: 'b' }));
    writer.addVote({ answerId: 'x', user: 'a', vote: 'up', reason: null, at: 1 });
    expect(writer.discardPending('a')).toBe(2);
    expect(writer.stats.pending).toBe(1);
    flaky.down = false;
    await writer.close();
    expect(flaky.written.flatMap((b) => b.questions.map((x) => x.user))).toEqual(['b']);
  });
});

describe('pseudonyms', () => {
  it('a per-install key is created once with mode 0600; the same id gives the same pseudonym, other ids others', async () => {
    const dir = path.join(tmp, 'key');
    const secret = await loadPseudonymSecret(dir);
    expect((await stat(path.join(dir, PSEUDONYM_KEY_FILE))).mode & 0o777).toBe(0o600);
    expect(await loadPseudonymSecret(dir)).toBe(secret);
    const p = pseudonymizer(secret);
    expect(p(123456789)).toBe(p(123456789));
    expect(p(123456789)).not.toBe(p(123456788));
    expect(p(123456789)).not.toContain('123456789');
    // Another install (another key) gives other pseudonyms; PSEUDONYM_SECRET overrides the file.
    expect(pseudonymizer(await loadPseudonymSecret(path.join(tmp, 'key2')))(123456789)).not.toBe(p(123456789));
    expect(await loadPseudonymSecret(dir, 'a-configured-secret-value')).toBe('a-configured-secret-value');
  });
});

// SqlRecordStore is the one implementation behind both backends.
void SqlRecordStore;
