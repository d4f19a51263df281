// Fuzzing with fast-check. (a) The question path: any Unicode, control and zero-width characters,
// right-to-left scripts, Telegram-markup injection, inputs up to 100,000 characters → engine.ask never
// throws, and the reply rendered as the bot renders it (renderReply, then splitHtml as replyHtml does;
// the buttons' renderMorePassages / renderFullPassage; /stats with those questions) is Telegram HTML that
// the Bot API accepts, in parts of at most 4096 characters. The corpus holds a report full of markup
// and RTL text, so that the excerpts and citations carry it too. (b) The loaders and the chunker:
// random and mutated .txt/.md/.docx/.pdf bytes → loadCorpus never throws and lists every file as a
// document or as skipped; chunkDocument never throws, never makes an empty passage or one over its
// maximum, and never cuts a character in half.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EXCERPT_CHARS, truncate } from '../../src/answer/excerpt.js';
import type { Answer } from '../../src/answer/types.js';
import { MSG, type StatsView } from '../../src/bot/messages.vi.js';
import { renderFullPassage, renderMorePassages, renderReply } from '../../src/bot/render.js';
import { splitHtml, TELEGRAM_TEXT_LIMIT } from '../../src/bot/split-html.js';
import { chunkDocument, DEFAULT_CHUNK_OPTIONS, type ChunkOptions } from '../../src/corpus/chunker.js';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import { Engine } from '../../src/engine.js';
import { setLogSink } from '../../src/log.js';
import { normalizeText } from '../../src/text/normalize.js';
import { parseTelegramHtml } from '../emulator/bot-api-emulator.js';
import { makeDocx, makePdf } from '../fixtures/make-files.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import { REPO_CORPUS, SEED_FILE } from '../fixtures/temp-corpus.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
// Seeded so a failure can be replayed (fast-check prints the seed and path; FUZZ_SEED overrides).
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

/** A report written to break the HTML of a careless renderer, with right-to-left and invisible text. */
const HOSTILE_REPORT = `---
title: Báo cáo <b>đặc biệt</b> & "khác" </blockquote> <a href="https://evil.example">bấm</a>
date: <i>2020</i> &amp;
---

# Mục </blockquote><pre> & <tg-spoiler>

Ngân sách phường năm 2020 đạt 5 tỷ đồng </blockquote><b>không đóng & &amp; &lt;tag&gt; <a href="javascript:alert(1)">bấm vào đây</a>.
Văn bản tiếng Ả Rập مرحبا بالعالم và tiếng Do Thái שלום עולם nằm giữa câu về ngân sách phường.
Ký tự ẩn: ngân\u200Bsách\u200Dphường\uFEFF và dấu điều khiển \u202Ehướng ngược\u202C trong báo cáo ngân sách.

# Cây xanh 🌳

Phường trồng 350 cây xanh 🌳🌳🌳 trên các tuyến đường, kinh phí 1,2 tỷ đồng & đóng góp của người dân <3.
`;

let root: string;
let lexical: Engine;
let hybrid: Engine;

beforeAll(async () => {
  setLogSink(() => undefined);
  await mkdir(path.join(ROOT, 'test', '.tmp'), { recursive: true });
  root = await mkdtemp(path.join(ROOT, 'test', '.tmp', 'fuzz-'));
  const corpusDir = path.join(root, 'corpus');
  await mkdir(corpusDir);
  const seed = await readFile(path.join(REPO_CORPUS, SEED_FILE), 'utf8');
  await writeFile(path.join(corpusDir, SEED_FILE), seed);
  await writeFile(path.join(corpusDir, 'hostile.md'), HOSTILE_REPORT);
  lexical = await Engine.open({
    corpusDir,
    indexDir: path.join(root, 'index-lexical'),
    searchMode: 'lexical',
    embedder: null,
  });
  const modelsDir = path.join(root, 'models');
  await makeTinyModel(modelsDir, { vocabulary: [seed, HOSTILE_REPORT] });
  hybrid = await Engine.open({
    corpusDir,
    indexDir: path.join(root, 'index-hybrid'),
    searchMode: 'hybrid',
    embedder: { model: 'test/tiny-e5', modelsDir, allowDownloads: false, quantized: true, timeoutMs: 30_000 },
  });
  expect(hybrid.status().mode).toBe('hybrid');
});

afterAll(async () => {
  await lexical?.close();
  await hybrid?.close();
  setLogSink((line) => process.stderr.write(line + '\n'));
  await rm(root, { recursive: true, force: true });
});

// --------------------------------------------------------------------------------------------------
// Arbitraries

const INJECTIONS = [
  '<b>',
  '</b>',
  '</blockquote>',
  '<blockquote>',
  '&amp;',
  '&',
  '&lt;',
  '&#0;',
  '&#xD800;',
  '<',
  '>',
  '<a href="tg://user?id=1">',
  '<a href=javascript:alert(1)>',
  '</a>',
  '<pre><code class="language-x">',
  '<tg-spoiler>',
  '<span class="tg-spoiler">',
  '<!--',
  '-->',
  '"',
  "'",
  '\\',
  '`',
  '*',
  '_',
  '[',
  ']',
  '(',
  ')',
];
const ODD_CHARS = [
  '\u0000',
  '\u0007',
  '\b',
  '\t',
  '\n',
  '\r',
  '\u000B',
  '\u000C',
  '\u001B',
  '\u007F',
  '\u0085',
  '\u00A0',
  '\u200B',
  '\u200C',
  '\u200D',
  '\u200E',
  '\u200F',
  '\u202A',
  '\u202B',
  '\u202C',
  '\u202D',
  '\u202E',
  '\u2066',
  '\u2069',
  '\u2028',
  '\u2029',
  '\uFEFF',
  '\uFFFD',
  '\uFFFE',
  '\u0301',
  '\u0323',
  '\u0303',
  'مرحبا',
  'بالعالم',
  'שלום',
  'עולם',
  '😀',
  '🌳',
  '👨‍👩‍👧',
  '🇻🇳',
  '𠀀',
  'ﷺ',
];

/** Text a person could send: well-formed Unicode (Telegram delivers UTF-8). */
const wellFormedQuestion = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 200 }) },
  {
    weight: 5,
    // Corpus words (so some questions are answered) mixed with markup and odd characters.
    arbitrary: fc
      .array(
        fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              ...'ngân sách phường thu cuối năm quận mục tiêu 15% cây xanh tỷ đồng'.split(' '),
            ),
          },
          { weight: 2, arbitrary: fc.constantFrom(...INJECTIONS) },
          { weight: 2, arbitrary: fc.constantFrom(...ODD_CHARS) },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
        ),
        { maxLength: 40 },
      )
      .chain((parts) => fc.constantFrom(parts.join(' '), parts.join(''))),
  },
  {
    weight: 1,
    // Very long: up to 100,000 characters.
    arbitrary: fc
      .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.integer({ min: 1000, max: 100_000 }))
      .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length)),
  },
);

/** Also lone surrogates: nothing a user can send, but the engine must not care. */
const anyQuestion = fc.oneof(
  wellFormedQuestion,
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 300 }),
);

/**
 * fc.assert, but a failure is reported with the seed, the replay path and the first characters of the
 * counterexample: the full value can be megabytes, which vitest would spend minutes formatting.
 */
async function check<T>(property: fc.IAsyncProperty<T> | fc.IProperty<T>, params: fc.Parameters<T>): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<T>, params);
  if (!details.failed) return;
  const shown = JSON.stringify(details.counterexample, (_key, value) =>
    typeof value === 'string' && value.length > 300 ? `${value.slice(0, 300)}… (${value.length} chars)` : value,
  );
  const cause =
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : `no counterexample: ${details.numSkips} runs skipped, interrupted: ${details.interrupted}`;
  throw new Error(
    `property failed (seed ${details.seed}, path "${details.counterexamplePath}") on ${shown.slice(0, 2000)}\n${cause.slice(0, 2000)}`,
  );
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What the Bot API checks: valid HTML, non-empty, at most 4096 characters; and well-formed UTF-16 so it can be sent as UTF-8. */
function expectSendable(html: string, what: string): void {
  const parts = splitHtml(html);
  expect(parts.length, what).toBeGreaterThan(0);
  for (const part of parts) {
    expect(part.length, what).toBeLessThanOrEqual(TELEGRAM_TEXT_LIMIT);
    let parsed: { text: string };
    try {
      parsed = parseTelegramHtml(part);
    } catch (error) {
      throw new Error(
        `${what}: Telegram would refuse ${JSON.stringify(part.slice(0, 300))}: ${(error as Error).message}`,
      );
    }
    expect(parsed.text.trim().length, what).toBeGreaterThan(0);
    expect(LONE_SURROGATE.test(part), `${what}: half a character in ${JSON.stringify(part.slice(0, 200))}`).toBe(false);
  }
}

function checkAnswerShape(answer: Answer, question: string): void {
  expect(answer.question).toBe(question);
  if (answer.answered) {
    expect(answer.excerpt.trim()).not.toBe('');
    expect(answer.citation).not.toBeNull();
    expect(answer.passages.length).toBeGreaterThan(0);
  } else {
    expect(answer.excerpt).toBe('');
    expect(answer.citation).toBeNull();
  }
}

/** Renders every reply the bot can send for this answer: the reply itself, and both buttons. */
function expectRenderable(engine: Engine, answer: Answer, echo: boolean): void {
  const what = `reply to ${JSON.stringify(answer.question.slice(0, 80))}`;
  expectSendable(renderReply(answer, engine.status().documents, { echoQuestion: echo }), what);
  if (!answer.answered) return;
  if (answer.passages.length > 1) expectSendable(renderMorePassages(answer.passages.slice(1)), `${what} (Xem thêm)`);
  expectSendable(renderFullPassage(answer.passages[0]!, answer.excerpt), `${what} (Toàn văn đoạn)`);
}

// --------------------------------------------------------------------------------------------------

describe('fuzzing the question path', () => {
  it('engine.ask never throws and every reply is valid Telegram HTML within 4096 characters (lexical)', async () => {
    let answered = 0;
    await check(
      fc.asyncProperty(wellFormedQuestion, fc.boolean(), async (question, echo) => {
        const answer = await lexical.ask(question);
        checkAnswerShape(answer, question);
        if (answer.answered) answered++;
        expectRenderable(lexical, answer, echo);
      }),
      { numRuns: 250, seed: SEED },
    );
    // The generator reaches the answering path, not only "not found".
    expect(answered).toBeGreaterThan(10);
  });

  it('the injected report renders safely whatever is asked about it', async () => {
    // Questions that hit the hostile report, so its markup reaches excerpt, citation and buttons.
    const probe = await lexical.ask('Ngân sách phường năm 2020 đạt bao nhiêu tỷ đồng?');
    expect(probe.answered).toBe(true);
    expect(probe.citation!.source).toBe('hostile.md');
    expect(probe.excerpt).toContain('</blockquote><b>');
    const html = renderReply(probe, lexical.status().documents);
    // The markup is shown as text, not obeyed.
    expect(parseTelegramHtml(html).text).toContain('</blockquote><b>không đóng & &amp; &lt;tag&gt;');
    expect(parseTelegramHtml(html).entities.filter((e) => e.type === 'text_link')).toEqual([]);
    expectRenderable(lexical, probe, true);
  });

  it('engine.ask never throws on any input, lone surrogates included, and in hybrid mode', async () => {
    await check(
      fc.asyncProperty(anyQuestion, fc.integer({ min: -5, max: 80 }), async (question, k) => {
        checkAnswerShape(await lexical.ask(question, { k }), question);
        checkAnswerShape(await hybrid.ask(question, { k }), question);
      }),
      { numRuns: 120, seed: SEED + 1 },
    );
  });

  it('any answer the engine could give renders as sendable HTML (random passages, titles, sections, excerpts)', async () => {
    const text = (max: number) =>
      fc.oneof(
        fc.string({ unit: 'binary', maxLength: max }),
        fc
          .array(fc.constantFrom(...INJECTIONS, ...ODD_CHARS, 'ngân sách', ' ', '. ', '\n'), {
            maxLength: Math.floor(max / 4),
          })
          .map((p) => p.join('')),
        fc
          .tuple(fc.constantFrom('😀', 'a😀', 'chữ ', '&lt;', '<b>'), fc.integer({ min: 1, max: max }))
          .map(([u, n]) => u.repeat(n)),
      );
    const passage = fc.record({
      id: fc.string(),
      docTitle: text(300).filter((t) => t.trim() !== ''),
      date: fc.option(text(30)),
      section: fc.option(text(300)),
      source: fc.string({ minLength: 1, maxLength: 40 }),
      position: fc.nat(),
      text: text(3000).filter((t) => t.trim() !== ''),
    });
    await check(
      fc.asyncProperty(
        fc.array(passage, { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.boolean(),
        async (passages, pick, echo) => {
          // The excerpt is a piece of the first passage, cut the way the answer composer cuts it.
          const best = [...passages[0]!.text]; // by code point, as sentences are cut
          const excerpt = truncate(
            best
              .slice(pick % best.length)
              .join('')
              .trim() || best.join('').trim(),
            MAX_EXCERPT_CHARS,
          );
          const answer: Answer = {
            question: 'câu hỏi',
            answered: true,
            excerpt,
            citation: {
              title: passages[0]!.docTitle,
              section: passages[0]!.section,
              date: passages[0]!.date,
              source: passages[0]!.source,
            },
            passages: passages.map((p, i) => ({ passage: p, score: 1 - i / 10 })),
          };
          expectRenderable(lexical, answer, echo);
        },
      ),
      { numRuns: 200, seed: SEED + 5 },
    );
  });

  it('/stats stays sendable whatever citizens asked', async () => {
    // Questions up to the bot's limit, as typed (the record keeps them whole; /stats cuts them).
    const question = fc.oneof(
      wellFormedQuestion,
      fc
        .tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }), fc.integer({ min: 150, max: 1000 }))
        .map(([unit, length]) => [...unit.repeat(length)].slice(0, length).join('')),
    );
    const window = { questions: 3, answered: 1, up: 1, down: 2 };
    await check(
      fc.asyncProperty(fc.array(question, { minLength: 1, maxLength: 12 }), async (asked) => {
        const texts = asked.map((q) => q.trim()).filter((q) => q.length <= 1000);
        const view: StatsView = {
          windows: [
            { window: 'today', stats: window },
            { window: '7', stats: window },
            { window: '30', stats: window },
          ],
          selected: '7',
          details: {
            ...window,
            busiestHours: [{ hour: 9, count: 2 }],
            unanswered: texts.map((text, i) => ({ text, count: i + 1 })),
            latestDown: texts.map((q, i) => ({
              at: Date.now(),
              question: q,
              answer: texts[texts.length - 1 - i] ?? null,
              reason: i % 2 ? 'wrong' : null,
            })),
          },
          legacy: { since: new Date().toISOString(), asked: 10, answered: 5 },
          status: {
            kind: 'sqlite',
            location: 'data/records.sqlite',
            writer: {
              pending: 0,
              written: 0,
              dropped: 0,
              writeErrors: 1,
              lastError: texts[0] ?? '',
              failingSince: Date.now(),
            },
            setAside: null,
            damage: texts[1] ?? null,
            retentionDays: 180,
          },
        };
        expectSendable(MSG.stats(view), '/stats');
      }),
      { numRuns: 150, seed: SEED + 2 },
    );
  });
});

// --------------------------------------------------------------------------------------------------

describe('fuzzing the loaders and the chunker', () => {
  const EXTENSIONS = ['.txt', '.md', '.docx', '.pdf'] as const;
  let validDocx: Buffer;
  let validPdf: Buffer;

  beforeAll(async () => {
    validDocx = await makeDocx({
      coreTitle: 'Báo cáo <thử> & "nghiệm"',
      paragraphs: [
        { text: 'Báo cáo công tác quý I', style: 'Title' },
        { text: 'Tiêm chủng', style: 'Heading1' },
        { text: 'Trạm y tế tiêm chủng cho 1.850 trẻ em dưới một tuổi. '.repeat(20) },
      ],
    });
    validPdf = makePdf({ pages: [['Bao cao quy I', 'Tram y te tiem chung cho 1.850 tre em.'], ['Trang hai.']] });
  });

  /** Byte-level damage to a valid file: flips, overwrites, a cut, an insertion. */
  const mutated = (valid: () => Buffer) =>
    fc
      .record({
        flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 12 }),
        cut: fc.option(fc.nat()),
        insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 64 }))),
      })
      .map(({ flips, cut, insert }) => {
        let bytes = Buffer.from(valid());
        for (const [at, mask] of flips) bytes[at % bytes.length] = bytes[at % bytes.length]! ^ mask;
        if (insert) {
          const at = insert[0] % bytes.length;
          bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(insert[1]), bytes.subarray(at)]);
        }
        if (cut !== null) bytes = bytes.subarray(0, 1 + (cut % bytes.length));
        return bytes;
      });

  const fileBytes = fc.oneof(
    fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)),
    fc.string({ unit: 'binary', maxLength: 2000 }).map((s) => Buffer.from(s, 'utf8')),
    // Right header, garbage after it: reaches the zip reader and the PDF worker (one thread per PDF).
    fc.uint8Array({ maxLength: 1024 }).map((a) => Buffer.concat([Buffer.from('%PDF-1.7\n'), a])),
    fc
      .uint8Array({ maxLength: 1024 })
      .map((a) => Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.from('word/document.xml'), a])),
    mutated(() => validDocx),
    mutated(() => validPdf),
  );

  it('loadCorpus never throws: every file is a readable document or skipped with a reason', async () => {
    let run = 0;
    await check(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.constantFrom(...EXTENSIONS), fileBytes), { minLength: 1, maxLength: 4 }),
        async (files) => {
          const dir = path.join(root, `load-${++run}`);
          await mkdir(dir);
          const names = files.map(([ext], i) => `tep-${i}${ext}`);
          await Promise.all(files.map(([, bytes], i) => writeFile(path.join(dir, names[i]!), bytes)));
          const corpus = await loadCorpus(dir, { parseTimeoutMs: 5000 });
          const listed = [...corpus.documents.map((d) => d.source), ...corpus.skipped.map((s) => s.source)].sort();
          expect(listed).toEqual([...names].sort());
          for (const skipped of corpus.skipped) expect(skipped.reason.trim()).not.toBe('');
          for (const doc of corpus.documents) {
            expect(doc.text.trim()).not.toBe('');
            expect(doc.title.trim()).not.toBe('');
            checkPassages(chunkDocument(doc), DEFAULT_CHUNK_OPTIONS, doc.text);
          }
          await rm(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 60, seed: SEED + 3 },
    );
  }, 60_000);

  function checkPassages(passages: ReturnType<typeof chunkDocument>, options: ChunkOptions, text: string): void {
    // Plain checks, one expect per problem: a document can make thousands of passages.
    const wellFormed = !LONE_SURROGATE.test(text);
    passages.forEach((p, i) => {
      const problem =
        p.text.trim() === ''
          ? 'is empty'
          : p.text.length > options.maxChars
            ? `is ${p.text.length} characters, over maxChars ${options.maxChars}`
            : p.position !== i
              ? `has position ${p.position}`
              : wellFormed && LONE_SURROGATE.test(p.text)
                ? 'cuts a character in half'
                : null;
      if (problem) expect.fail(`passage ${i} ${problem}: ${JSON.stringify(p.text.slice(0, 120))}`);
    });
    expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
  }

  // Lines that look like the headings the chunker knows, and lines that do not.
  const line = fc.oneof(
    fc.constantFrom(
      'Chương I',
      'Chương 2 QUY ĐỊNH',
      'Mục 3',
      'Điều 5. Phạm vi',
      'Điều 12a:',
      'I. Kinh tế',
      'IV) Xã hội',
      '1. Thu',
      '2.3) Chi',
      '# Tiêu đề',
      '###### h',
      'Hội nghị Ban Chấp hành',
      '',
    ),
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.string({ unit: 'grapheme', maxLength: 60 }),
    // Long runs: one enormous word, one enormous sentence, many sentences, emoji without spaces.
    fc
      .tuple(
        fc.constantFrom('x', 'chữ ', 'Thu ngân sách đạt 57%. ', '😀', 'a😀', 'ệ', '; '),
        fc.integer({ min: 100, max: 3000 }),
      )
      .map(([unit, n]) => unit.repeat(n)),
  );

  it('chunkDocument never throws, never makes an empty or oversized passage, never splits a character', async () => {
    await check(
      fc.property(
        fc.array(line, { maxLength: 40 }),
        fc.constantFrom('\n', '\n\n'),
        fc.option(
          fc
            .integer({ min: 20, max: 2000 })
            .chain((target) =>
              fc.integer({ min: target, max: 3000 }).map((max) => ({ targetChars: target, maxChars: max })),
            ),
        ),
        (lines, separator, custom) => {
          const options = custom ?? DEFAULT_CHUNK_OPTIONS;
          // The chunker's input is what the loaders produce: normalised text.
          const text = normalizeText(lines.join(separator));
          const passages = chunkDocument({ title: 'Tài liệu', date: null, source: 'x.txt', text }, options);
          checkPassages(passages, options, text);
        },
      ),
      { numRuns: 300, seed: SEED + 4 },
    );
  });
});
