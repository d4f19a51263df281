// The engine end to end on real files: loader, chunker, BM25, hnswlib, the tiny embedding model,
// the saved bundle and the answers.
import { appendFile, readdir, rm, truncate, writeFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { setLogSink } from '../../src/log.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { hybridOptions, tempWorkspace, WATER_REPORT, type TempWorkspace } from '../fixtures/temp-corpus.js';
import { BUDGET_QUESTION, BUDGET_SENTENCE, SEED_FILE } from '../fixtures/seed-report.js';

let ws: TempWorkspace;
const logs: string[] = [];
setLogSink((line) => logs.push(line));

afterEach(async () => {
  logs.length = 0;
  await ws?.cleanup();
});

function lexicalOptions(w: TempWorkspace): EngineOptions {
  return { corpusDir: w.corpusDir, indexDir: w.indexDir, searchMode: 'lexical', embedder: null };
}

describe('answers with citations (lexical)', () => {
  it('answers the budget question with the 15% sentence and cites the report', async () => {
    ws = await tempWorkspace();
    const engine = await Engine.open(lexicalOptions(ws));
    const answer = await engine.ask(BUDGET_QUESTION);
    expect(answer.answered).toBe(true);
    expect(answer.excerpt).toContain(BUDGET_SENTENCE);
    expect(answer.excerpt.length).toBeLessThan(500);
    expect(answer.citation).toMatchObject({
      title: 'Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ',
      date: '2018',
      source: SEED_FILE,
    });
    // Typed without diacritics, and with a typo: the same answer.
    for (const variant of [foldDiacritics(BUDGET_QUESTION), 'muc tieu thu ngan sch cuoi nam']) {
      const other = await engine.ask(variant);
      expect(other.answered, variant).toBe(true);
      expect(other.excerpt, variant).toContain(BUDGET_SENTENCE);
    }
  });

  it('says not found for questions the reports do not answer', async () => {
    ws = await tempWorkspace();
    const engine = await Engine.open(lexicalOptions(ws));
    for (const q of [
      'Thời tiết ngày mai thế nào?',
      'Kết quả trận bóng đá tối qua?',
      'Cách nấu phở bò?',
      'asdkjh qwe zxcv',
    ]) {
      const answer = await engine.ask(q);
      expect(answer.answered, q).toBe(false);
      expect(answer.excerpt).toBe('');
      expect(answer.citation).toBeNull();
    }
  });

  it('handles empty, emoji-only and 10,000-character questions', async () => {
    ws = await tempWorkspace();
    const engine = await Engine.open(lexicalOptions(ws));
    for (const q of ['', '   \n ', '😀😀🎉', '???']) {
      const answer = await engine.ask(q);
      expect(answer).toMatchObject({ answered: false, reason: 'empty', passages: [] });
    }
    const long = (BUDGET_QUESTION + ' ').repeat(200).slice(0, 10_000);
    const answer = await engine.ask(long);
    expect(answer.question).toBe(long);
    expect(answer.answered).toBe(true);
    expect(answer.excerpt).toContain('15%');
  });

  it('returns up to k passages, best first', async () => {
    ws = await tempWorkspace();
    await writeFile(path.join(ws.corpusDir, 'nuoc-sach-2019.md'), WATER_REPORT);
    const engine = await Engine.open(lexicalOptions(ws));
    const answer = await engine.ask('Bao nhiêu hộ dân được dùng nước sạch?', { k: 5 });
    expect(answer.answered).toBe(true);
    expect(answer.citation?.source).toBe('nuoc-sach-2019.md');
    expect(answer.excerpt).toContain('100% hộ dân');
    expect(answer.passages.length).toBeGreaterThan(1);
    expect(answer.passages.length).toBeLessThanOrEqual(5);
    const scores = answer.passages.map((p) => p.score);
    expect([...scores].sort((a, b) => b - a)).toEqual(scores);
  });
});

describe('the saved index', () => {
  it('loads a saved index instead of rebuilding, and rebuilds when the corpus changes', async () => {
    ws = await tempWorkspace();
    await (await Engine.open(lexicalOptions(ws))).close();
    expect(logs.some((l) => l.includes('index built'))).toBe(true);
    logs.length = 0;
    const second = await Engine.open(lexicalOptions(ws));
    expect(logs.some((l) => l.includes('index loaded'))).toBe(true);
    expect(logs.some((l) => l.includes('index built'))).toBe(false);
    expect(second.status().documents).toHaveLength(1);

    logs.length = 0;
    await writeFile(path.join(ws.corpusDir, 'nuoc-sach-2019.md'), WATER_REPORT);
    const third = await Engine.open(lexicalOptions(ws));
    expect(logs.some((l) => l.includes('corpus files changed'))).toBe(true);
    expect(
      third
        .status()
        .documents.map((d) => d.source)
        .sort(),
    ).toEqual([SEED_FILE, 'nuoc-sach-2019.md']);
  });

  it.each(['passages.json', 'vectors.hnsw', 'manifest.json'])(
    'rebuilds from the corpus when %s is truncated',
    async (file) => {
      ws = await tempWorkspace();
      const options = await hybridOptions(ws, [WATER_REPORT]);
      await (await Engine.open(options)).close();
      const current = (await readFile(path.join(ws.indexDir, 'CURRENT'), 'utf8')).trim();
      const target = path.join(ws.indexDir, 'bundles', current, file);
      await truncate(target, 10);
      logs.length = 0;
      const engine = await Engine.open(options);
      expect(logs.join('\n')).toMatch(/rebuil|repair/i);
      const answer = await engine.ask(BUDGET_QUESTION);
      expect(answer.excerpt).toContain(BUDGET_SENTENCE);
    },
  );

  it('rebuilds when the index folder lost a file', async () => {
    ws = await tempWorkspace();
    await (await Engine.open(lexicalOptions(ws))).close();
    await rm(path.join(ws.indexDir, 'CURRENT'));
    const engine = await Engine.open(lexicalOptions(ws));
    expect((await engine.ask(BUDGET_QUESTION)).answered).toBe(true);
  });
});

describe('hybrid search with the embedding model', () => {
  it('answers in hybrid mode and re-embeds only changed passages on reload', async () => {
    ws = await tempWorkspace();
    const options = await hybridOptions(ws, [WATER_REPORT]);
    const engine = await Engine.open(options);
    expect(engine.status().mode).toBe('hybrid');
    const answer = await engine.ask(BUDGET_QUESTION);
    expect(answer.excerpt).toContain(BUDGET_SENTENCE);
    const vectorOnly = engine.search(
      'thu ngân sách cuối năm',
      3,
      await engine.embedQuery('thu ngân sách cuối năm'),
      'vector',
    );
    expect(vectorOnly.length).toBeGreaterThan(0);

    await writeFile(path.join(ws.corpusDir, 'nuoc-sach-2019.md'), WATER_REPORT);
    const summary = await engine.reload();
    expect(summary.documents).toBe(2);
    // The seed report's passages are unchanged: their vectors are reused, only the new ones embedded.
    const seedPassages = engine.status().documents.find((d) => d.source === SEED_FILE)!.passages;
    expect(summary.reusedEmbeddings).toBe(seedPassages);
    expect(summary.passages).toBeGreaterThan(seedPassages);
    expect((await engine.ask('Bao nhiêu km đường ống nước mới?')).citation?.source).toBe('nuoc-sach-2019.md');
  });

  it('falls back to lexical search, and says so, when the model cannot be loaded', async () => {
    ws = await tempWorkspace();
    const options: EngineOptions = {
      ...lexicalOptions(ws),
      searchMode: 'hybrid',
      embedder: {
        model: 'nobody/missing-model',
        modelsDir: ws.modelsDir,
        allowDownloads: false,
        quantized: true,
        timeoutMs: 5_000,
      },
    };
    const engine = await Engine.open(options);
    const status = engine.status();
    expect(status.mode).toBe('lexical');
    expect(status.degradedReason).toMatch(/missing-model/);
    expect(status.degraded).toBe('model-unavailable');
    expect(logs.some((l) => l.includes('answering from the lexical index only'))).toBe(true);
    expect((await engine.ask(BUDGET_QUESTION)).excerpt).toContain(BUDGET_SENTENCE);
  });

  it('rebuilds an index made by another model', async () => {
    ws = await tempWorkspace();
    await (await Engine.open(lexicalOptions(ws))).close();
    logs.length = 0;
    const engine = await Engine.open(await hybridOptions(ws, [WATER_REPORT]));
    expect(logs.some((l) => l.includes('built with model none'))).toBe(true);
    expect(engine.status().mode).toBe('hybrid');
  });
});

describe('bad corpora and failed reloads', () => {
  it('refuses to start on a missing corpus folder with no index, with a clear message', async () => {
    ws = await tempWorkspace();
    await rm(ws.corpusDir, { recursive: true });
    await expect(Engine.open(lexicalOptions(ws))).rejects.toThrow(/Corpus folder .* does not exist/);
  });

  it('answers not found on an empty corpus', async () => {
    ws = await tempWorkspace();
    await rm(path.join(ws.corpusDir, SEED_FILE));
    const engine = await Engine.open(lexicalOptions(ws));
    expect(engine.status().passages).toBe(0);
    expect((await engine.ask(BUDGET_QUESTION)).answered).toBe(false);
  });

  it('skips a corrupt file with a reason and still answers from the rest', async () => {
    ws = await tempWorkspace();
    await writeFile(path.join(ws.corpusDir, 'hong.pdf'), Buffer.from('%PDF-1.4\n' + 'x'.repeat(300)));
    await writeFile(path.join(ws.corpusDir, 'hong.docx'), Buffer.from('PK\u0003\u0004 truncated'));
    const engine = await Engine.open(lexicalOptions(ws));
    const skipped = engine
      .skippedFiles()
      .map((s) => s.source)
      .sort();
    expect(skipped).toEqual(['hong.docx', 'hong.pdf']);
    expect((await engine.ask(BUDGET_QUESTION)).answered).toBe(true);
  });

  it('keeps serving the old index when a reload fails, and answers during a reload', async () => {
    ws = await tempWorkspace();
    const engine = await Engine.open(lexicalOptions(ws));
    await rm(ws.corpusDir, { recursive: true });
    await expect(engine.reload()).rejects.toThrow(/does not exist/);
    expect((await engine.ask(BUDGET_QUESTION)).excerpt).toContain(BUDGET_SENTENCE);

    // Restore the corpus with a second report; questions asked while the reload runs are answered.
    await tempWorkspace().then(async (other) => {
      const { cp } = await import('node:fs/promises');
      await cp(other.corpusDir, ws.corpusDir, { recursive: true });
      await other.cleanup();
    });
    await appendFile(path.join(ws.corpusDir, 'nuoc-sach-2019.md'), WATER_REPORT);
    const reloading = engine.reload();
    expect(engine.reload()).toBe(reloading); // one rebuild at a time, shared
    const during = await Promise.all([engine.ask(BUDGET_QUESTION), engine.ask('nuoc sach')]);
    expect(during[0].answered).toBe(true);
    await reloading;
    expect(engine.status().documents).toHaveLength(2);
    expect(
      (await readdir(path.join(ws.indexDir, 'bundles'))).filter((n) => !n.startsWith('.')).length,
    ).toBeLessThanOrEqual(2);
  });
});
