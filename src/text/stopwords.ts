// Words that carry no topic, for judging whether a passage covers a question (see question/analyse.ts).
import { foldDiacritics } from './normalize.js';
import { hasDiacritics } from './tokenize.js';

/**
 * Function words and question words that say nothing about the topic, as written with accents. They
 * still take part in ranking (BM25 gives them little weight); they are left out when judging whether a
 * passage covers a question. An unaccented question is checked against their folded forms, which can
 * hide a content word with the same letters; the most common such collisions are kept as content.
 */
const STOPWORDS_ACCENTED = (
  'là và của có không được cho các những một như thế nào gì bao nhiêu ai đâu sao vì tại hay hoặc ' +
  'thì mà với trong ngoài trên dưới đến từ ra vào làm này đó kia ấy nhỉ à ạ ơi hả nhé vậy rồi ' +
  'tôi bạn mình chúng em anh chị quý vị xin hỏi biết muốn cần phải nên sẽ đã đang bị bởi theo ' +
  'khi nếu nhiều ít hơn nhất rất quá cũng vẫn còn mọi lại nữa gồm những hãy cái việc về ở ' +
  'nói vấn đề để ra cụ thể lên xuống tới'
).split(/\s+/);

/**
 * Folded forms that are also common content syllables ("dau": đâu but also đầu tư; "dang": đang but
 * also Đảng): in a question typed without diacritics they are kept as content. Not "o": unaccented it is
 * ở far more often than ô, and as content it weighed like a rare word in every "… o quan …" question
 * (the citizen set: 95 → 96 of 105, the unanswerable set unchanged).
 */
const AMBIGUOUS_WHEN_FOLDED = new Set(
  (
    'dau tu co ma toi ban minh chung the do trong ngoai tai da dang vi quy chi can moi van qua cung con hoi ' +
    'nen ve viec cai de noi cu thi lam nhu cho em anh'
  ).split(' '),
);

/** The accented stopwords, for questions typed with diacritics. */
export const STOPWORDS = new Set(STOPWORDS_ACCENTED);
/** The folded stopwords, for questions typed without diacritics, less those that are often content words. */
export const FOLDED_STOPWORDS = new Set(
  STOPWORDS_ACCENTED.map(foldDiacritics).filter((w) => !AMBIGUOUS_WHEN_FOLDED.has(w)),
);

/** Whether a question's syllable is a stopword: as typed with diacritics, or among the folded ones without. */
export const isStopword = (syllable: string): boolean =>
  hasDiacritics(syllable) ? STOPWORDS.has(syllable) : FOLDED_STOPWORDS.has(syllable);

/**
 * Phrases of a question's frame whose syllables, folded, could each be content ("van": văn or vấn; "de":
 * đề or để; "minh": mình or Minh) but together cannot: "vấn đề", "sắp tới", "quận mình". A `*` marks the
 * syllables that carry nothing; in a phrase without one, all do. Unknown to the reports, such syllables
 * weighed like the rarest words and sank the coverage of the sentence that answers.
 */
const FILLER_PHRASES = [
  // "về vấn đề gì" asks about a topic; "có vấn đề gì không" asks about problems (a content word then).
  've *van *de',
  'cu the',
  'tom lai',
  'noi chung',
  'sap toi',
  'toi day',
  'hien nay',
  'bay gio',
  'den gio',
  'toi gio',
  'den nay',
  'xin hoi',
  'cho hoi',
  // "cho em hỏi", "cho mình hỏi", "cho cháu hỏi": the polite opening, whoever asks.
  ...['em', 'minh', 'toi', 'tui', 'chau', 'con', 'anh', 'chi', 'chu', 'co', 'bac', 'ong', 'ba', 'cau'].map(
    (who) => `*cho *${who} *hoi`,
  ),
  'tu gio',
  '*chung *ta',
  '*chung *toi',
  '*chung *minh',
  'quan *minh',
  'phuong *minh',
  'xa *minh',
  'huyen *minh',
  'pho *minh',
  'tinh *minh',
  // "chỉ thị 21 nói về gì", "… gì thế", "… nào thế": the frame of the question, not its topic.
  '*noi ve',
  'gi *the',
  'nao *the',
].map((phrase) => {
  const words = phrase.split(' ');
  const marked = words.some((w) => w.startsWith('*'));
  return { words: words.map((w) => w.replace('*', '')), filler: words.map((w) => !marked || w.startsWith('*')) };
});

/** Positions of the folded syllables that belong to a filler phrase of the question's frame. */
export function fillerPositions(folded: readonly string[]): number[] {
  const out = new Set<number>();
  for (const { words, filler } of FILLER_PHRASES)
    for (let at = 0; at + words.length <= folded.length; at++)
      if (words.every((w, j) => folded[at + j] === w))
        filler.forEach((isFiller, j) => {
          if (isFiller) out.add(at + j);
        });
  return [...out];
}
