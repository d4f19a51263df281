// The ALQAC 2023 benchmark as the bench uses it: the corpus loaded and chunked exactly as the engine
// does, the 100 training questions (accented, and folded to no diacritics) and the relevance judge.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { chunkDocument } from '../../src/corpus/chunker.js';
import { loadCorpus } from '../../src/corpus/load-corpus.js';
import type { Passage, SourceDocument } from '../../src/corpus/types.js';
import { foldDiacritics } from '../../src/text/normalize.js';

export const ALQAC_DIR = path.resolve('..', 'shared', 'benchmarks', 'alqac2023');
export const ALQAC_CORPUS = path.join(ALQAC_DIR, 'corpus');

export interface Relevant {
  law: string;
  article: string;
}

export interface AlqacQuestion {
  id: string;
  question: string;
  relevant: Relevant[];
}

export interface Alqac {
  documents: SourceDocument[];
  passages: Passage[];
  questions: AlqacQuestion[];
  /** Bytes of the corpus files. */
  bytes: number;
}

export async function loadQuestions(dir = ALQAC_DIR): Promise<AlqacQuestion[]> {
  const text = await fs.readFile(path.join(dir, 'questions-train.jsonl'), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AlqacQuestion);
}

export async function loadAlqac(dir = ALQAC_DIR): Promise<Alqac> {
  const corpusDir = path.join(dir, 'corpus');
  const corpus = await loadCorpus(corpusDir);
  const passages = corpus.documents.flatMap((d) => chunkDocument(d));
  let bytes = 0;
  for (const name of await fs.readdir(corpusDir)) bytes += (await fs.stat(path.join(corpusDir, name))).size;
  return { documents: corpus.documents, passages, questions: await loadQuestions(dir), bytes };
}

/** The article number of a passage's section ("Điều 39. …" → "39"), or null. */
export function articleOf(section: string | null): string | null {
  return section?.match(/^Điều\s+(\d+\w*)/u)?.[1] ?? null;
}

/** A passage answers the question when it comes from one of its relevant law articles. */
export function isRelevant(
  passage: { docTitle: string; section: string | null },
  relevant: readonly Relevant[],
): boolean {
  const article = articleOf(passage.section);
  return article !== null && relevant.some((r) => r.law === passage.docTitle && r.article === article);
}

export type Variant = 'accented' | 'unaccented';
export const VARIANTS: readonly Variant[] = ['accented', 'unaccented'];

export function questionText(q: AlqacQuestion, variant: Variant): string {
  return variant === 'accented' ? q.question : foldDiacritics(q.question);
}

/** Share of questions with a relevant passage among the first k of each ranking (given as passages). */
export function recallAt(
  rankings: readonly {
    relevant: readonly Relevant[];
    ranked: readonly { docTitle: string; section: string | null }[];
  }[],
  k: number,
): number {
  if (rankings.length === 0) return 0;
  let hits = 0;
  for (const r of rankings) if (r.ranked.slice(0, k).some((p) => isRelevant(p, r.relevant))) hits++;
  return hits / rankings.length;
}
