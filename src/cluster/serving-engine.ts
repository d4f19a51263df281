// Which engine the bot serves: with DATABASE_URL in webhook mode (several copies behind one webhook) the
// central index, built once for every copy (central-index.ts); otherwise the local one, as always.
import type { Settings } from '../config.js';
import type { AnswerEngine, ProgressEvent } from '../engine-api.js';
import { Engine, engineOptionsFromSettings } from '../engine.js';
import { log } from '../log.js';
import type { BotMetrics } from '../ops/metrics.js';
import { CentralIndex } from './central-index.js';

/** Whether these settings run the central corpus and index (the same condition as the durable update queue). */
export function usesCentralIndex(settings: Settings): boolean {
  return Boolean(settings.WEBHOOK_URL && settings.DATABASE_URL);
}

/** Opens the engine the bot serves; a central one already listens for other copies' builds. */
export async function openServingEngine(
  settings: Settings,
  onProgress: (event: ProgressEvent) => void,
  metrics?: BotMetrics,
): Promise<AnswerEngine> {
  const options = engineOptionsFromSettings(settings);
  if (!usesCentralIndex(settings)) return Engine.open(options, onProgress);
  const central = await CentralIndex.open({
    databaseUrl: settings.DATABASE_URL!,
    engine: options,
    pollMs: settings.INDEX_POLL_SECONDS * 1000,
    onProgress,
    onLoaded: (seconds) => metrics?.reloadFinished(true, seconds, 'loaded'),
  });
  central.start();
  log.info('central corpus and index in use', { pollSeconds: settings.INDEX_POLL_SECONDS });
  return central.answerEngine;
}
