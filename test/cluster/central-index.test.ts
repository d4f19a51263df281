// One corpus, one build, against a real PostgreSQL server (a database created and dropped per run;
// skipped with the reason printed when none answers, a failure under REQUIRE_POSTGRES=1). Two or three
// "copies" of the bot are CentralIndex instances in this process, each with its own corpus and index
// folders, as separate processes would have: an upload on A is built once and served by B (through the
// notification, and through the poll when the notification's connection was cut); two simultaneous
// /reloads build once; a failed build changes what nobody serves and tells the admin; a fresh copy loads
// the published bundle instead of building.
import { readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Api } from 'grammy';
import { describe, expect, it } from 'vitest';
import { ReloadCoordinator } from '../../src/bot/reload.js';
import { type CentralIndex, LISTENER_NAME } from '../../src/cluster/central-index.js';
import type { EngineOptions } from '../../src/engine.js';
import { centralCopies, sleep, until } from '../fixtures/central-copies.js';
import { postgresUnavailable } from '../fixtures/postgres.js';
import { SEED_FILE } from '../fixtures/seed-report.js';
import { hybridOptions, WATER_REPORT, type TempWorkspace } from '../fixtures/temp-corpus.js';

const pgSkip = await postgresUnavailable('central index');

const WATER_FILE = 'ke-hoach-cap-nuoc-2019.txt';
const WATER_QUESTION = 'Bao nhiêu km đường ống nước mới được lắp đặt?';
/** The bound: every copy serves a new build within 30 s of its end. */
const SERVE_WITHIN_MS = 30_000;

const documentsOf = (copy: CentralIndex) => copy.answerEngine.status().documents.map((d) => d.source);
const totalBuilds = (...copies: CentralIndex[]) => copies.reduce((sum, c) => sum + c.counts.builds, 0);

describe.skipIf(pgSkip !== null)('central corpus and index (PostgreSQL)', () => {
  const cluster = centralCopies('central');
  const { copies } = cluster;

  async function openCopy(options: { pollMs?: number; emptyCorpus?: boolean } = {}) {
    const w = await cluster.workspace();
    const engine: EngineOptions = await hybridOptions(w, [WATER_REPORT]);
    if (options.emptyCorpus) await rm(path.join(w.corpusDir, SEED_FILE));
    return { copy: await cluster.open(engine, options.pollMs), w };
  }

  /** An admin's upload as uploads.ts leaves it: the file in the corpus folder, then a reload. */
  const upload = (w: TempWorkspace, name: string, text: string) => writeFile(path.join(w.corpusDir, name), text);

  const publishedCount = async () =>
    Number((await cluster.admin.query('SELECT count(*) AS n FROM index_bundles')).rows[0].n);

  let a: Awaited<ReturnType<typeof openCopy>>;
  let b: Awaited<ReturnType<typeof openCopy>>;

  it('the first copy seeds the central corpus and builds; the second loads that build', async () => {
    a = await openCopy();
    expect(a.copy.counts).toEqual({ builds: 1, loads: 0 });
    const files = await cluster.admin.query('SELECT name, deleted FROM corpus_files');
    expect(files.rows).toEqual([{ name: SEED_FILE, deleted: false }]);
    b = await openCopy({ emptyCorpus: true });
    expect(b.copy.counts).toEqual({ builds: 0, loads: 1 });
    expect(documentsOf(b.copy)).toEqual([SEED_FILE]);
    // B's empty folder received the central corpus.
    expect(await readdir(b.w.corpusDir)).toContain(SEED_FILE);
    expect(await publishedCount()).toBe(1);
  });

  it('an upload on A is built once (embeddings included) and served by B soon after, by notification', async () => {
    expect((await b.copy.answerEngine.ask(WATER_QUESTION)).citation?.source).not.toBe(WATER_FILE);
    await upload(a.w, WATER_FILE, WATER_REPORT);
    const summary = await a.copy.answerEngine.reload();
    expect(summary.source).toBe('built');
    expect(summary.documents).toBe(2);
    expect(documentsOf(a.copy)).toContain(WATER_FILE);
    // B polls only every minute here: the NOTIFY brings the new version.
    const ms = await until(() => documentsOf(b.copy).includes(WATER_FILE), 'B serving the upload', 10_000);
    console.log(`[central index] B served A's build ${Math.round(ms)} ms after it was published`);
    const answer = await b.copy.answerEngine.ask(WATER_QUESTION);
    expect(answer.answered).toBe(true);
    expect(answer.citation?.source).toBe(WATER_FILE);
    expect(a.copy.counts.builds).toBe(2);
    expect(b.copy.counts).toEqual({ builds: 0, loads: 2 });
    expect(await readdir(b.w.corpusDir)).toContain(WATER_FILE);
    const stored = await cluster.admin.query('SELECT sha256, size, deleted FROM corpus_files WHERE name = $1', [
      WATER_FILE,
    ]);
    expect(stored.rows[0]).toMatchObject({ size: String(Buffer.byteLength(WATER_REPORT)), deleted: false });
  });

  it('two simultaneous /reloads on two copies build once; both serve the result', async () => {
    const before = totalBuilds(a.copy, b.copy);
    const published = await publishedCount();
    const [onA, onB] = await Promise.all([a.copy.answerEngine.reload(), b.copy.answerEngine.reload()]);
    expect([onA.source, onB.source].sort()).toEqual(['built', 'loaded']);
    expect(totalBuilds(a.copy, b.copy)).toBe(before + 1);
    const latest = await cluster.admin.query('SELECT max(id) AS id FROM index_bundles');
    expect(Number(latest.rows[0].id)).toBe(published + 1);
    expect(documentsOf(a.copy)).toEqual(documentsOf(b.copy));
  });

  it('a replaced report reaches every copy, the old version kept in .history/', async () => {
    const replaced = WATER_REPORT.replace('12 km', '15 km');
    await upload(b.w, WATER_FILE, replaced);
    await b.copy.answerEngine.reload();
    await until(
      async () => (await a.copy.answerEngine.ask(WATER_QUESTION)).excerpt.includes('15 km'),
      'A serving B',
      SERVE_WITHIN_MS,
    );
    expect(await readdir(path.join(a.w.corpusDir, '.history'))).toHaveLength(1);
  });

  it('after the notification connection is cut, the poll still brings a new build within 30 s', async () => {
    const c = await openCopy({ pollMs: 1000 });
    expect(c.copy.counts.builds).toBe(0);
    const listeners = `FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`;
    const listening = async () =>
      Number((await cluster.admin.query(`SELECT count(*) AS n ${listeners}`, [LISTENER_NAME])).rows[0].n);
    await until(async () => (await listening()) === 3, "A's, B's and C's notification connections", SERVE_WITHIN_MS);
    const cut = await cluster.admin.query(`SELECT pg_terminate_backend(pid) AS cut ${listeners}`, [LISTENER_NAME]);
    expect(cut.rows).toEqual([{ cut: true }, { cut: true }, { cut: true }]);
    await upload(a.w, 'ghi-chu.txt', 'Ghi chú: đường Trường Sa được mở rộng thêm 4 làn xe trong năm 2019.\n');
    await a.copy.answerEngine.reload();
    const ms = await until(() => documentsOf(c.copy).includes('ghi-chu.txt'), 'C serving after a cut', SERVE_WITHIN_MS);
    console.log(`[central index] without the notification, C served the build after ${Math.round(ms)} ms`);
    expect(c.copy.counts.builds).toBe(0);
  });

  it('a failed build publishes nothing: every copy keeps serving, and the admin gets the reason', async () => {
    const published = await publishedCount();
    const servedByA = documentsOf(a.copy);
    const servedByB = documentsOf(b.copy);
    // A real failure: the bundle folder cannot be created, so the build throws while saving.
    const bundles = path.join(a.w.indexDir, 'bundles');
    await rename(bundles, `${bundles}.away`);
    await writeFile(bundles, 'not a folder');
    await upload(a.w, 'bao-cao-moi.txt', 'Báo cáo mới: quận xây thêm 3 trường mầm non trong năm 2020.\n');
    const messages: string[] = [];
    const api = {
      sendMessage: async (_chat: number, text: string) => {
        messages.push(text);
        return { message_id: messages.length };
      },
      editMessageText: async () => true,
    } as unknown as Api;
    const coordinator = new ReloadCoordinator(a.copy.answerEngine, api, { throttleMs: 10 });
    await coordinator.start(42, 'test: failing build');
    await coordinator.idle();
    expect(messages.at(-1)).toMatch(/Nạp lại không thành công/);
    await sleep(1500); // more than a poll interval of C
    expect(await publishedCount()).toBe(published);
    expect(documentsOf(a.copy)).toEqual(servedByA);
    expect(documentsOf(b.copy)).toEqual(servedByB);
    await rm(bundles);
    await rename(`${bundles}.away`, bundles);
  });

  it('a fresh copy starting against a published bundle loads it without building', async () => {
    const builds = totalBuilds(...copies);
    await a.copy.answerEngine.reload(); // publishes the change the failed build left in the central corpus
    const d = await openCopy({ emptyCorpus: true });
    expect(d.copy.counts).toEqual({ builds: 0, loads: 1 });
    expect(documentsOf(d.copy)).toEqual(documentsOf(a.copy));
    expect(documentsOf(d.copy)).toContain('bao-cao-moi.txt');
    expect(totalBuilds(...copies)).toBe(builds + 1);
  });
});
