// One way to turn whatever was thrown into a line for a log or a person: a thrown string or a plain
// object must not print "undefined".

/** The message of an Error, or the thrown value as text. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
