// Picks the sentence that answers: among the sentences of the best-ranked passages, the one that shares
// the question's words (or their synonyms) and carries what the question asks for (a number for "bao
// nhiêu", a date for "khi nào", a name for "ai"). A sentence's neighbours count a little: the subject
// is often named in the sentence before ("Công tác thu hút đầu tư… Đó là…"). Short enough for a phone.
import type { AnalysedQuestion, ContentTerm } from '../question/analyse.js';
import type { AnswerForm } from '../question/question-type.js';
import type { RankedPassage } from './types.js';
import { formIsRequired, formMatch, MIN_FORM } from './answer-forms.js';
import { coverage, missesRequired, termFound, textTerms } from './question-terms.js';
import { type PassageReading, readPassage, unitForm, unitIntent } from './passage-units.js';

/**
 * A best unit shorter than this gets its best neighbour too. On viquad2, 120 → 160 took the excerpt
 * holding the answer from 0.703 to 0.709 at 43 words on average instead of 42 (200: 0.725 at 45 words).
 */
const SHORT_UNIT = 160;
/** The longest excerpt shown; a longer one is cut at a word with an ellipsis. */
export const MAX_EXCERPT_CHARS = 500;
/** Minimum share of the question's weight found in the quoted sentence (neighbours counting a little). */
export const MIN_SENTENCE_COVERAGE = 0.2;
/**
 * An adjacent sentence scoring at least this share of the best one is shown with it. On viquad2 0.7 took
 * the excerpt holding the answer from 0.709 to 0.721 at 43.7 words instead of 43.1 (0.6: 0.727, 44.7).
 */
const NEAR_TIE = 0.7;
/** Two sentences are shown together only up to this length. */
const MAX_PAIR_CHARS = 320;
/** Passages whose sentences compete for the excerpt. */
const PASSAGES_CONSIDERED = 5;
/** What a question term found only in a neighbouring sentence is worth. */
const NEIGHBOUR_CREDIT = 0.35;
/** How much a passage's rank weighs on its sentences: (score / best score) ^ this. */
const PASSAGE_PRIOR_EXPONENT = 1;
/** A sentence without the asked form keeps this share of its score (one with it keeps all). */
const FORM_FLOOR = 0.55;
/**
 * A sentence carrying the asked form answers a quantity or date question only if it scores at least this
 * share of the best quotable sentence: "bao nhiêu ca sốt xuất huyết" had quoted a sentence on online
 * services ("mức độ 3, 4 tại tất cả các phường") because the one on dengue gives only a percentage. On
 * the two-report unanswerable set 0 → 0.5 declined 33/43 → 34/43 (held-out batch: 11/15 → 13/15), with
 * no answer lost on any set; 0.65 cost ViQuAD one and 0.8 two.
 */
const FORM_CANDIDATE_SHARE = 0.5;
/** Syllables in the window of densestWindow, and its share of a unit's score. */
const WINDOW = 12;
const WINDOW_SHARE = 0.3;
/** A sentence stating a target when the question asks what was achieved (or the reverse) keeps this share. */
const INTENT_MISMATCH = 0.5;
/**
 * A matched term counts its corpus rarity plus this base. Among a few passages' sentences the corpus-wide
 * rarity says little (the sentence-level rarity below says more): on viquad2 a base of 1 gave 0.679,
 * 5 gave 0.703 and 100 0.705; the citizen set's false abstentions fell from 7 to 4.
 */
const BASE = 5;
/**
 * A term found in every candidate sentence keeps this share of its value (one found in a single sentence
 * keeps all): measured on viquad2, 0 and 0.3 did worse than 0.6.
 */
const SENTENCE_IDF_FLOOR = 0.6;
/**
 * A passage naming the names the question writes ("Các Mác", "hồ Van") weighs up to (1 + this) times
 * more on its sentences: a sentence elsewhere sharing the question's common words is not about them.
 * On viquad2 0 → 1 took the excerpt holding the answer from 0.721 to 0.733 and the cited passage from
 * 0.876 to 0.894 (0.5: 0.729; 2: no change); the citizen sets did not move.
 */
const NAME_PRIOR = 1;

/** The chosen excerpt and the evidence for it, for abstention. */
export interface ExcerptChoice {
  /** Index in the ranked list of the passage the excerpt comes from. */
  passage: number;
  excerpt: string;
  /** The unit (sentence or clause) that scored best, before a neighbour was added. */
  sentence: string;
  /** Share of the question's weight found in the sentence and (at NEIGHBOUR_CREDIT) its neighbours. */
  sentenceCoverage: number;
  /** How well the sentence carries the asked form (1 = fully). */
  form: number;
}

/** What one unit matched of each question term (0, SYNONYM_CREDIT or 1). */
function matchUnits(unitTerms: Set<string>[], terms: readonly ContentTerm[]): number[][] {
  return unitTerms.map((inUnit) => terms.map((t) => termFound(t, inUnit)));
}

/**
 * Each unit's matched weight, and its score counting neighbours, for one passage. A matched term counts
 * its corpus rarity plus a base (in a small corpus idf is near zero for words every passage shares), times
 * its rarity among the candidate sentences: the topic's name, repeated in every sentence of an article,
 * does not single one out. What the document's title or section heading says counts less too.
 */
function scoreUnits(
  found: number[][],
  terms: readonly ContentTerm[],
  termValue: number[],
  context: Set<string>,
): { own: number[]; windowed: number[] } {
  const value = terms.map((t, i) => termValue[i]! * (context.has(t.term) ? 0.25 : 1));
  const weighted = found.map((row) => row.map((f, t) => f * value[t]!));
  const own = weighted.map((row) => row.reduce((a, b) => a + b, 0));
  const windowed = weighted.map((row, i) => {
    let extra = 0;
    row.forEach((v, t) => {
      const neighbour = Math.max(weighted[i - 1]?.[t] ?? 0, weighted[i + 1]?.[t] ?? 0);
      if (neighbour > v) extra += neighbour - v;
    });
    return own[i]! + NEIGHBOUR_CREDIT * extra;
  });
  return { own, windowed };
}

/** Which question terms a syllable's form stands for: the term itself, or a one-word synonym of it. */
type TermsByForm = Map<string, number[]>;

function termsByForm(terms: readonly ContentTerm[]): TermsByForm {
  const map: TermsByForm = new Map();
  const add = (form: string, t: number) => {
    const list = map.get(form);
    if (!list) map.set(form, [t]);
    else if (!list.includes(t)) list.push(t);
  };
  terms.forEach((term, t) => {
    add(term.term, t);
    for (const alternative of term.alternatives) if (alternative.length === 1) add(alternative[0]!, t);
  });
  return map;
}

/**
 * The most question weight found within any WINDOW consecutive syllables of a unit: the words of a
 * question cluster around its answer in the sentence that gives it, while a sentence that only shares
 * the topic scatters them. `at`: per syllable, the term forms ending there (see passage-units.ts).
 */
function densestWindow(at: string[][], termsByForm: TermsByForm, value: number[]): number {
  if (at.length <= WINDOW) return -1; // the whole unit is one window: no extra evidence
  // Per term, the syllables where it (or a one-word synonym) ends, read off each syllable's few forms.
  // Lists are made only for the terms found: this runs for every unit of every candidate passage.
  const positions: (number[] | undefined)[] = new Array(value.length);
  for (let i = 0; i < at.length; i++) {
    for (const form of at[i]!) {
      const found = termsByForm.get(form);
      if (!found) continue;
      for (const t of found) {
        const list = positions[t];
        if (!list) positions[t] = [i];
        else if (list[list.length - 1] !== i) list.push(i);
      }
    }
  }
  // Slide the window once, each term keeping a pointer to its first position not before the window.
  const present: { list: number[]; value: number; next: number }[] = [];
  for (let t = 0; t < value.length; t++) {
    const list = positions[t];
    if (list) present.push({ list, value: value[t]!, next: 0 });
  }
  let best = 0;
  for (let start = 0; start + WINDOW <= at.length; start++) {
    let sum = 0;
    for (const term of present) {
      while (term.next < term.list.length && term.list[term.next]! < start) term.next++;
      if (term.next < term.list.length && term.list[term.next]! < start + WINDOW) sum += term.value;
    }
    if (sum > best) best = sum;
  }
  return best;
}

/**
 * What a sentence's form does to its score. A "which" question's form is not weighed: the sentence saying
 * "một số dự án" is the one about them, and must win so that compose can decline it, rather than lose to
 * a neighbour that does not speak of them.
 */
function formFactor(asked: AnswerForm, form: number): number {
  if (asked.kind === 'thing') return 1;
  return FORM_FLOOR + (1 - FORM_FLOOR) * form;
}

/** A candidate answer sentence (or clause) with its score and evidence. */
export interface ScoredSentence {
  score: number;
  /** Index in the ranked list of the passage it comes from. */
  passage: number;
  /** Position among its passage's units, and the passage's units with what each matched on its own. */
  unit: number;
  units: string[];
  own: number[];
  /** Share of the question's weight found in the sentence and (at NEIGHBOUR_CREDIT) its neighbours. */
  coverage: number;
  /** How well the sentence carries the asked form (1 = fully). */
  form: number;
}

/** Every unit of the top passages, scored for the question, best first. */
export function rankSentences(
  question: AnalysedQuestion,
  ranked: readonly RankedPassage[],
  eligible: (index: number) => boolean = () => true,
): ScoredSentence[] {
  const terms = question.contentTerms;
  const topScore = ranked[0]?.score ?? 0;
  // The candidates: the units of the top passages, with what each matched.
  const pool: { p: number; reading: PassageReading; found: number[][]; prior: number }[] = [];
  const names = new Set(question.names);
  const nameTerms = terms.filter((t) => t.term.split('_').every((syllable) => names.has(syllable)));
  for (let p = 0; p < Math.min(PASSAGES_CONSIDERED, ranked.length); p++) {
    if (!eligible(p)) continue;
    const { passage, score: passageScore } = ranked[p]!;
    const reading = readPassage(passage);
    if (reading.units.length === 0) continue;
    const prior =
      topScore > 0 && passageScore > 0
        ? Math.min(1, passageScore / topScore) ** PASSAGE_PRIOR_EXPONENT
        : p === 0
          ? 1
          : 0.5;
    const nameShare = nameTerms.length
      ? nameTerms.filter((t) => reading.terms.has(t.term)).length / nameTerms.length
      : 0;
    pool.push({
      p,
      reading,
      found: matchUnits(reading.unitTerms, terms),
      prior: prior * (1 + NAME_PRIOR * nameShare),
    });
  }
  const sentences = pool.reduce((n, e) => n + e.reading.units.length, 0);
  const termValue = terms.map((t, i) => {
    let df = 0;
    for (const e of pool) for (const row of e.found) if (row[i]! > 0) df++;
    const rarity = Math.log(1 + (sentences - df + 0.5) / (df + 0.5)) / Math.log(1 + (sentences + 0.5) / 0.5);
    return (BASE + t.weight) * (SENTENCE_IDF_FLOOR + (1 - SENTENCE_IDF_FLOOR) * rarity);
  });
  const total = termValue.reduce((a, b) => a + b, 0) || 1;
  const byForm = termsByForm(terms);
  const out: ScoredSentence[] = [];
  for (const { p, reading, found, prior } of pool) {
    const { units: candidates, unitPositions: positions } = reading;
    const { own, windowed } = scoreUnits(found, terms, termValue, reading.contextTerms);
    for (let u = 0; u < candidates.length; u++) {
      const form = unitForm(reading, u, question.form);
      const coverage = missesRequired(terms, found[u]!) ? 0 : windowed[u]! / total;
      // A unit matching nothing, itself or beside it, scores 0 whatever its window and intent.
      const dense = WINDOW_SHARE > 0 && coverage > 0 ? densestWindow(positions[u]!, byForm, termValue) : -1;
      const evidence = dense < 0 ? coverage : (1 - WINDOW_SHARE) * coverage + WINDOW_SHARE * (dense / total);
      const stated = question.intent && coverage > 0 ? unitIntent(reading, u) : null;
      const intent = stated && stated !== question.intent ? INTENT_MISMATCH : 1;
      out.push({
        score: evidence * formFactor(question.form, form) * prior * intent,
        passage: p,
        unit: u,
        units: candidates,
        own,
        coverage,
        form,
      });
    }
  }
  // Ties go to the shorter unit: the same evidence in fewer words; then to the better-ranked passage.
  return out.sort(
    (a, b) => b.score - a.score || a.units[a.unit]!.length - b.units[b.unit]!.length || a.passage - b.passage,
  );
}

/**
 * An adjacent unit scoring nearly as well as the best: the sentence repeating the question's words and the
 * one holding the answer are often side by side.
 */
function nearTieNeighbour(sentences: readonly ScoredSentence[], best: ScoredSentence): number | undefined {
  const length = best.units[best.unit]!.length;
  return sentences.find(
    (s) =>
      s !== best &&
      s.passage === best.passage &&
      Math.abs(s.unit - best.unit) === 1 &&
      s.score >= NEAR_TIE * best.score &&
      length + s.units[s.unit]!.length <= MAX_PAIR_CHARS,
  )?.unit;
}

/** A short best unit gets the neighbour that matched at least half as much, when both stay short. */
function shortUnitNeighbour({ units, unit, own }: ScoredSentence): number | undefined {
  const length = units[unit]!.length;
  if (length >= SHORT_UNIT) return undefined;
  return [unit - 1, unit + 1]
    .filter((i) => i >= 0 && i < units.length)
    .filter((i) => own[i]! >= own[unit]! / 2 && length + units[i]!.length <= MAX_PAIR_CHARS)
    .sort((a, b) => own[b]! - own[a]! || a - b)[0];
}

/** The excerpt for an analysed question from its ranked passages, or null when there are none. */
export function chooseExcerpt(
  question: AnalysedQuestion,
  ranked: readonly RankedPassage[],
  eligible: (index: number) => boolean = () => true,
): ExcerptChoice | null {
  const sentences = rankSentences(question, ranked, eligible);
  // Only a sentence about the question can be quoted (compose abstains otherwise): a better-scored one
  // that is not, because a penalty (intent, form) lifted a weaker one above it, must not hide it.
  const quotable = sentences.filter((s) => s.coverage >= MIN_SENTENCE_COVERAGE);
  // A quantity or date question is answered by the best sentence that carries one, if any does; else
  // perhaps by a heading ("Hội nghị Ban Chấp hành lần thứ XIV" for "hội nghị lần thứ mấy").
  const floor = FORM_CANDIDATE_SHARE * (quotable[0]?.score ?? 0);
  const withForm = formIsRequired(question.form) && quotable.find((s) => s.form >= MIN_FORM && s.score >= floor);
  if (formIsRequired(question.form) && !withForm) {
    const heading = headingAnswer(question, ranked, eligible);
    if (heading) return heading;
  }
  const best = withForm || quotable[0] || sentences[0];
  if (!best) return null;
  const { units: candidates, unit } = best;
  const partner = nearTieNeighbour(sentences, best) ?? shortUnitNeighbour(best);
  const excerpt =
    partner === undefined
      ? candidates[unit]!
      : partner < unit
        ? `${candidates[partner]} ${candidates[unit]}`
        : `${candidates[unit]} ${candidates[partner]}`;
  return {
    passage: best.passage,
    excerpt: truncate(excerpt, MAX_EXCERPT_CHARS),
    sentence: candidates[unit]!,
    sentenceCoverage: best.coverage,
    form: best.form,
  };
}

/**
 * The section heading of a top passage, when it carries the asked form and covers the question as a
 * sentence must: headings name meetings and periods ("… lần thứ XIV", "6 tháng đầu năm 2018") that no
 * sentence under them repeats.
 */
function headingAnswer(
  question: AnalysedQuestion,
  ranked: readonly RankedPassage[],
  eligible: (index: number) => boolean,
): ExcerptChoice | null {
  for (let p = 0; p < Math.min(PASSAGES_CONSIDERED, ranked.length); p++) {
    const heading = ranked[p]!.passage.section;
    if (!heading || !eligible(p)) continue;
    const form = formMatch(heading, question.form);
    const covered = coverage(question.contentTerms, textTerms(heading));
    if (form >= MIN_FORM && covered >= MIN_SENTENCE_COVERAGE)
      return {
        passage: p,
        excerpt: truncate(heading, MAX_EXCERPT_CHARS),
        sentence: heading,
        sentenceCoverage: covered,
        form,
      };
  }
  return null;
}

/** `text` cut to at most `max` characters at a word boundary, with an ellipsis, never inside a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.lastIndexOf(' ', max - 1);
  let end = cut > max / 2 ? cut : max - 1;
  // Not between the two halves of an emoji: the excerpt is sent to Telegram as UTF-8.
  if (/[\uD800-\uDBFF]/.test(text[end - 1] ?? '')) end--;
  return text.slice(0, end).replace(/[\s,;:]+$/, '') + '…';
}
