// `npm run eval`: retrieval and answer quality per search mode, on our own questions about the seed
// report and on the ALQAC 2023 legal benchmark (accented and typed without diacritics).
//
// No real embedding model can be downloaded here, so vector and hybrid modes run on the project's tiny
// test model (a bag-of-words embedding, not a semantic one) unless EVAL_MODEL names a model available
// in MODELS_DIR. Its figures show that the pipeline works end to end, not what e5 would score.
import { measureOcr, ocrTable } from './ocr.js';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine, type EngineOptions } from '../../src/engine.js';
import type { RankedPassage } from '../../src/answer/types.js';
import type { SearchMode } from '../../src/search/types.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { setLogLevel } from '../../src/log.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';
import { fuseReciprocalRank } from '../../src/search/hybrid.js';
import { loadViquad, loadViquadKinds, openViquadEngine, type QuestionKind, scoreViquad } from './viquad.js';
import { scoreCitizenSets } from './citizen-sets.js';

const KS = [1, 3, 5, 10] as const;

interface Judged {
  question: string;
  /** Whether a ranked passage answers it; null for a question the reports do not answer. */
  isRelevant: ((p: RankedPassage) => boolean) | null;
  /** For seed questions: strings one of which the excerpt must contain. */
  expect?: string[];
}

export interface ModeScores {
  questions: number;
  recall: Record<number, number>;
  mrr10: number;
}

function scoreRankings(rankings: { judged: Judged; ranked: RankedPassage[] }[]): ModeScores {
  const answerable = rankings.filter((r) => r.judged.isRelevant);
  const recall: Record<number, number> = {};
  for (const k of KS) {
    recall[k] = answerable.filter((r) => r.ranked.slice(0, k).some(r.judged.isRelevant!)).length / answerable.length;
  }
  let mrr = 0;
  for (const r of answerable) {
    const rank = r.ranked.slice(0, 10).findIndex(r.judged.isRelevant!);
    if (rank >= 0) mrr += 1 / (rank + 1);
  }
  return { questions: answerable.length, recall, mrr10: mrr / answerable.length };
}

async function openEngine(corpusDir: string, modelsDir: string, mode: SearchMode): Promise<Engine> {
  const indexDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-index-'));
  const options: EngineOptions = {
    corpusDir,
    indexDir,
    searchMode: mode,
    embedder:
      mode === 'lexical'
        ? null
        : process.env.EVAL_MODEL
          ? // A real model, from the models folder the bot uses.
            {
              model: process.env.EVAL_MODEL,
              modelsDir: path.resolve(process.env.MODELS_DIR ?? 'models'),
              allowDownloads: false,
              quantized: true,
              timeoutMs: 60_000,
            }
          : { model: 'test/tiny-e5', modelsDir, allowDownloads: false, quantized: true, timeoutMs: 60_000 },
  };
  return Engine.open(options);
}

async function corpusWords(dir: string): Promise<string[]> {
  const words = new Set<string>();
  for (const name of await fs.readdir(dir)) {
    const text = await fs.readFile(path.join(dir, name), 'utf8').catch(() => '');
    for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) words.add(w);
  }
  return [...words];
}

async function rankAll(engine: Engine, judged: Judged[], modes: SearchMode[]) {
  const perMode = new Map<SearchMode, { judged: Judged; ranked: RankedPassage[] }[]>(modes.map((m) => [m, []]));
  for (const j of judged) {
    const vector = modes.some((m) => m !== 'lexical') ? await engine.embedQuery(j.question) : null;
    for (const mode of modes)
      perMode.get(mode)!.push({ judged: j, ranked: engine.search(j.question, 10, vector, mode) });
  }
  return perMode;
}

async function rankWithRrf(engine: Engine, judged: Judged[]) {
  const out: { judged: Judged; ranked: RankedPassage[] }[] = [];
  for (const j of judged) {
    const vector = await engine.embedQuery(j.question);
    const lexical = engine.search(j.question, 50, null, 'lexical');
    const dense = engine.search(j.question, 50, vector, 'vector');
    const byId = new Map([...lexical, ...dense].map((r) => [r.passage.id, r.passage]));
    const ids = [...byId.keys()];
    const toScored = (list: RankedPassage[]) => list.map((r) => ({ index: ids.indexOf(r.passage.id), score: r.score }));
    const fused = fuseReciprocalRank(toScored(lexical), toScored(dense), 10);
    out.push({ judged: j, ranked: fused.map((f) => ({ passage: byId.get(ids[f.index]!)!, score: f.score })) });
  }
  return out;
}

function row(label: string, s: ModeScores): string {
  return `| ${label} | ${s.questions} | ${KS.map((k) => s.recall[k]!.toFixed(2)).join(' | ')} | ${s.mrr10.toFixed(3)} |`;
}

const HEADER = '| run | questions | R@1 | R@3 | R@5 | R@10 | MRR@10 |\n| --- | --- | --- | --- | --- | --- | --- |';

async function main() {
  const { values } = parseArgs({
    options: {
      alqac: { type: 'string', default: path.join('..', 'shared', 'benchmarks', 'alqac2023') },
      seed: { type: 'string', default: path.join('test', 'eval', 'seed-questions.jsonl') },
      corpus: { type: 'string', default: 'corpus' },
      modes: { type: 'string', default: 'lexical,vector,hybrid' },
      out: { type: 'string', default: path.join('bench-results', 'eval.json') },
    },
  });
  setLogLevel('warn');
  const modes = values.modes!.split(',') as SearchMode[];
  const modelsDir = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-models-'));
  const results: Record<string, unknown> = {};
  const lines: string[] = [];

  // --- Seed report: our own questions, with and without diacritics, and unanswerable ones.
  const seed = (await fs.readFile(values.seed!, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; expect: string[] | null });
  const seedJudged: Judged[] = seed.flatMap(({ question, expect }) =>
    [question, foldDiacritics(question)]
      .filter((q, i, all) => all.indexOf(q) === i)
      .map((q) => ({
        question: q,
        expect: expect ?? undefined,
        isRelevant: expect ? (p: RankedPassage) => expect.some((e) => p.passage.text.includes(e)) : null,
      })),
  );
  await makeTinyModel(modelsDir, { vocabulary: await corpusWords(values.corpus!) });
  lines.push(
    `## Seed report (${values.corpus}): ${seedJudged.filter((j) => j.isRelevant).length} answerable, ${seedJudged.filter((j) => !j.isRelevant).length} unanswerable questions`,
    '',
    HEADER,
  );
  for (const mode of modes) {
    const engine = await openEngine(path.resolve(values.corpus!), modelsDir, mode);
    const ranked = (await rankAll(engine, seedJudged, [mode])).get(mode)!;
    const scores = scoreRankings(ranked);
    let excerptHits = 0;
    let answeredAnswerable = 0;
    let abstained = 0;
    for (const j of seedJudged) {
      const answer = await engine.ask(j.question);
      if (j.isRelevant) {
        if (answer.answered) answeredAnswerable++;
        if (answer.answered && j.expect!.some((e) => answer.excerpt.includes(e))) excerptHits++;
      } else if (!answer.answered) abstained++;
    }
    const unanswerable = seedJudged.filter((j) => !j.isRelevant).length;
    const extra = {
      excerptAccuracy: excerptHits / scores.questions,
      answeredRate: answeredAnswerable / scores.questions,
      abstentionRate: abstained / unanswerable,
    };
    results[`seed/${mode}`] = { ...scores, ...extra };
    lines.push(
      row(`seed, ${mode}`, scores) +
        ` excerpt correct ${extra.excerptAccuracy.toFixed(2)}, answered ${extra.answeredRate.toFixed(2)}, abstained on unanswerable ${extra.abstentionRate.toFixed(2)}`,
    );
    await engine.close();
  }

  // --- ALQAC 2023: 100 questions, accented and stripped of diacritics.
  const alqacCorpus = path.join(values.alqac!, 'corpus');
  const questions = (await fs.readFile(path.join(values.alqac!, 'questions-train.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { question: string; relevant: { law: string; article: string }[] });
  const judge = (relevant: { law: string; article: string }[]) => (p: RankedPassage) => {
    const article = p.passage.section?.match(/^Điều\s+(\d+\w*)/u)?.[1];
    return relevant.some((r) => r.law === p.passage.docTitle && r.article === article);
  };
  const tinyAlqac = await fs.mkdtemp(path.join(os.tmpdir(), 'eval-models-'));
  await makeTinyModel(tinyAlqac, { vocabulary: await corpusWords(alqacCorpus) });
  lines.push('', `## ALQAC 2023 (${questions.length} questions)`, '', HEADER);
  const engine = await openEngine(alqacCorpus, tinyAlqac, modes.includes('hybrid') ? 'hybrid' : modes[0]!);
  for (const variant of ['accented', 'no diacritics'] as const) {
    const judged = questions.map((q) => ({
      question: variant === 'accented' ? q.question : foldDiacritics(q.question),
      isRelevant: judge(q.relevant),
    }));
    const perMode = await rankAll(engine, judged, modes);
    for (const mode of modes) {
      const scores = scoreRankings(perMode.get(mode)!);
      results[`alqac/${variant}/${mode}`] = scores;
      lines.push(row(`ALQAC ${variant}, ${mode}`, scores));
    }
    if (modes.includes('hybrid')) {
      // The fusion we did not ship, on the same candidate lists, for comparison.
      const rrf = await rankWithRrf(engine, judged);
      results[`alqac/${variant}/hybrid-rrf`] = scoreRankings(rrf);
      lines.push(row(`ALQAC ${variant}, hybrid with RRF (k=60)`, scoreRankings(rrf)));
    }
  }
  await engine.close();
  const status = engine.status();
  lines.push(
    '',
    `Index: ${status.passages} passages; vector side: ${status.mode === 'lexical' ? 'none' : (process.env.EVAL_MODEL ?? 'tiny test model')}`,
  );

  // --- Our own citizen sets: answered with the expected phrase, false abstentions and false answers apart.
  const citizen = await scoreCitizenSets();
  results.citizen = citizen;
  const pct = (n: number, of: number) => `${n}/${of} (${(n / of).toFixed(2)})`;
  lines.push(
    '',
    '## Citizen sets (lexical; test/eval/README.md)',
    '',
    '| set | questions | right excerpt | false abstention | wrong excerpt | false answer |',
    '| --- | --- | --- | --- | --- | --- |',
    `| citizen questions, seed report | ${citizen.citizen.questions} | ${pct(citizen.citizen.correct, citizen.citizen.questions)} | ${pct(citizen.citizen.falseAbstention, citizen.citizen.questions)} | ${pct(citizen.citizen.wrongExcerpt, citizen.citizen.questions)} | – |`,
    `| unanswerable, seed report | ${citizen.unanswerable.questions} | – | – | – | ${citizen.unanswerable.falseAnswer.toFixed(2)} (abstained ${citizen.unanswerable.abstained.toFixed(2)}) |`,
    `| year questions, 2018 + synthetic 2019 | ${citizen.years.questions} | ${pct(citizen.years.correct, citizen.years.questions)} | ${pct(citizen.years.falseAbstention, citizen.years.questions)} | ${pct(citizen.years.wrongExcerpt, citizen.years.questions)} | – |`,
    `| unanswerable, 2018 + synthetic 2019 | ${citizen.unanswerableYears.questions} | – | – | – | ${citizen.unanswerableYears.falseAnswer.toFixed(2)} (abstained ${citizen.unanswerableYears.abstained.toFixed(2)}) |`,
  );

  // --- ViQuAD 2.0 dev: does the excerpt quote the answer span?
  const viquadDir = path.join(path.dirname(values.alqac!), 'viquad2');
  const viquad = await openViquadEngine(viquadDir);
  const viquadQuestions = await loadViquad(viquadDir);
  lines.push(
    '',
    `## ViQuAD 2.0 dev (${viquadQuestions.length} questions, lexical, k = 3)`,
    '',
    '| variant | excerpt has answer | top-1 passage | top-3 | answered | excerpt words |',
    '| --- | --- | --- | --- | --- | --- |',
  );
  const kinds = await loadViquadKinds();
  const viquadScores = [];
  for (const folded of [false, true]) {
    const v = await scoreViquad(viquad, viquadQuestions, folded, undefined, kinds);
    viquadScores.push(v);
    results[`viquad/${folded ? 'no diacritics' : 'accented'}`] = v;
    lines.push(
      `| ${folded ? 'no diacritics' : 'accented'} | ${v.excerptHasAnswer.toFixed(2)} | ${v.top1.toFixed(2)} | ${v.top3.toFixed(2)} | ${v.answered.toFixed(2)} | ${v.excerptWords.toFixed(1)} |`,
    );
  }
  // The set's questions by kind, read against their paragraphs (test/eval/viquad-kinds.jsonl).
  lines.push(
    '',
    '| kind of question | questions | excerpt has answer, accented | without diacritics |',
    '| --- | --- | --- | --- |',
  );
  for (const kind of ['answerable', 'false-premise', 'no-answer', 'unsure'] as QuestionKind[]) {
    const [accented, folded] = viquadScores.map((v) => v.byKind[kind]);
    if (accented && folded)
      lines.push(
        `| ${kind} | ${accented.questions} | ${accented.excerptHasAnswer.toFixed(2)} | ${folded.excerptHasAnswer.toFixed(2)} |`,
      );
  }
  await viquad.close();

  // --- OCR of scans generated from the seed report (test/eval/ocr.ts).
  const ocr = await measureOcr();
  results.ocr = ocr;
  lines.push('', ...ocrTable(ocr));
  process.stdout.write(lines.join('\n') + '\n');
  await fs.mkdir(path.dirname(values.out!), { recursive: true });
  await fs.writeFile(values.out!, JSON.stringify({ ranAt: new Date().toISOString(), results }, null, 2));
  process.stderr.write(`figures written to ${values.out}\n`);
}

main().catch((error) => {
  process.stderr.write(`eval failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
