// Logs: JSON for machines, a readable line for a person, the token masked in both.
import { afterEach, describe, expect, it } from 'vitest';
import { log, setLogFormat, setLogLevel, setLogSink } from '../src/log.js';

const TOKEN = '123456789:AAHfakeTokenForTestsOnly_abcdefghijklmnop';
const lines: string[] = [];

afterEach(() => {
  lines.length = 0;
  setLogFormat('auto');
  setLogLevel('info');
});

describe('log lines', () => {
  it('are JSON objects when captured, with the fields, and the token masked', () => {
    setLogSink((line) => lines.push(line));
    log.warn('polling failed', { reason: `401 for bot${TOKEN}`, attempt: 2 });
    const record = JSON.parse(lines[0]!);
    expect(record).toMatchObject({ level: 'warn', msg: 'polling failed', attempt: 2 });
    expect(lines[0]).not.toContain(TOKEN);
    expect(record.reason).toContain('<redacted-token>');
  });

  it('read as one short line in the pretty format, spaced strings quoted, the token masked', () => {
    setLogSink((line) => lines.push(line));
    setLogFormat('pretty');
    log.info('index loaded', { passages: 57, file: 'a b.txt', token: TOKEN });
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d INFO {2}index loaded {2}passages=57 file="a b\.txt" token=<redacted-token>$/,
    );
  });

  it('below the level are not written', () => {
    setLogSink((line) => lines.push(line));
    setLogLevel('warn');
    log.info('quiet');
    log.error('loud', { error: new Error('disk full') });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', error: 'disk full' });
  });
});
