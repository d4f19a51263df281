// Webhook mode with the durable queue (DATABASE_URL set): the HTTP handler stores each update before it
// answers Telegram 200 and runs nothing itself; the worker (in this and every other process) runs it.
// Middleware gives each queued update's own API client a transformer that marks the update as replied when
// Telegram accepts its first reply.
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Context, MiddlewareFn, RawApi, Transformer } from 'grammy';
import { log } from '../log.js';
import type { UpdateQueue } from './update-queue.js';
import { queuedRunOf, type QueuedRun } from './update-worker.js';
import { describeError } from '../errors.js';

/** The calls that answer a user: once Telegram accepted one, the update counts as answered. */
const REPLY_METHODS = new Set([
  'sendMessage',
  'sendDocument',
  'sendPhoto',
  'answerCallbackQuery',
  'copyMessage',
  'forwardMessage',
]);

/** Thrown instead of sending a reply when this worker no longer holds the update. */
export class LeaseLostError extends Error {}

/**
 * Middleware for queued updates: gives the update's own API client a transformer that confirms the lease
 * before the first reply and marks the update replied once Telegram accepted it, so that each update is
 * answered once. Other updates pass untouched.
 */
export function replyMarker(onDatabaseError?: (op: string, error: unknown) => void): MiddlewareFn<Context> {
  return (ctx, next) => {
    const run = queuedRunOf(ctx.update);
    if (run) ctx.api.config.use(markFirstReply(run, onDatabaseError));
    return next();
  };
}

function markFirstReply(run: QueuedRun, onDatabaseError?: (op: string, error: unknown) => void): Transformer<RawApi> {
  let marked = false;
  return async (prev, method, payload, signal) => {
    const first = !marked && REPLY_METHODS.has(method);
    if (first) {
      let held: boolean;
      try {
        held = await run.queue.confirmLease(run.updateId, run.owner, run.leaseMs);
      } catch (error) {
        // Without the database the reply still goes out: answering once is likelier than not at all.
        onDatabaseError?.('confirm-lease', error);
        held = true;
      }
      if (!held)
        throw new LeaseLostError(`update ${run.updateId}: lease lost before replying; another worker answers it`);
    }
    const result = await prev(method, payload, signal);
    if (first && result.ok) {
      marked = true;
      try {
        await run.queue.markReplied(run.updateId);
      } catch (error) {
        onDatabaseError?.('mark-replied', error);
        log.warn('could not mark an update replied', { update: run.updateId, error: describeError(error) });
      }
    }
    return result;
  };
}

function sameSecret(given: string | string[] | undefined, secret: string): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What the webhook handler needs: the queue to store updates in, the secret Telegram sends, and hooks. */
export interface DurableWebhookOptions {
  queue: UpdateQueue;
  secret: string;
  maxBodyBytes: number;
  /** Called after an update was stored (new or not), e.g. to wake this process's worker. */
  onStored?: (isNew: boolean) => void;
  onDatabaseError?: (op: string, error: unknown) => void;
}

/** Handles one POST to the webhook path: 401 bad secret, 400 not an update, 500 not stored, 200 stored. */
export function durableWebhookHandler(
  options: DurableWebhookOptions,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    if (!sameSecret(req.headers['x-telegram-bot-api-secret-token'], options.secret)) {
      req.resume();
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > options.maxBodyBytes) {
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (res.headersSent) return;
      let update: { update_id?: unknown };
      try {
        update = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { update_id?: unknown };
      } catch {
        res.writeHead(400).end();
        return;
      }
      if (!update || typeof update.update_id !== 'number' || !Number.isSafeInteger(update.update_id)) {
        res.writeHead(400).end();
        return;
      }
      options.queue.enqueue(update as { update_id: number }).then(
        (isNew) => {
          // Telegram only needs to know it was stored; the answer goes out through the Bot API.
          res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
          options.onStored?.(isNew);
        },
        (error: unknown) => {
          // Not stored: 500 makes Telegram deliver it again later.
          options.onDatabaseError?.('enqueue', error);
          log.error('could not store an update; Telegram will resend it', {
            update: update.update_id,
            error: describeError(error),
          });
          res.writeHead(500).end();
        },
      );
    });
    req.on('error', () => {
      if (!res.headersSent) res.writeHead(400).end();
    });
  };
}
