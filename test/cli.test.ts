// The command line as other tools use it: `ask --json` prints exactly one JSON object per question, in
// input order, and nothing else on stdout; logs and progress go to stderr.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempWorkspace, type TempWorkspace } from './fixtures/temp-corpus.js';
import { BUDGET_QUESTION } from './fixtures/seed-report.js';

const exec = promisify(execFile);
let ws: TempWorkspace;

beforeAll(async () => {
  ws = await tempWorkspace();
});
afterAll(() => ws.cleanup());

function run(args: string[], input?: string, env: Record<string, string> = {}) {
  const child = exec('npx', ['tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, SEARCH_MODE: 'lexical', LOG_LEVEL: 'info', ...env },
    maxBuffer: 20 * 1024 * 1024,
  });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  return child;
}

describe('ask --json', () => {
  it('prints one object per stdin line, in order, with the documented fields', async () => {
    const questions = [BUDGET_QUESTION, 'muc tieu thu ngan sach cuoi nam', 'Thời tiết ngày mai thế nào?', ''];
    const { stdout, stderr } = await run(
      ['ask', '--json', '--k', '2', '--corpus', ws.corpusDir, '--index', ws.indexDir],
      questions.join('\n') + '\n',
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(questions.length);
    const results = lines.map((l) => JSON.parse(l));
    expect(results.map((r) => r.question)).toEqual(questions);
    for (const r of results) {
      // The contract's four fields first, in its order; then the extensions (README, `ask --json`).
      expect(Object.keys(r)).toEqual(['question', 'answered', 'answer', 'passages', 'citation', 'reason', 'analysis']);
      expect(r.passages.length).toBeLessThanOrEqual(2);
      for (const p of r.passages) {
        expect(Object.keys(p).sort()).toEqual(['score', 'section', 'source', 'text', 'title']);
        expect(typeof p.score).toBe('number');
      }
    }
    expect(results[0]).toMatchObject({ answered: true });
    expect(results[0].answer).toContain('vượt từ 15% trở lên so với dự toán');
    expect(results[0].passages[0].title).toBe('Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ');
    expect(results[1].answer).toBe(results[0].answer);
    expect(results[0]).toMatchObject({
      reason: null,
      citation: { title: 'Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ', date: '2018' },
    });
    expect(results[0].analysis).toMatchObject({ type: 'quantity' });
    expect(results[2]).toMatchObject({ answered: false, answer: '', citation: null });
    expect(results[2].reason).toMatch(/below-threshold|no-match/);
    expect(results[3]).toMatchObject({ answered: false, passages: [] });
    // The index was built first (the folder had none), and said so on stderr only.
    expect(stderr).toContain('index built');
  });

  it('answers a question given as an argument in plain text, with the citation', async () => {
    const { stdout } = await run([
      'ask',
      '--corpus',
      ws.corpusDir,
      '--index',
      ws.indexDir,
      'Thu ngân sách cuối năm vượt bao nhiêu?',
    ]);
    expect(stdout).toContain('vượt từ 15% trở lên');
    expect(stdout).toContain('Nguồn: Báo cáo 6 tháng đầu năm 2018, quận Cẩm Lệ');
  });

  it('stays clean under `npm run --silent`', async () => {
    const { stdout } = await exec(
      'npm',
      [
        'run',
        '--silent',
        'ask',
        '--',
        '--json',
        '--corpus',
        ws.corpusDir,
        '--index',
        ws.indexDir,
        'Chỉ thị 21 ban hành ngày nào?',
      ],
      {
        env: { ...process.env, SEARCH_MODE: 'lexical' },
      },
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!).answered).toBe(true);
  });
});

describe('errors are one readable line', () => {
  it('a missing corpus folder', async () => {
    const missing = path.join(ws.root, 'no-such-folder');
    await expect(
      run(['ask', '--json', '--corpus', missing, '--index', path.join(ws.root, 'idx2'), 'xin chào']),
    ).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/error: Corpus folder .*no-such-folder does not exist/),
    });
  });

  it('a bad setting', async () => {
    const error = await run(['ask', 'x'], undefined, { SEARCH_MODE: 'fast' }).catch((e) => e);
    expect(error.code).toBe(1);
    expect(error.stderr.trim().split('\n')).toEqual([
      'error: Setting SEARCH_MODE must be hybrid, lexical or vector. Fix it in .env (see .env.example).',
    ]);
  });

  it('index reports a summary with skipped files', async () => {
    await writeFile(path.join(ws.corpusDir, 'hong.pdf'), '%PDF-1.4 garbage');
    const { stderr } = await run(['index', '--corpus', ws.corpusDir, '--index', ws.indexDir]);
    expect(stderr).toMatch(/Indexed 1 documents, \d+ passages/);
    expect(stderr).toContain('skipped hong.pdf');
  });
});
