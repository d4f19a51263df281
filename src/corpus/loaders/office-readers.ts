// The readers office-worker.mjs runs off the main thread.
import { parseDoc } from './doc.js';
import type { ParsedFile } from './detect.js';
import { parseXlsx } from './xlsx.js';

export type OfficeKind = 'doc' | 'xlsx';

export async function readOffice(kind: OfficeKind, bytes: Buffer): Promise<ParsedFile & { truncated?: boolean }> {
  return kind === 'doc' ? parseDoc(bytes) : parseXlsx(bytes);
}
