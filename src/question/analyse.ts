// A question is analysed once, into an AnalysedQuestion that search, answer selection and abstention
// all read: nothing downstream tokenises the question again.
//
//   raw text → normalised, cut → typos corrected → syllables (typed and folded)
//            → interrogative cues → answer form (kind + unit), time references
//            → content terms (cues and function words out) weighted by corpus rarity
//            → synonym phrases → alternatives for coverage, extra search terms at a lower weight
import { foldDiacritics, normalizeLine, sliceWhole } from '../text/normalize.js';
import { foldSyllable, hasDiacritics, phrases, terms as indexTerms } from '../text/tokenize.js';
import { fillerPositions, isStopword } from '../text/stopwords.js';
import { cueSpans, detectAnswerForm, type AnswerForm } from './question-type.js';
import { findTimeReferences, resolveYears, type TimeReferences } from './time-references.js';
import type { Thesaurus } from './synonyms.js';
import { expandChatWords } from './chat-words.js';
import { questionIntent, type Intent } from './intent.js';

/** Search terms from synonyms weigh this much of the question's own words in ranking. */
export const SYNONYM_WEIGHT = 0.5;

/** A term for the lexical index, in its index form ("f:ngan_sach", "a:ngân_sách"), with its weight. */
export interface SearchTerm {
  term: string;
  weight: number;
}

/** One of the question's content terms, as matched against a passage or sentence. */
export interface ContentTerm {
  /** Unigram ("mục", "muc") or bigram ("ngân_sách"), in the form it must be matched (see textTerms). */
  term: string;
  folded: string;
  /** Rarity in the serving corpus (idf of the folded term). */
  weight: number;
  /**
   * Other ways to say the phrase this term belongs to (synonyms), each a list of folded terms that must
   * all be present. A text with one of them covers this term too.
   */
  alternatives: string[][];
  /**
   * A text without this term is about someone else, however much else it shares: "phó_bí" of "phó bí
   * thư là ai" (a sentence naming the bí thư does not answer).
   */
  required?: boolean;
  /**
   * The name of a place the question asks about ("hòa_xuân" of "phường Hòa Xuân"): a passage whose
   * document never names it is about elsewhere. Its sentences need not repeat it.
   */
  place?: boolean;
}

/** The question, understood once. */
export interface AnalysedQuestion {
  /** As the user typed it. */
  raw: string;
  /** Normalised (NFC, one line) and cut to the searched length. */
  text: string;
  /** `text` with syllables no passage contains replaced by the nearest one that does. */
  corrected: string;
  /** Syllables the spelling correction changed, "from → to". */
  corrections: { from: string; to: string }[];
  /** What the answer must be: a person, a quantity (with its unit), a date… */
  form: AnswerForm;
  /** Years and periods named, and the years they resolve to against the newest report. */
  time: TimeReferences & { resolvedYears: number[] };
  /** Terms the lexical index searches for, the question's own and its synonyms'. */
  searchTerms: SearchTerm[];
  /** Terms that decide coverage and excerpt choice. */
  contentTerms: ContentTerm[];
  /** The synonym phrases found and what they added, for logs and `ask --json`. */
  synonyms: { phrase: string; added: string[] }[];
  /** Whether the question is about the district itself (quận, phường, the district's name). */
  aboutDistrict: boolean;
  /** Syllables written as proper names ("Mác" in "Các Mác sinh ở đâu?"), lower-cased. */
  names: string[];
  /** Whether it asks for a target ("mục tiêu", "phấn đấu") or what was achieved ("đạt", "đã"), or neither. */
  intent: Intent;
}

/** What the analysis needs from the serving corpus. */
export interface QuestionContext {
  /** idf of a folded term ("ngan", "ngan_sach") in the serving corpus. */
  idf(foldedTerm: string): number;
  /** Whether some passage contains the folded term. */
  occurs?(foldedTerm: string): boolean;
  /** The question with unknown syllables corrected to corpus syllables. */
  correctSpelling(text: string): string;
  thesaurus: Thesaurus;
  /** Year of the newest dated report, for "năm nay" / "năm ngoái". */
  newestYear: number | null;
  /** Folded names of the places the reports are about ("cam le"), as syllables. */
  placeNames: string[][];
}

/** Words that make a question about the district itself, typed with diacritics. */
const DISTRICT_WORDS = new Set(['quận', 'huyện', 'phường', 'xã', 'quận ủy', 'ubnd']);

/** Analyses `raw` (at most `maxChars` characters are kept). */
export function analyseQuestion(raw: string, context: QuestionContext, maxChars = 1000): AnalysedQuestion {
  const text = sliceWhole(normalizeLine(raw), maxChars);
  const expanded = spellOutAbbreviations(expandChatWords(text), context);
  const corrected = keepThesaurusWords(expanded, context.correctSpelling(expanded), context.thesaurus);
  const typedPhrases = phrases(corrected);
  const typed = typedPhrases.flat();
  const folded = typed.map(foldSyllable);
  const corrections = spellingChanges(text, corrected);

  const phraseStarts = new Set<number>();
  typedPhrases.reduce((start, phrase) => {
    phraseStarts.add(start);
    return start + phrase.length;
  }, 0);
  const form = detectAnswerForm(typed, folded, phraseStarts);
  // The question's frame, not its topic: the interrogatives and the filler phrases.
  const frame = new Array<boolean>(typed.length).fill(false);
  for (const span of cueSpans(typed, folded)) for (let j = 0; j < span.length; j++) frame[span.start + j] = true;
  for (const at of fillerPositions(folded)) frame[at] = true;

  const matches = context.thesaurus.match(typed, folded);
  const { alternativesAt, synonyms } = synonymsOf(matches, folded);
  const time = findTimeReferences(folded);
  const names = properNames(corrected);
  return {
    raw,
    text,
    corrected,
    corrections,
    form,
    time: { ...time, resolvedYears: resolveYears(time.years, context.newestYear) },
    searchTerms: searchTermsOf(corrected, matches),
    contentTerms: howToProcedure(
      folded,
      contentTermsOf(typedPhrases, folded, frame, alternativesAt, new Set(names), context),
    ),
    synonyms,
    aboutDistrict: mentionsDistrict(typed, folded, context.placeNames),
    names,
    intent: questionIntent(folded),
  };
}

type SynonymMatch = ReturnType<Thesaurus['match']>[number];

/** Per syllable, the required terms of each alternative its synonym phrase offers; and the phrases matched. */
function synonymsOf(
  matches: SynonymMatch[],
  folded: string[],
): { alternativesAt: string[][][]; synonyms: AnalysedQuestion['synonyms'] } {
  const alternativesAt = new Array<string[][]>(folded.length).fill([]);
  const synonyms: AnalysedQuestion['synonyms'] = [];
  for (const m of matches) {
    const required = m.alternatives.map(requiredTerms);
    for (let j = 0; j < m.length; j++) alternativesAt[m.start + j] = required;
    const phrase = folded.slice(m.start, m.start + m.length).join(' ');
    if (!synonyms.some((s) => s.phrase === phrase))
      synonyms.push({ phrase, added: m.alternatives.map((p) => p.join(' ')) });
  }
  return { alternativesAt, synonyms };
}

/**
 * Content terms: every syllable that is neither a function word nor part of the frame (interrogatives,
 * filler phrases), and the bigrams of neighbouring content syllables. A bigram is matched with its
 * accents only when both of its syllables carry them; otherwise on its folded form.
 */
function contentTermsOf(
  typedPhrases: string[][],
  folded: string[],
  frame: boolean[],
  alternativesAt: string[][][],
  names: ReadonlySet<string>,
  context: QuestionContext,
): ContentTerm[] {
  const content = new Map<string, ContentTerm>();
  const typed = typedPhrases.flat();
  // Positions of a synonym phrase share its alternatives: the phrase is the run with the same array.
  const onlyFunctionWords = (j: number): boolean => {
    const alternatives = alternativesAt[j]!;
    if (alternatives.length === 0) return false;
    for (let k = 0; k < typed.length; k++)
      if (alternativesAt[k] === alternatives && !isStopword(typed[k]!)) return false;
    return true;
  };
  let offset = 0;
  for (const phrase of typedPhrases) {
    for (let i = 0; i < phrase.length; i++) {
      const at = offset + i;
      const word = phrase[i]!;
      const alternatives = alternativesAt[at]!;
      // A synonym phrase made only of function words is content all the same ("việc làm": jobs).
      if (frame[at] || (isStopword(word) && !onlyFunctionWords(at))) continue;
      if (!content.has(word))
        content.set(word, { term: word, folded: folded[at]!, weight: context.idf(folded[at]!), alternatives });
      // "phường Hòa Xuân": a named place the reports must name.
      if (namesPlace(phrase, i, names)) {
        const term = bigramTerm(phrase[i]!, phrase[i + 1]!, folded, at + 1);
        content.set(term.term, { ...term, weight: context.idf(term.folded), alternatives: [], place: true });
      }
      // "phó bí": the title's deputy, not a "phó" (or folded, "phố") anywhere in the text.
      if (changesReferent(phrase, i)) {
        const term = bigramTerm(phrase[i]!, phrase[i + 1]!, folded, at + 1);
        content.set(term.term, { ...term, weight: context.idf(term.folded), alternatives: [], required: true });
      }
      const previous = phrase[i - 1];
      if (previous === undefined || frame[at - 1] || (isStopword(previous) && !onlyFunctionWords(at - 1))) continue;
      const { term, folded: bigramFolded } = bigramTerm(previous, word, folded, at);
      // A bigram inside one synonym phrase shares its alternatives; one that straddles two does not.
      const shared = alternativesAt[at - 1] === alternatives ? alternatives : [];
      if (!content.has(term))
        content.set(term, {
          term,
          folded: bigramFolded,
          weight: straddlesWords(folded, at, i > 1 && i < phrase.length - 1, context) ? 0 : context.idf(bigramFolded),
          alternatives: shared,
        });
    }
    offset += phrase.length;
  }
  return [...content.values()];
}

/** Nouns of an administrative procedure, folded. */
const PROCEDURE_NOUNS = new Set(['thu_tuc', 'giay_to', 'ho_so', 'giay_phep']);
/** Words that make a question about a procedure ask how to carry it out (not "cải cách": reform). */
const HOW_TO = / (?:can|muon|phai|lam sao|dang ky|xin|cach (?:lam|nao|thuc)|lam cach) /;

/**
 * "Đăng ký hộ kinh doanh cần giấy tờ gì?", "thủ tục xin phép xây dựng": how to carry out a procedure. A
 * sentence must name the procedure itself ("hồ sơ", "thủ tục"): through its synonyms it would be one
 * on administrative reform, which does not say how. "Thủ tục còn rườm rà không?" is no such question.
 */
function howToProcedure(folded: string[], terms: ContentTerm[]): ContentTerm[] {
  if (!HOW_TO.test(` ${folded.join(' ')} `)) return terms;
  return terms.map((t) => (PROCEDURE_NOUNS.has(t.folded) ? { ...t, alternatives: [], required: true } : t));
}

/** The bigram ending at `at`: matched with its accents only when both syllables carry them. */
function bigramTerm(previous: string, word: string, folded: string[], at: number): { term: string; folded: string } {
  const bigramFolded = folded[at - 1] + '_' + folded[at];
  return {
    term: hasDiacritics(previous) && hasDiacritics(word) ? previous + '_' + word : bigramFolded,
    folded: bigramFolded,
  };
}

/** Nouns a place's name follows: "phường Hòa Xuân", "quận Hải Châu", "đường Trường Chinh". */
const PLACE_NOUNS = new Set(['phường', 'xã', 'quận', 'huyện', 'tỉnh', 'thôn', 'đường', 'phố']);

/** Who is asking, in "mình ở phường Hòa Thọ Đông, muốn hỏi…": where they live is not what they ask. */
const ASKER = new Set(['tôi', 'mình', 'em', 'tui', 'cháu', 'nhà', 'tao', 'toi', 'minh', 'chau']);

/**
 * Whether the syllables at `i` and `i + 1` name a place the question asks about: capitalised as typed,
 * after a place noun, and not where the asker says they live.
 */
function namesPlace(phrase: string[], i: number, names: ReadonlySet<string>): boolean {
  const next = phrase[i + 1];
  if (i === 0 || !PLACE_NOUNS.has(phrase[i - 1]!) || next === undefined) return false;
  if (!names.has(phrase[i]!) || !names.has(next)) return false;
  const before = phrase.slice(Math.max(0, i - 4), i - 1);
  return !before.some((w) => ASKER.has(w));
}

/** Syllables that start a title: "bí thư", "chủ tịch", "giám đốc", "trưởng phòng", "thủ tướng". */
const TITLE_STARTS = new Set(['bi', 'chu', 'giam', 'truong', 'thu', 'ban', 'tong', 'chanh', 'hieu']);

/**
 * Whether the syllable at `i` makes the title after it another person: "phó" (deputy), "cựu" (former)
 * before "bí thư", "chủ tịch"… (folded "pho" is also phố: it counts only there too).
 */
function changesReferent(phrase: string[], i: number): boolean {
  const word = phrase[i]!;
  const next = phrase[i + 1];
  if (next === undefined || !TITLE_STARTS.has(foldSyllable(next))) return false;
  return word === 'phó' || word === 'cựu' || word === 'pho';
}

/** The index terms searched for: the question's own at weight 1, its synonyms' at SYNONYM_WEIGHT. */
function searchTermsOf(corrected: string, matches: SynonymMatch[]): SearchTerm[] {
  const searchTerms = new Map<string, number>();
  for (const term of indexTerms(corrected, { accented: hasDiacritics(corrected) })) searchTerms.set(term, 1);
  for (const m of matches) {
    for (const phrase of m.alternatives) {
      for (const term of indexTerms(phrase.join(' '), { accented: false })) {
        // A phrase of several words is searched by its bigrams: its syllables alone ("qua" of "6 tháng qua",
        // "thành" of "hoàn thành") are common words that would lift any passage using them.
        if (phrase.length > 1 && !term.includes('_')) continue;
        if (!searchTerms.has(term)) searchTerms.set(term, SYNONYM_WEIGHT);
      }
    }
  }
  return [...searchTerms].map(([term, weight]) => ({ term, weight }));
}

/**
 * Whether the bigram ending at `at` (`inside` its phrase, with a syllable on each side) joins the end of one corpus word to the start of the next: "sản xuất
 * kinh doanh" gives "xuất kinh", which no report says, between "sản xuất" and "kinh doanh", which they do.
 * Such a bigram is not a phrase of the question and must not weigh on what a passage covers.
 */
function straddlesWords(folded: string[], at: number, inside: boolean, context: QuestionContext): boolean {
  if (!context.occurs || !inside) return false;
  const bigram = (end: number) => `${folded[end - 1]}_${folded[end]}`;
  return !context.occurs(bigram(at)) && context.occurs(bigram(at - 1)) && context.occurs(bigram(at + 1));
}

/** The folded terms a text must contain to say a phrase: its syllable for one word, else its bigrams. */
function requiredTerms(phrase: string[]): string[] {
  if (phrase.length === 1) return [phrase[0]!];
  const out: string[] = [];
  for (let i = 1; i < phrase.length; i++) out.push(phrase[i - 1] + '_' + phrase[i]);
  return out;
}

/**
 * Syllables written with a capital, as names are. The question's first syllable is capitalised anyway:
 * it counts only inside a run of capitals ("Hoàng Thái Cực …") or written in capitals ("NEC").
 */
function properNames(text: string): string[] {
  const words = text.normalize('NFC').match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  const capitalised = (w: string | undefined) => w !== undefined && /^\p{Lu}/u.test(w);
  const out = new Set<string>();
  words.forEach((w, i) => {
    if (!capitalised(w)) return;
    if (i === 0 && !capitalised(words[1]) && !/^\p{Lu}{2}/u.test(w)) return;
    out.add(w.toLowerCase());
  });
  return [...out];
}

/** Abbreviated kinds of document, as written before a number ("CT 21" for Chỉ thị 21). */
const DOCUMENT_KINDS: Record<string, string> = {
  ct: 'Chỉ thị',
  nq: 'Nghị quyết',
  qd: 'Quyết định',
  kh: 'Kế hoạch',
  tb: 'Thông báo',
};
const DOCUMENT_BEFORE_NUMBER = /(?<![\p{L}\p{N}])(CT|NQ|QĐ|QD|KH|TB)\s*(?=\d)/giu;

/**
 * Abbreviations the reports do not use, written out ("ANTT 6 tháng" → "an ninh trật tự 6 tháng"): the
 * question's own words then meet the reports', not only through a synonym, and "antt 6" is no phrase
 * to look for. One the reports use ("UBND") stays, its group still bringing the full phrase.
 */
function spellOutAbbreviations(text: string, context: QuestionContext): string {
  // "CT 21", "NQ 35": a document's kind before its number.
  const documents = text.replace(
    DOCUMENT_BEFORE_NUMBER,
    (_, kind: string) => `${DOCUMENT_KINDS[foldDiacritics(kind.toLowerCase())] ?? kind} `,
  );
  return documents.replace(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*/gu, (word) => {
    const full = context.thesaurus.spellOut(word);
    if (!full) return word;
    const parts = word.toLowerCase().split('-').map(foldDiacritics);
    const asIndexed = parts.length === 1 ? parts[0]! : `${parts[0]}_${parts[1]}`;
    // Without the corpus to ask (a bare analysis), the word stays as typed.
    return context.occurs && !context.occurs(asIndexed) ? full : word;
  });
}

/** `after` with the words the thesaurus knows ("BCH", "gtsx") put back as typed: they are no typos. */
function keepThesaurusWords(before: string, after: string, thesaurus: Thesaurus): string {
  const typed = before.split(' ');
  const changed = after.split(' ');
  if (typed.length !== changed.length) return after;
  return changed
    .map((word, i) => (word !== typed[i] && thesaurus.startsPhrase(bareFolded(typed[i]!)) ? typed[i] : word))
    .join(' ');
}

/** A typed word lower-cased and folded, without the punctuation around it ("BCH?" → "bch"). */
const bareFolded = (word: string) => foldSyllable(word.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]/gu, ''));

function spellingChanges(before: string, after: string): { from: string; to: string }[] {
  const a = before.split(' ');
  const b = after.split(' ');
  const out: { from: string; to: string }[] = [];
  if (a.length !== b.length) return out;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push({ from: a[i]!, to: b[i]! });
  return out;
}

function mentionsDistrict(typed: string[], folded: string[], placeNames: string[][]): boolean {
  for (let i = 0; i < typed.length; i++) {
    if (DISTRICT_WORDS.has(typed[i]!) || DISTRICT_WORDS.has(`${typed[i]} ${typed[i + 1] ?? ''}`)) return true;
    // Folded "quan" is also quân, quan (officials), quán: count it where it reads as the district.
    if (folded[i] === 'quan' && typed[i] === 'quan') {
      const next = folded[i + 1];
      const prev = folded[i - 1];
      if (
        next === undefined ||
        next === 'uy' ||
        next === 'ta' ||
        next === 'minh' ||
        next === 'nha' ||
        prev === 'cua' ||
        prev === 'ban'
      )
        return true;
    }
    if (folded[i] === 'ubnd' || folded[i] === 'hdnd') return true;
  }
  const joined = ` ${folded.join(' ')} `;
  return placeNames.some((name) => name.length > 0 && joined.includes(` ${name.join(' ')} `));
}
