// Synonym groups: the built-in thesaurus plus the admins' own file. A question that uses one phrase of
// a group also searches for the other phrases, weighted below its own words (see analyse.ts).
//
// The admins' file (SYNONYMS_FILE, default `synonyms.txt` in the corpus folder, never indexed as a
// report) has one group per line, phrases separated by commas; "=" may stand for the first comma:
//
//     # lines starting with # are comments
//     yếu kém = hạn chế, tồn tại, bất cập
//     nhà văn hóa, nhà sinh hoạt cộng đồng
//
// Groups are not chained: a phrase in two groups brings the members of both, and nothing further, so
// a cycle ("a = b" and "b = a") is harmless. A bad line is reported with its number and skipped; the
// rest loads.
import { promises as fs } from 'node:fs';
import { foldDiacritics } from '../text/normalize.js';
import { syllables } from '../text/tokenize.js';
import { BUILT_IN_THESAURUS } from './thesaurus.vi.js';
import { describeError } from '../errors.js';

/** A phrase of a group, as folded lower-case syllables. */
type Phrase = string[];

/** A phrase as written in the group (lower case, with its accents) and folded. */
interface Entry {
  phrase: Phrase;
  written: string[];
  group: number;
}

/** Why a synonyms line was refused; the bot words each kind in Vietnamese for the admin. */
export type SynonymProblemKind =
  | 'line-too-long'
  | 'not-text'
  | 'empty-entry'
  | 'no-letters'
  | 'phrase-too-long'
  | 'one-phrase';

/** A problem in a synonyms file, for the admin: which line and why (`message` in English, for logs). */
export interface SynonymIssue {
  line: number;
  kind: SynonymProblemKind;
  message: string;
}

/** Longest phrase accepted, in syllables: longer ones are sentences, not synonyms. */
const MAX_PHRASE_SYLLABLES = 8;
/** Longest line accepted, in characters. */
const MAX_LINE_CHARS = 1000;
/** Largest synonyms file read, in bytes (100,000 short groups fit comfortably). */
export const MAX_SYNONYMS_BYTES = 8 * 1024 * 1024;

/** An abbreviation as a group writes it: capitals and digits, perhaps joined by "-" ("UBND", "KT-XH", "TW4"). */
const ABBREVIATION = /^(?=(?:[^\p{Lu}]*\p{Lu}){2})[\p{Lu}\p{N}]+(?:-[\p{Lu}\p{N}]+)*$/u;

/** The first letters of a phrase's syllables, folded: "an ninh trật tự" → "antt". */
const initials = (phrase: string) =>
  syllables(phrase)
    .map((w) => foldDiacritics(w.toLowerCase())[0])
    .join('');

/** A phrase found in a question and the other phrases of its groups. */
export interface SynonymMatch {
  /** Where the phrase starts in the question's syllables, and how many it spans. */
  start: number;
  length: number;
  /** The other phrases of the phrase's groups (folded syllables), each a way to say the same. */
  alternatives: Phrase[];
}

/** Synonym groups, found in a question by phrase (see the file header); built-in and admins' groups alike. */
export class Thesaurus {
  /** First folded syllable → the phrases starting with it, each with the index of its group. */
  private readonly byFirstSyllable = new Map<string, Entry[]>();
  private readonly groups: Phrase[][] = [];
  /** Abbreviations written in capitals in a group ("ANTT", "KT-XH"), lower-cased → the phrase they abbreviate. */
  private readonly spelledOut = new Map<string, string>();

  /** Groups parsed from `text` in the synonyms format; problems are returned, not thrown. */
  add(text: string): SynonymIssue[] {
    const issues: SynonymIssue[] = [];
    const lines = text.split(/\r?\n/);
    lines.forEach((raw, i) => {
      const problem = this.addLine(raw);
      if (problem) issues.push({ line: i + 1, ...problem });
    });
    return issues;
  }

  /** Adds one line; returns why it was skipped, or null. */
  private addLine(raw: string): { kind: SynonymProblemKind; message: string } | null {
    const refuse = (kind: SynonymProblemKind, message: string) => ({ kind, message });
    const line = raw.normalize('NFC').trim();
    if (line === '' || line.startsWith('#')) return null;
    if (line.length > MAX_LINE_CHARS) return refuse('line-too-long', `line longer than ${MAX_LINE_CHARS} characters`);
    if (/[\u0000-\u0008\u000E-\u001F\uFFFD]/.test(line))
      return refuse('not-text', 'not text (control or undecodable characters)');
    const parts = line
      .replace('=', ',')
      .split(',')
      .map((p) => p.trim());
    if (parts.some((p) => p === ''))
      return refuse('empty-entry', 'empty entry (two commas in a row, or a comma at an end)');
    const entries: { phrase: Phrase; written: string[] }[] = [];
    for (const part of parts) {
      const written = syllables(part);
      const words = written.map(foldDiacritics);
      if (words.length === 0) return refuse('no-letters', `"${part}" has no letters or digits`);
      if (words.length > MAX_PHRASE_SYLLABLES)
        return refuse('phrase-too-long', `"${part}" is longer than ${MAX_PHRASE_SYLLABLES} words`);
      if (!entries.some((e) => e.written.join(' ') === written.join(' '))) entries.push({ phrase: words, written });
    }
    if (new Set(entries.map((e) => e.phrase.join(' '))).size < 2)
      return refuse('one-phrase', 'a group needs at least two different phrases, separated by commas');
    const group = this.groups.push(entries.map((e) => e.phrase)) - 1;
    // An abbreviation is written out only as the phrase whose initials it is ("ANTT": an ninh trật tự),
    // not as any member of its group ("GDP" is no "giá trị sản xuất").
    for (const part of parts) {
      const key = part.toLowerCase();
      if (!ABBREVIATION.test(part) || this.spelledOut.has(key)) continue;
      const full = parts.find((p) => !ABBREVIATION.test(p) && initials(p) === foldDiacritics(key).replace(/-/g, ''));
      if (full) this.spelledOut.set(key, full);
    }
    for (const { phrase, written } of entries) {
      const list = this.byFirstSyllable.get(phrase[0]!) ?? [];
      list.push({ phrase, written, group });
      this.byFirstSyllable.set(phrase[0]!, list);
    }
    return null;
  }

  get size(): number {
    return this.groups.length;
  }

  /**
   * The full phrase an abbreviation stands for ("antt" → "an ninh trật tự"): the phrase of a group that
   * writes it in capitals whose initials it is; null for any other word.
   */
  spellOut(word: string): string | null {
    return this.spelledOut.get(word.toLowerCase()) ?? null;
  }

  /** Whether some phrase starts with this folded syllable ("bch", "gtsx"): a word to leave uncorrected. */
  startsPhrase(folded: string): boolean {
    return this.byFirstSyllable.has(folded);
  }

  /**
   * The group phrases found in a question, longest first and not overlapping, each with the other
   * phrases of its groups. `typed`: the question's lower-case syllables as typed; `folded`: the same
   * without diacritics. A syllable typed with diacritics must match the phrase's accents; one typed
   * without matches any. A one-syllable phrase must be typed with its accents: folded, a lone syllable
   * is too ambiguous ("cho" is cho, chợ and chó).
   */
  match(typed: string[], folded: string[]): SynonymMatch[] {
    const out: SynonymMatch[] = [];
    for (let i = 0; i < folded.length; ) {
      let best: { length: number; groups: Set<number> } | null = null;
      for (const { phrase, written, group } of this.byFirstSyllable.get(folded[i]!) ?? []) {
        if (!startsAt(folded, i, phrase) || !accentsAgree(typed, i, written)) continue;
        if (!best || phrase.length > best.length) best = { length: phrase.length, groups: new Set([group]) };
        else if (phrase.length === best.length) best.groups.add(group);
      }
      if (!best) {
        i++;
        continue;
      }
      const own = folded.slice(i, i + best.length).join(' ');
      const seen = new Set([own]);
      const inside = ` ${own} `;
      const alternatives: Phrase[] = [];
      for (const g of best.groups) {
        for (const phrase of this.groups[g]!) {
          const key = phrase.join(' ');
          // A part of the phrase itself ("bí thư" of "Bí thư Quận ủy") is no other way to say it.
          if (seen.has(key) || inside.includes(` ${key} `)) continue;
          seen.add(key);
          alternatives.push(phrase);
        }
      }
      out.push({ start: i, length: best.length, alternatives });
      i += best.length;
    }
    return out;
  }
}

function accentsAgree(typed: string[], at: number, written: string[]): boolean {
  for (let j = 0; j < written.length; j++) {
    const word = typed[at + j]!;
    const bare = foldDiacritics(word) === word;
    if (bare ? written.length === 1 && foldDiacritics(written[j]!) !== written[j] : word !== written[j]) return false;
  }
  return true;
}

function startsAt(words: string[], at: number, phrase: Phrase): boolean {
  if (at + phrase.length > words.length) return false;
  for (let j = 0; j < phrase.length; j++) if (words[at + j] !== phrase[j]) return false;
  return true;
}

let builtIn: Thesaurus | null = null;

/** The built-in thesaurus alone (parsed once). */
export function builtInThesaurus(): Thesaurus {
  if (!builtIn) {
    builtIn = new Thesaurus();
    const issues = builtIn.add(BUILT_IN_THESAURUS);
    // The built-in list is ours: a bad line is a bug, caught by the tests.
    if (issues.length) throw new Error(`built-in thesaurus line ${issues[0]!.line}: ${issues[0]!.message}`);
  }
  return builtIn;
}

/** What loading the admins' synonyms file gave: the thesaurus to use and what was skipped. */
export interface LoadedSynonyms {
  thesaurus: Thesaurus;
  /** Groups from the admins' file. */
  fileGroups: number;
  issues: SynonymIssue[];
  /** Why the file as a whole was not read (too big, binary), or null. Missing is not a problem. */
  fileError: string | null;
}

/** The built-in groups plus the admins' file at `file` (absent: built-in only). */
export async function loadSynonyms(file: string | null): Promise<LoadedSynonyms> {
  const thesaurus = new Thesaurus();
  thesaurus.add(BUILT_IN_THESAURUS);
  const builtInGroups = thesaurus.size;
  if (!file) return { thesaurus, fileGroups: 0, issues: [], fileError: null };
  let bytes: Buffer;
  try {
    const stat = await fs.stat(file);
    if (stat.size > MAX_SYNONYMS_BYTES) {
      return {
        thesaurus,
        fileGroups: 0,
        issues: [],
        fileError: `larger than ${MAX_SYNONYMS_BYTES / 1024 / 1024} MB; not read`,
      };
    }
    bytes = await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { thesaurus, fileGroups: 0, issues: [], fileError: null };
    return { thesaurus, fileGroups: 0, issues: [], fileError: `unreadable: ${describeError(error)}` };
  }
  if (bytes.includes(0))
    return { thesaurus, fileGroups: 0, issues: [], fileError: 'not a text file (binary content); not read' };
  const issues = thesaurus.add(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''));
  return { thesaurus, fileGroups: thesaurus.size - builtInGroups, issues, fileError: null };
}
