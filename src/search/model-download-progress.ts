// Download news for the operator while transformers.js fetches a model (see embedder.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { log } from '../log.js';

/** The fields of transformers.js progress events that we use. */
interface ProgressEvent {
  status?: string;
  name?: string;
  file?: string;
  progress?: number;
}

/**
 * Turns transformers.js progress events into "Downloading <model> <file> 45%" lines, at most one per
 * file per 10%. transformers.js reports reading a local file with the same events as a download, so
 * files already present in the models folder are recognised up front and kept quiet.
 */
export function downloadReporter(modelsDir: string, report: (message: string) => void) {
  const lastStep = new Map<string, number>();
  const local = new Set<string>();
  const remote = new Set<string>();
  const callback = (event: ProgressEvent) => {
    try {
      if (!event.name || !event.file) return;
      const key = `${event.name}/${event.file}`;
      if (event.status === 'initiate') {
        if (existsSync(path.join(modelsDir, ...event.name.split('/'), ...event.file.split('/')))) local.add(key);
        else remote.add(key);
        return;
      }
      if (event.status !== 'progress' || local.has(key) || typeof event.progress !== 'number') return;
      const percent = Math.min(100, Math.floor(event.progress));
      const step = Math.floor(percent / 10);
      if (step <= (lastStep.get(key) ?? -1)) return;
      lastStep.set(key, step);
      report(`Downloading ${event.name} ${event.file} ${percent}%`);
    } catch (err) {
      // A progress message must never break the load.
      log.debug('Progress callback failed', { err });
    }
  };
  return { callback, downloading: () => remote.size > 0 };
}
