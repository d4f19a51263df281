// The similarity gate: the floor is chosen from labelled similarities, saved per model id beside the index,
// and withholds an answer only for the model it was measured on. Mechanics with the tiny model (a real
// model's figures come from `npm run calibrate` on a server that has one).
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  calibrateFloor,
  CALIBRATION_FILE,
  readCalibrations,
  saveCalibration,
  type SimilarityCalibration,
} from '../../src/answer/similarity-gate.js';
import { Engine, type EngineOptions } from '../../src/engine.js';
import { setLogSink } from '../../src/log.js';
import { hybridOptions, tempWorkspace, type TempWorkspace } from '../fixtures/temp-corpus.js';
import { BUDGET_QUESTION } from '../fixtures/seed-report.js';

let ws: TempWorkspace | undefined;
const logs: string[] = [];
setLogSink((line) => logs.push(line));

afterEach(async () => {
  await ws?.cleanup();
  ws = undefined;
  logs.length = 0;
});

function calibration(modelId: string, floor: number): SimilarityCalibration {
  return {
    modelId,
    floor,
    measuredAt: '2026-12-02T00:00:00.000Z',
    answerable: 10,
    unanswerable: 5,
    falseAbstention: 0,
    falseAnswer: 0,
  };
}

async function gatedOptions(w: TempWorkspace, similarityGate?: boolean): Promise<EngineOptions> {
  return { ...(await hybridOptions(w)), ...(similarityGate === undefined ? {} : { similarityGate }) };
}

describe('calibrateFloor', () => {
  it('withholds at most the allowed share of right answers and reports what passes', () => {
    const answerable = Array.from({ length: 20 }, (_, i) => 0.5 + i * 0.02); // 0.50 … 0.88
    const unanswerable = [0.3, 0.4, 0.49, 0.52, 0.7];
    const c = calibrateFloor('m', answerable, unanswerable, 0.05);
    // 5% of 20 = one right answer may be withheld: the floor is the second lowest.
    expect(c.floor).toBeCloseTo(0.52);
    expect(c.falseAbstention).toBeCloseTo(1 / 20);
    expect(c.falseAnswer).toBeCloseTo(2 / 5); // 0.52 and 0.7 pass
    expect(calibrateFloor('m', answerable, unanswerable, 0).floor).toBeCloseTo(0.5);
  });

  it('refuses to calibrate without answerable questions', () => {
    expect(() => calibrateFloor('m', [], [0.2])).toThrow(/answerable/);
  });
});

describe('calibration file', () => {
  it('keeps one calibration per model and ignores entries that do not name their model', async () => {
    ws = await tempWorkspace();
    await saveCalibration(ws.indexDir, calibration('a', 0.4));
    await saveCalibration(ws.indexDir, calibration('b', 0.6));
    await saveCalibration(ws.indexDir, calibration('a', 0.45));
    expect(Object.keys(await readCalibrations(ws.indexDir)).sort()).toEqual(['a', 'b']);
    expect((await readCalibrations(ws.indexDir)).a!.floor).toBe(0.45);

    await writeFile(
      path.join(ws.indexDir, CALIBRATION_FILE),
      JSON.stringify({ a: calibration('other', 0.5), b: { floor: 'high' } }),
    );
    expect(await readCalibrations(ws.indexDir)).toEqual({});
  });

  it('a damaged file gates nothing and says so', async () => {
    ws = await tempWorkspace();
    await mkdir(ws.indexDir, { recursive: true });
    await writeFile(path.join(ws.indexDir, CALIBRATION_FILE), '{"a": {"modelId": "a", "floor": 0.');
    expect(await readCalibrations(ws.indexDir)).toEqual({});
    expect(logs.some((l) => l.includes('not valid JSON'))).toBe(true);
  });
});

describe('the gate in the engine (tiny model)', () => {
  it('reports the similarity, and withholds the answer only under its own model floor', async () => {
    ws = await tempWorkspace();
    const options = await gatedOptions(ws);
    let engine = await Engine.open(options);
    const modelId = engine.status().modelId!;
    expect(modelId).toMatch(/tiny-e5/);
    const open = await engine.ask(BUDGET_QUESTION);
    expect(open.answered).toBe(true);
    expect(open.similarity).toBeGreaterThan(-1);
    expect(open.similarity).toBeLessThanOrEqual(1);
    await engine.close();

    // A floor measured for another model says nothing about this one.
    await saveCalibration(ws.indexDir, calibration('Xenova/some-other-model@q8', 1.5));
    engine = await Engine.open(options);
    expect((await engine.ask(BUDGET_QUESTION)).answered).toBe(true);

    // This model's floor above the similarity: withheld, with the reason and the similarity.
    await saveCalibration(ws.indexDir, calibration(modelId, open.similarity! + 0.01));
    await engine.reload();
    const gated = await engine.ask(BUDGET_QUESTION);
    expect(gated).toMatchObject({ answered: false, reason: 'not-similar', excerpt: '', citation: null });
    expect(gated.similarity).toBeCloseTo(open.similarity!, 6);
    await engine.close();

    // Calibration runs with the gate off: the same floor withholds nothing.
    engine = await Engine.open(await gatedOptions(ws, false));
    expect((await engine.ask(BUDGET_QUESTION)).answered).toBe(true);
    await engine.close();
  });

  it('lexical mode has no similarity and no gate', async () => {
    ws = await tempWorkspace();
    await saveCalibration(ws.indexDir, calibration('test/tiny-e5@q8', 1.5));
    const engine = await Engine.open({
      corpusDir: ws.corpusDir,
      indexDir: ws.indexDir,
      searchMode: 'lexical',
      embedder: null,
    });
    const answer = await engine.ask(BUDGET_QUESTION);
    expect(answer.answered).toBe(true);
    expect(answer.similarity).toBeUndefined();
    await engine.close();
  });
});
