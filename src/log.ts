// Logs on stderr (stdout belongs to `ask --json`): one JSON object per line for a service manager or a
// pipe, a short readable line for a person at a terminal. Anything that looks like a bot token is masked
// in the final line, whatever path it took into a message. Hand-written rather than pino: it is small,
// synchronous (the last line before an exit is never lost in a buffer) and needs no worker thread for
// the readable form.

import { AsyncLocalStorage } from 'node:async_hooks';

/** Log levels, lowest first; lines below the threshold are not written. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
/** 'auto': readable when stderr is a terminal, JSON otherwise. */
export type LogFormat = 'auto' | 'json' | 'pretty';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TOKEN_PATTERN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

const toStderr = (line: string) => {
  process.stderr.write(line + '\n');
};
// Until the settings are read (LOG_LEVEL, LOG_FORMAT in config.ts), info and up, format by the terminal.
let threshold: Level = 'info';
let format: LogFormat = 'auto';
let sink: (line: string) => void = toStderr;

/** Sets the lowest level written (LOG_LEVEL), once the settings are read. */
export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Sets JSON or readable lines (LOG_FORMAT), once the settings are read. */
export function setLogFormat(chosen: LogFormat): void {
  format = chosen;
}

/** Tests capture log lines here; a captured line is JSON unless the format is set to 'pretty'. */
export function setLogSink(write: (line: string) => void): void {
  sink = write;
}

function readable(): boolean {
  return format === 'pretty' || (format === 'auto' && sink === toStderr && process.stderr.isTTY === true);
}

/** "12:03:04 WARN  model unavailable  reason=… file=…": the fields after the message, strings quoted when spaced. */
function prettyLine(record: { time: string; level: Level; msg: string } & Record<string, unknown>): string {
  const { time, level, msg, ...fields } = record;
  const parts = Object.entries(fields).map(([key, value]) => {
    const text =
      typeof value === 'string' ? value : JSON.stringify(value, (_k, v) => (v instanceof Error ? v.message : v));
    return `${key}=${typeof value === 'string' && /[\s"=]/.test(text) ? JSON.stringify(text) : text}`;
  });
  return `${time.slice(11, 19)} ${level.toUpperCase().padEnd(5)} ${msg}${parts.length ? '  ' + parts.join(' ') : ''}`;
}

/** Masks anything shaped like a bot token, so that no log line or error output leaks one. */
export function redactSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, '<redacted-token>');
}

/** Set while work whose info and debug lines would only be noise runs (the start-up warm-up's made-up questions). */
const belowWarnSilenced = new AsyncLocalStorage<true>();

/** Silenced tasks still running; the storage is disabled when none is. */
let silencedTasks = 0;

/**
 * Runs `task` with its debug and info lines (and those of everything it starts before it settles) left
 * out; warnings still show.
 */
export function withoutInfoLogs<T>(task: () => Promise<T>): Promise<T> {
  silencedTasks++;
  return belowWarnSilenced.run(true, task).finally(() => {
    // While an AsyncLocalStorage is enabled Node runs a hook for every promise of the process: left on
    // after the start-up warm-up, it cost each update served afterwards.
    if (--silencedTasks === 0) belowWarnSilenced.disable();
  });
}

function emit(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[threshold]) return;
  if (ORDER[level] < ORDER.warn && belowWarnSilenced.getStore()) return;
  const record = { time: new Date().toISOString(), level, msg, ...fields };
  const line = readable()
    ? prettyLine(record)
    : JSON.stringify(record, (_key, value) => (value instanceof Error ? value.message : value));
  sink(redactSecrets(line));
}

/** The logger: one structured line per call, with the fields after the message. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => emit('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => emit('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => emit('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => emit('error', msg, fields),
};
