// A database that is down fails every statement; one warning when that starts and one line when it ends
// say as much as a warning per statement, without flooding the log. Every failure is still counted.
import { describeError } from '../errors.js';
import { log } from '../log.js';

/** Counts every failure through `onDatabaseError`, and logs only the start and end of an outage. */
export class FailureLog {
  private failing = false;

  constructor(
    /** What fails, for the log lines ("rate limit", "button answers"). */
    private readonly what: string,
    private readonly onDatabaseError?: (op: string) => void,
  ) {}

  failed(op: string, error: unknown): void {
    this.onDatabaseError?.(op);
    if (!this.failing) log.warn(`${this.what}: database failed`, { op, error: describeError(error) });
    this.failing = true;
  }

  succeeded(): void {
    if (this.failing) log.info(`${this.what}: the database answers again`);
    this.failing = false;
  }
}
