// Measures the similarity floor of the embedding model the bot is configured with (EMBEDDING_MODEL in
// .env, read from MODELS_DIR) on the seed report's labelled questions, and saves it in INDEX_DIR where
// the bot reads it at start-up and on /reload (with several copies sharing DATABASE_URL, also in the
// central table every copy follows: src/cluster/central-settings.ts). Run once on the server after the
// model is in place:
//   npm run calibrate
// See src/answer/similarity-gate.ts for what the floor does.
import { loadSettings } from '../../src/config.js';
import { calibrateFloor, saveCalibration } from '../../src/answer/similarity-gate.js';
import { publishCalibration } from '../../src/cluster/central-settings.js';
import { usesCentralIndex } from '../../src/cluster/serving-engine.js';
import { engineOptionsFromSettings } from '../../src/engine.js';
import { setLogLevel } from '../../src/log.js';
import { engineOn, SEED_REPORT_FILE, similaritiesOnSeedSets } from './citizen-sets.js';

setLogLevel('warn');
const settings = loadSettings();
const { embedder } = engineOptionsFromSettings({ ...settings, SEARCH_MODE: 'hybrid' });
const engine = await engineOn([SEED_REPORT_FILE], embedder, { similarityGate: false });
const modelId = engine.status().modelId;
if (!modelId) {
  console.error(
    `The model ${settings.EMBEDDING_MODEL} could not be loaded (${engine.status().degradedReason}); nothing to calibrate.`,
  );
  process.exit(1);
}
const { answerable, unanswerable } = await similaritiesOnSeedSets(engine);
await engine.close();
const calibration = calibrateFloor(modelId, answerable, unanswerable);
await saveCalibration(settings.INDEX_DIR, calibration);
// Several copies sharing DATABASE_URL: every copy takes the floor from the central table, not this folder.
const shared = usesCentralIndex(settings) && (await publishCalibration(settings.DATABASE_URL!, calibration));
console.log(
  `${modelId}: floor ${calibration.floor.toFixed(3)} on ${calibration.answerable} answerable and ${calibration.unanswerable} ` +
    `wrongly answered questions; withholds ${(calibration.falseAbstention * 100).toFixed(1)}% of right answers and ` +
    `lets ${(calibration.falseAnswer * 100).toFixed(1)}% of wrong ones through. Saved in ${settings.INDEX_DIR}${shared ? ' and for every copy (DATABASE_URL)' : ''}.`,
);
