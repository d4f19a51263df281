// One /synonym line: checked exactly as the synonyms file is read, and appended to the file's text. Written
// once for the engine (its own file) and for the central synonyms of several copies
// (cluster/central-settings.ts), so that both accept the same lines and store them the same way.
import type { SynonymUpdate } from '../engine-api.js';
import { Thesaurus } from './synonyms.js';

/** The refusal when there is no synonyms file to add to. */
export const NO_SYNONYMS_FILE: SynonymUpdate = {
  added: false,
  problem: 'no synonyms file is configured',
  problemKind: 'no-file',
  phrases: [],
};

/**
 * Checks an admin's line (one group): `text` is the line as it is stored (NFC, on one line), `update` the
 * answer for the admin — `added: true` with the phrases when the line is a group, otherwise why not.
 */
export function checkSynonymLine(line: string): { text: string; update: SynonymUpdate } {
  const text = line
    .normalize('NFC')
    .replace(/[\r\n]+/g, ' ')
    .trim();
  const refuse = (problem: string, problemKind: SynonymUpdate['problemKind']) => ({
    text,
    update: { added: false, problem, problemKind, phrases: [] },
  });
  const check = new Thesaurus();
  const [issue] = check.add(text);
  if (issue) return refuse(issue.message, issue.kind);
  // An empty line or a comment parses without issue but adds no group.
  if (check.size !== 1) return refuse('no group in the line', 'one-phrase');
  const phrases = text
    .replace('=', ',')
    .split(',')
    .map((p) => p.trim());
  return { text, update: { added: true, problem: null, problemKind: null, phrases } };
}

/**
 * What to append to a synonyms file's `existing` text to add the line `text`: a file without a final
 * newline must not have the new group glued to its last line.
 */
export function synonymLineSuffix(existing: string, text: string): string {
  return `${existing && !existing.endsWith('\n') ? '\n' : ''}${text}\n`;
}
