// GET /healthz: 200 when the index is loaded and, if the bot uses a database, the database answers; 503
// with a JSON reason otherwise, so that a load balancer takes the process out until it is ready.
import type { AnswerEngine } from '../engine-api.js';
import type { BotMetrics } from './metrics.js';
import { describeError } from '../errors.js';

/** Where /healthz looks: the engine, and the database probe when the bot uses a database. */
export interface HealthSources {
  /** The serving engine, or null while it is still being opened. */
  engine: () => AnswerEngine | null;
  /** Resolves when the database is reachable; absent when the bot uses none. */
  databaseProbe?: () => Promise<void>;
  /** Longest wait for the probe (default 2 s). */
  probeTimeoutMs?: number;
  metrics?: BotMetrics;
}

/** The /healthz answer: the HTTP status a load balancer acts on and a JSON body saying why. */
export interface Health {
  status: 200 | 503;
  body: {
    ok: boolean;
    /** Why the process is not healthy; absent when it is. */
    reason?: string;
    index: {
      loaded: boolean;
      mode?: string;
      documents?: number;
      passages?: number;
      builtAt?: string | null;
      reloading?: boolean;
    };
    database: 'ok' | 'not used' | 'unreachable';
  };
}

/** Longest wait for the database probe unless set: a load balancer's own check must not time out first. */
const PROBE_TIMEOUT_MS = 2000;

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Checks the index and the database (within the probe timeout) and says whether this process should get traffic. */
export async function checkHealth(sources: HealthSources): Promise<Health> {
  const engine = sources.engine();
  const status = engine?.status();
  const index: Health['body']['index'] = status?.ready
    ? {
        loaded: true,
        mode: status.mode,
        documents: status.documents.length,
        passages: status.passages,
        builtAt: status.builtAt,
        reloading: status.reloading,
      }
    : { loaded: false };
  let database: Health['body']['database'] = 'not used';
  let dbProblem: string | null = null;
  if (sources.databaseProbe) {
    try {
      await withTimeout(Promise.resolve().then(sources.databaseProbe), sources.probeTimeoutMs ?? PROBE_TIMEOUT_MS);
      database = 'ok';
    } catch (error) {
      database = 'unreachable';
      dbProblem = describeError(error);
      sources.metrics?.databaseError('probe');
    }
  }
  const reasons: string[] = [];
  if (!index.loaded) reasons.push('index not loaded');
  if (dbProblem !== null) reasons.push(`database unreachable: ${dbProblem}`);
  const ok = reasons.length === 0;
  return { status: ok ? 200 : 503, body: { ok, ...(ok ? {} : { reason: reasons.join('; ') }), index, database } };
}
