// The stats file of the bot's previous version (counters and the last unanswered questions in JSON),
// imported into the record once at start-up; the record keeps its counters as totals "before the record".
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { log } from '../log.js';
import type { QuestionRecord, RecordStore } from './types.js';

/** Meta key marking that the old stats file was imported, so that a restart does not import it again. */
const LEGACY_IMPORTED = 'legacy_stats_imported';
/** Meta key under which the old stats file's counters are kept, shown by /stats as totals before the record. */
export const LEGACY_TOTALS = 'legacy_totals';

/** The old stats file's counters, kept once imported so /stats can still show what came before the record. */
export interface LegacyTotals {
  since: string;
  asked: number;
  answered: number;
}

const wholeNumber = z.number().refine(Number.isInteger);
/** The old file's form (its other fields are not used); a file of another form is left as it is. */
const legacyFileSchema = z.object({
  since: z.string(),
  asked: wholeNumber,
  answered: wholeNumber,
  recentUnanswered: z.array(z.object({ question: z.string(), at: z.string() })),
});

/**
 * The previous version kept counters and the last unanswered questions in a JSON file. They are imported
 * once: the counters as totals "before the record", the questions as unanswered log rows (no user: the
 * file never had one). The file is then renamed `<file>.imported`. Safe to repeat after a crash.
 */
export async function importLegacyStats(store: RecordStore, file: string): Promise<boolean> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  let json: unknown = null;
  try {
    json = JSON.parse(raw);
  } catch {
    // below
  }
  const checked = legacyFileSchema.safeParse(json);
  if (!checked.success) {
    log.warn('old stats file not in the expected form; left as it is', { file });
    return false;
  }
  const parsed = checked.data;
  if ((await store.getMeta(LEGACY_IMPORTED)) === null) {
    const questions: QuestionRecord[] = parsed.recentUnanswered.map((u, i) => ({
      id: `legacy-${i}-${Date.parse(u.at) || 0}`,
      at: Date.parse(u.at) || Date.now(),
      user: 'legacy',
      question: u.question,
      answered: false,
      source: null,
      section: null,
      answer: null,
      confidence: null,
      mode: 'unknown',
      latencyMs: 0,
      chatType: 'private',
    }));
    await store.write({ questions, votes: [] });
    const totals: LegacyTotals = { since: parsed.since, asked: parsed.asked, answered: parsed.answered };
    await store.setMeta(LEGACY_TOTALS, JSON.stringify(totals));
    await store.setMeta(LEGACY_IMPORTED, new Date().toISOString());
    log.info('old stats file imported into the record', { file, asked: parsed.asked, unanswered: questions.length });
  }
  await rename(file, `${file}.imported`);
  return true;
}

/** The counters imported from the old stats file, or null when there was none. */
export async function readLegacyTotals(store: RecordStore): Promise<LegacyTotals | null> {
  const raw = await store.getMeta(LEGACY_TOTALS);
  return raw ? (JSON.parse(raw) as LegacyTotals) : null;
}
