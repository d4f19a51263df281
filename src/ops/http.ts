// The operations endpoints, GET /healthz and GET /metrics: served by the webhook server on its port, and
// by a listener of their own on METRICS_PORT when that is set (in polling mode there is no other server).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkHealth, type HealthSources } from './health.js';
import type { BotMetrics } from './metrics.js';
import { describeError } from '../errors.js';

/** A request handler that answers the ops routes and returns false for others, so servers can chain it. */
export type OpsHandler = (req: http.IncomingMessage, res: http.ServerResponse) => boolean;

/** Answers /healthz and /metrics and returns true; returns false for any other request, untouched. */
export function opsHandler(sources: HealthSources & { metrics: BotMetrics }): OpsHandler {
  return (req, res) => {
    const route = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || (route !== '/healthz' && route !== '/metrics')) return false;
    req.resume();
    const reply =
      route === '/healthz'
        ? checkHealth(sources).then((health) => {
            res
              .writeHead(health.status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
              .end(JSON.stringify(health.body));
          })
        : sources.metrics.text().then((text) => {
            res.writeHead(200, { 'content-type': sources.metrics.contentType }).end(text);
          });
    reply.catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(describeError(error));
    });
    return true;
  };
}

/** A listener for the ops endpoints alone (404 for anything else). */
export async function startOpsServer(
  port: number,
  handler: OpsHandler,
  host?: string,
): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer((req, res) => {
    if (handler(req, res)) return;
    req.resume();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, port: (server.address() as AddressInfo).port };
}
