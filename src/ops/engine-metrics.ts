// The engine as the bot sees it, with every reload timed and counted in the metrics.
import type { AnswerEngine } from '../engine-api.js';
import type { BotMetrics } from './metrics.js';

/** The engine with each reload timed and counted by outcome, so the bot's code need not know about metrics. */
export function withReloadMetrics(engine: AnswerEngine, metrics: BotMetrics): AnswerEngine {
  const wrapped: AnswerEngine = {
    ask: (question, options) => engine.ask(question, options),
    status: () => engine.status(),
    close: () => engine.close(),
    reload: async (onProgress) => {
      const started = performance.now();
      try {
        const summary = await engine.reload(onProgress);
        metrics.reloadFinished(true, (performance.now() - started) / 1000, summary.source);
        return summary;
      } catch (error) {
        metrics.reloadFinished(false, (performance.now() - started) / 1000);
        throw error;
      }
    },
  };
  if (engine.addSynonyms) wrapped.addSynonyms = (line) => engine.addSynonyms!(line);
  return wrapped;
}
