// Structured logs: one JSON object per line on stderr (stdout belongs to `ask --json`). Anything that
// looks like a bot token is masked, whatever path it took into a message.
type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const TOKEN_PATTERN = /\d{5,}:[A-Za-z0-9_-]{30,}/g;

let threshold: Level = (process.env.LOG_LEVEL as Level) in ORDER ? (process.env.LOG_LEVEL as Level) : 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function setLogLevel(level: Level): void {
  threshold = level;
}

/** Tests capture log lines here. */
export function setLogSink(write: (line: string) => void): void {
  sink = write;
}

export function redactSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, '<redacted-token>');
}

function emit(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const record = { time: new Date().toISOString(), level, msg, ...fields };
  const line = JSON.stringify(record, (_key, value) => (value instanceof Error ? value.message : value));
  sink(redactSecrets(line));
}

export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => emit('debug', msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => emit('info', msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => emit('warn', msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => emit('error', msg, fields),
};
