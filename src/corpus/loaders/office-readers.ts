// The readers office-worker.mjs runs off the main thread.
import { parseDoc } from './doc.js';
import type { ParsedFile } from './detect.js';
import { parseXlsx } from './xlsx.js';

/** The formats read in the office worker. */
export type OfficeKind = 'doc' | 'xlsx';

/** Reads a .doc or .xlsx file; called inside the worker thread only. */
export async function readOffice(kind: OfficeKind, bytes: Buffer): Promise<ParsedFile & { truncated?: boolean }> {
  return kind === 'doc' ? parseDoc(bytes) : parseXlsx(bytes);
}
