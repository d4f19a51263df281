// Runs the real transformers.js + onnxruntime pipeline on the tiny fixture model: every load here reads
// actual files from a temp folder, and the download tests use a local HTTP server standing in for the Hub.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { env } from '@xenova/transformers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setLogSink } from '../../src/log.js';
import { loadEmbedder, type LoadEmbedderOptions } from '../../src/search/embedder.js';
import type { Embedder } from '../../src/search/types.js';
import { makeTinyModel } from '../fixtures/tiny-model.js';

const PASSAGE_A = 'Tổng thu ngân sách nhà nước trên địa bàn quận sáu tháng đầu năm đạt 412 tỷ đồng, bằng 58% dự toán.';
const PASSAGE_B = 'Trường mầm non Hòa Phát được sửa chữa phòng học và sân chơi cho các cháu.';
const QUESTION_A = 'Thu ngân sách của quận đạt bao nhiêu?';

let root: string;
let modelsDir: string;
let e5: Embedder;
let plain: Embedder;
const logLines: string[] = [];

function options(overrides: Partial<LoadEmbedderOptions> = {}): LoadEmbedderOptions {
  return {
    model: 'test/tiny-e5',
    modelsDir,
    allowDownloads: false,
    quantized: true,
    timeoutMs: 10_000,
    onProgress: () => undefined,
    ...overrides,
  };
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);
const norm = (a: number[]) => Math.sqrt(dot(a, a));

beforeAll(async () => {
  setLogSink((line) => logLines.push(line));
  root = await mkdtemp(path.join(os.tmpdir(), 'embedder-test-'));
  modelsDir = path.join(root, 'models');
  const vocabulary = [PASSAGE_A, PASSAGE_B, QUESTION_A];
  await makeTinyModel(modelsDir, { vocabulary });
  await makeTinyModel(modelsDir, { name: 'test/tiny-plain', vocabulary });
  e5 = await loadEmbedder(options());
  plain = await loadEmbedder(options({ model: 'test/tiny-plain' }));
});

afterAll(async () => {
  setLogSink((line) => process.stderr.write(line + '\n'));
  if (root) await rm(root, { recursive: true, force: true });
});

describe('loadEmbedder on a local model', () => {
  it('loads with downloads disabled and reports id and dimension', async () => {
    expect(e5.modelId).toBe('test/tiny-e5@q8');
    expect(e5.dimension).toBe(32);
    const wide = await makeTinyModel(modelsDir, { name: 'test/wide-e5', dimension: 48 });
    const unquantized = await loadEmbedder(options({ model: wide.modelId, quantized: false }));
    expect(unquantized.modelId).toBe('test/wide-e5');
    expect(unquantized.dimension).toBe(48);
    expect((await unquantized.embedQuery('ngân sách')).length).toBe(48);
  });

  it('says nothing about downloading when every file is already local', async () => {
    const messages: string[] = [];
    await loadEmbedder(options({ onProgress: (m) => messages.push(m) }));
    expect(messages).toEqual([]);
  });

  it('returns plain arrays of unit length', async () => {
    const [a, b] = await e5.embedPassages([PASSAGE_A, PASSAGE_B]);
    const q = await e5.embedQuery(QUESTION_A);
    for (const v of [a!, b!, q]) {
      expect(Array.isArray(v)).toBe(true);
      expect(v).toHaveLength(32);
      expect(norm(v)).toBeCloseTo(1, 5);
    }
  });

  it('puts a question nearer to the passage it shares words with', async () => {
    for (const embedder of [e5, plain]) {
      const [a, b] = await embedder.embedPassages([PASSAGE_A, PASSAGE_B]);
      const q = await embedder.embedQuery(QUESTION_A);
      expect(dot(q, a!)).toBeGreaterThan(dot(q, b!) + 0.1);
    }
  });

  it('applies the query:/passage: prefixes only to e5 models', async () => {
    const [passage] = await e5.embedPassages([PASSAGE_A]);
    const query = await e5.embedQuery(PASSAGE_A);
    expect(dot(passage!, query)).toBeLessThan(0.9999);

    const [plainPassage] = await plain.embedPassages([PASSAGE_A]);
    const plainQuery = await plain.embedQuery(PASSAGE_A);
    plainQuery.forEach((x, i) => {
      expect(x).toBeCloseTo(plainPassage![i]!, 5);
    });
    expect(plain.modelId).toBe('test/tiny-plain@q8');
  });

  it('embeds in batches of 32, reporting progress after each', async () => {
    const texts = Array.from({ length: 70 }, (_, i) => (i % 2 ? PASSAGE_A : PASSAGE_B) + ` ${i}`);
    const calls: [number, number][] = [];
    const vectors = await e5.embedPassages(texts, (done, total) => calls.push([done, total]));
    expect(calls).toEqual([
      [32, 70],
      [64, 70],
      [70, 70],
    ]);
    expect(vectors).toHaveLength(70);
    // Padding inside a batch must not change a text's vector.
    const [alone] = await e5.embedPassages([texts[69]!]);
    alone!.forEach((x, i) => {
      expect(x).toBeCloseTo(vectors[69]![i]!, 5);
    });

    const none: [number, number][] = [];
    expect(await e5.embedPassages([], (d, t) => none.push([d, t]))).toEqual([]);
    expect(none).toEqual([]);
  });

  it('truncates texts longer than the model maximum instead of failing', async () => {
    const words = 'thu chi ngân sách quận phường dự án trường học'.split(' ');
    const long = Array.from({ length: 700 }, (_, i) => words[i % words.length]).join(' ');
    const longer = long + ' ' + Array.from({ length: 500 }, () => 'bệnh viện').join(' ');
    const [a, b] = await plain.embedPassages([long, longer]);
    // Both are cut at 512 tokens, so what follows word 700 cannot matter.
    a!.forEach((x, i) => {
      expect(x).toBeCloseTo(b![i]!, 5);
    });
    expect(norm(await e5.embedQuery(longer))).toBeCloseTo(1, 5);
  });

  it('accepts empty strings', async () => {
    expect(norm(await plain.embedQuery(''))).toBeCloseTo(1, 5);
    const [v] = await plain.embedPassages(['']);
    expect(norm(v!)).toBeCloseTo(1, 5);
    expect(await e5.embedQuery('')).toHaveLength(32);
  });

  it('treats composed and decomposed Vietnamese alike', async () => {
    const composed = await plain.embedQuery('Thu ngân sách');
    const decomposed = await plain.embedQuery('Thu ngân sách'.normalize('NFD'));
    composed.forEach((x, i) => {
      expect(x).toBeCloseTo(decomposed[i]!, 6);
    });
  });
});

describe('loadEmbedder failures', () => {
  it('rejects quickly and plainly when the model is missing and downloads are disabled', async () => {
    const error = await loadEmbedder(options({ model: 'Xenova/multilingual-e5-small' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Embedding model Xenova/multilingual-e5-small could not be loaded from ${modelsDir}`);
    expect(message).toContain('downloads are disabled');
    expect(message).toContain(path.join(modelsDir, 'Xenova', 'multilingual-e5-small'));
    expect(message).toContain('ALLOW_MODEL_DOWNLOADS=true');
  });

  it('rejects plainly when model.onnx is corrupt', async () => {
    const broken = await makeTinyModel(modelsDir, { name: 'test/broken-e5' });
    await writeFile(path.join(broken.dir, 'onnx', 'model.onnx'), 'this is not an onnx file');
    const error = await loadEmbedder(options({ model: broken.modelId, quantized: false })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(`Embedding model test/broken-e5 could not be loaded from ${broken.dir}`);
    expect(message).toMatch(/protobuf parsing failed/);
    expect(message).toMatch(/damaged or incomplete/);
    // transformers.js warnings went to the structured log, not raw to stderr.
    expect(logLines.some((l) => l.includes('transformers.js'))).toBe(true);
  });

  it('rejects with a timeout message when loading makes no progress', async () => {
    // A model file that is a named pipe with no writer: reading it blocks without a byte of progress,
    // like a hung disk or mount. (A tiny timeout on a real file races the load and may lose.)
    const stalled = await makeTinyModel(modelsDir, { name: 'test/stalled-e5' });
    const pipe = path.join(stalled.dir, 'onnx', 'model_quantized.onnx');
    await rm(pipe);
    execFileSync('mkfifo', [pipe]);
    const error = await loadEmbedder(options({ model: 'test/stalled-e5', timeoutMs: 300 })).catch((e: unknown) => e);
    // Let the blocked read finish (end of file) so no thread stays stuck on the pipe.
    closeSync(openSync(pipe, 'w'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(
      /Embedding model test\/stalled-e5 made no loading progress for 300 ms \(MODEL_LOAD_TIMEOUT_MS=300\)/,
    );
    expect((error as Error).message).toContain('raise MODEL_LOAD_TIMEOUT_MS');
  });
});

describe('loadEmbedder downloads', () => {
  let server: http.Server;
  let hubDir: string;
  const savedHost = env.remoteHost;

  beforeAll(async () => {
    // A stand-in for huggingface.co serving /<model>/resolve/main/<file> from a folder, in small
    // chunks so that progress events arrive.
    hubDir = path.join(root, 'hub');
    await makeTinyModel(hubDir, { name: 'remote/tiny-e5', vocabulary: [PASSAGE_A, PASSAGE_B] });
    // remote/stall-e5 sends part of its model and then nothing; remote/drop-e5 hangs up half way.
    await makeTinyModel(hubDir, { name: 'remote/stall-e5' });
    await makeTinyModel(hubDir, { name: 'remote/drop-e5' });
    server = http.createServer(async (req, res) => {
      const match = /^\/(.+)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
      const file = match ? path.join(hubDir, match[1]!, match[2]!) : '';
      const misbehave = match && match[2]!.endsWith('.onnx') ? /(stall|drop)-e5$/.exec(match[1]!)?.[1] : undefined;
      const body = match ? await readFile(file).catch(() => null) : null;
      if (!body) {
        res.writeHead(404).end('Entry not found');
        return;
      }
      res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' });
      for (let offset = 0; offset < body.length; offset += 4096) {
        if (misbehave && offset >= body.length / 2) {
          if (misbehave === 'drop') res.destroy();
          return; // stall: the client waits for the rest until its own timeout
        }
        res.write(body.subarray(offset, offset + 4096));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    env.remoteHost = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(async () => {
    env.remoteHost = savedHost;
    server?.closeAllConnections();
    server?.close();
  });

  it('downloads into the models folder once, reporting progress, and loads offline afterwards', async () => {
    const messages: string[] = [];
    const downloaded = await loadEmbedder(
      options({ model: 'remote/tiny-e5', allowDownloads: true, onProgress: (m) => messages.push(m) }),
    );
    expect(downloaded.dimension).toBe(32);
    const onnxFile = path.join(modelsDir, 'remote', 'tiny-e5', 'onnx', 'model_quantized.onnx');
    expect((await stat(onnxFile)).size).toBeGreaterThan(0);

    const modelMessages = messages.filter((m) => m.startsWith('Downloading remote/tiny-e5 onnx/model_quantized.onnx '));
    expect(modelMessages.length).toBeGreaterThan(1);
    expect(modelMessages.at(-1)).toBe('Downloading remote/tiny-e5 onnx/model_quantized.onnx 100%');
    for (const m of messages) expect(m).toMatch(/^Downloading remote\/tiny-e5 \S+ \d{1,3}%$/);
    // At most one message per file per 10%.
    const steps = modelMessages.map((m) => Math.floor(Number(/(\d+)%$/.exec(m)![1]) / 10));
    expect(new Set(steps).size).toBe(steps.length);

    // Next start-up, offline: the downloaded copy is found where it was saved.
    const offlineMessages: string[] = [];
    const offline = await loadEmbedder(
      options({ model: 'remote/tiny-e5', allowDownloads: false, onProgress: (m) => offlineMessages.push(m) }),
    );
    expect(offlineMessages).toEqual([]);
    expect(await offline.embedQuery(QUESTION_A)).toEqual(await downloaded.embedQuery(QUESTION_A));
  });

  it('explains a model the server does not have', async () => {
    const error = await loadEmbedder(options({ model: 'remote/no-such-model', allowDownloads: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('Embedding model remote/no-such-model is not in');
    expect(message).toContain('could not be downloaded');
    expect(message).toContain('EMBEDDING_MODEL');
  });

  it('explains a download that stops half way', async () => {
    const error = await loadEmbedder(options({ model: 'remote/drop-e5', allowDownloads: true })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain('Embedding model remote/drop-e5 is not in');
    expect(message).toContain('could not be downloaded');
    expect(message).toContain('Check the internet connection');
  });

  it('says the model was still downloading when the timeout hits', async () => {
    const error = await loadEmbedder(options({ model: 'remote/stall-e5', allowDownloads: true, timeoutMs: 500 })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    expect(message).toContain(
      'Embedding model remote/stall-e5 made no loading progress for 500 ms (MODEL_LOAD_TIMEOUT_MS=500)',
    );
    expect(message).toContain(`while downloading into ${path.join(modelsDir, 'remote', 'stall-e5')}`);
  });

  it('explains an unreachable download server', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const host = env.remoteHost;
    env.remoteHost = `http://127.0.0.1:${port}/`;
    try {
      const error = await loadEmbedder(options({ model: 'remote/elsewhere-e5', allowDownloads: true })).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain('could not be downloaded: fetch failed');
      expect(message).toContain('ECONNREFUSED');
      expect(message).toContain('Check the internet connection');
    } finally {
      env.remoteHost = host;
    }
  });
});
