// A second witness of answerability when an embedding model is loaded: how close the question's meaning
// is to the passage the excerpt comes from. Word overlap alone lets "Dân số quận là bao nhiêu?" reach a
// passage full of "quận"; its meaning does not. Similarities are not comparable across models (each has
// its own scale), so the floor is measured per model id on labelled questions (`npm run eval --
// --calibrate`) and saved beside the index; a model without a measured floor is not gated.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDirsDurably, replaceFile } from '../fs/durable-file.js';
import { log } from '../log.js';

/** The measured floor of one model, and what it was measured on. */
export interface SimilarityCalibration {
  modelId: string;
  /** An answer whose question–passage cosine similarity is below this is withheld. */
  floor: number;
  measuredAt: string;
  /** Labelled questions the floor was measured on. */
  answerable: number;
  unanswerable: number;
  /** Share of the answerable questions the floor withholds (chosen to stay at most maxFalseAbstention). */
  falseAbstention: number;
  /** Share of the unanswerable questions that still pass the floor. */
  falseAnswer: number;
}

/** Calibrations by model id, as saved in INDEX_DIR. */
export type Calibrations = Record<string, SimilarityCalibration>;

/** The calibrated floors' file, kept in the index folder beside the bundles it was measured on. */
export const CALIBRATION_FILE = 'similarity-calibration.json';

/** The share of answerable questions a floor may withhold when it is chosen. */
export const DEFAULT_MAX_FALSE_ABSTENTION = 0.05;

/**
 * The highest floor that withholds at most `maxFalseAbstention` of the answerable questions, given the
 * similarities the model gave on answerable and unanswerable questions.
 */
export function calibrateFloor(
  modelId: string,
  answerable: readonly number[],
  unanswerable: readonly number[],
  maxFalseAbstention = DEFAULT_MAX_FALSE_ABSTENTION,
): SimilarityCalibration {
  if (answerable.length === 0) throw new Error('calibration needs at least one answerable question');
  const sorted = [...answerable].sort((a, b) => a - b);
  // Withholding the `allowed` lowest answerable similarities at most: the floor sits on the next one.
  const allowed = Math.floor(maxFalseAbstention * sorted.length);
  const floor = sorted[allowed]!;
  return {
    modelId,
    floor,
    measuredAt: new Date().toISOString(),
    answerable: answerable.length,
    unanswerable: unanswerable.length,
    falseAbstention: answerable.filter((s) => s < floor).length / answerable.length,
    falseAnswer: unanswerable.length ? unanswerable.filter((s) => s >= floor).length / unanswerable.length : 0,
  };
}

function isCalibration(v: unknown): v is SimilarityCalibration {
  const c = v as Partial<SimilarityCalibration> | null;
  return (
    typeof c === 'object' &&
    c !== null &&
    typeof c.modelId === 'string' &&
    typeof c.floor === 'number' &&
    Number.isFinite(c.floor)
  );
}

/** The calibrations saved in `indexDir`; none when the file is missing, and a warning when it is unusable. */
export async function readCalibrations(indexDir: string): Promise<Calibrations> {
  const file = path.join(indexDir, CALIBRATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
      log.warn('similarity calibration unreadable; answers are not gated by similarity', {
        file,
        reason: String(error),
      });
    return {};
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const out: Calibrations = {};
    for (const [id, value] of Object.entries(parsed)) if (isCalibration(value) && value.modelId === id) out[id] = value;
    return out;
  } catch {
    log.warn('similarity calibration is not valid JSON; answers are not gated by similarity', { file });
    return {};
  }
}

/** Saves one model's calibration beside the others, atomically. */
export async function saveCalibration(indexDir: string, calibration: SimilarityCalibration): Promise<void> {
  const all = { ...(await readCalibrations(indexDir)), [calibration.modelId]: calibration };
  await makeDirsDurably(indexDir);
  await replaceFile(path.join(indexDir, CALIBRATION_FILE), JSON.stringify(all, null, 2) + '\n');
}
