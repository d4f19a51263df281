// How the bot talks to the Bot API when things go wrong: flood waits (429) and Telegram's own 5xx are
// retried a few times with bounded waits (auto-retry's defaults are unlimited); network errors are
// retried twice here, because auto-retry would retry those forever; 403 (the user blocked the bot) is
// never retried. getUpdates is left to the runner, which has its own retry loop.
import { autoRetry } from '@grammyjs/auto-retry';
import { GrammyError, HttpError, type Api, type RawApi, type Transformer } from 'grammy';
import { log } from '../log.js';
import { describeError } from '../errors.js';

/** Limits of the retries; the defaults suit production, tests shorten them. */
export interface ApiRetryOptions {
  maxRetryAttempts?: number;
  maxDelaySeconds?: number;
  /** Waits before the network retries (default 1 s, then 3 s). */
  networkRetryDelaysMs?: number[];
}

/** grammY's own AbortSignal type (from its abort-controller shim). */
type Signal = Parameters<Transformer<RawApi>>[3];

function sleep(ms: number, signal?: Signal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new Error('aborted'));
    });
  });
}

function retryNetworkErrors(delaysMs: number[]): Transformer<RawApi> {
  return async (prev, method, payload, signal) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await prev(method, payload, signal);
      } catch (error) {
        const retriable =
          error instanceof HttpError && method !== 'getUpdates' && !signal?.aborted && attempt < delaysMs.length;
        if (!retriable) throw error;
        log.warn('network error talking to Telegram; retrying', { method, attempt: attempt + 1, error: error.message });
        await sleep(delaysMs[attempt]!, signal);
      }
    }
  };
}

// The runner's own getUpdates errors would go to console.error; we silence it and log here instead.
const logPollingErrors: Transformer<RawApi> = async (prev, method, payload, signal) => {
  try {
    const result = await prev(method, payload, signal);
    if (method === 'getUpdates' && !result.ok) {
      log.warn('getUpdates refused; the runner retries', { code: result.error_code, description: result.description });
    }
    return result;
  } catch (error) {
    if (method === 'getUpdates' && !signal?.aborted) {
      log.warn('getUpdates failed; the runner retries', { error: describeError(error) });
    }
    throw error;
  }
};

/**
 * Installs on `api` the bounded retries of flood waits, Telegram's 5xx and network errors, and the logging of
 * getUpdates errors that the runner itself keeps quiet.
 */
export function installApiRetries(api: Api, options: ApiRetryOptions = {}): void {
  api.config.use(logPollingErrors);
  api.config.use(retryNetworkErrors(options.networkRetryDelaysMs ?? [1000, 3000]));
  // Installed last, so it runs first: a 429 is waited out before anything else sees it.
  api.config.use(
    autoRetry({
      maxRetryAttempts: options.maxRetryAttempts ?? 3,
      maxDelaySeconds: options.maxDelaySeconds ?? 30,
      rethrowHttpErrors: true,
    }),
  );
}

/** True when Telegram refuses to deliver to this user for good: they blocked the bot or left. */
export function isBlockedByUser(error: unknown): boolean {
  return error instanceof GrammyError && error.error_code === 403;
}
