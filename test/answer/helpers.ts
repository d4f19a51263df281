// What the answer-step tests share: questions analysed by the real analyser against a small serving
// context (as Engine.analyse builds it), and hand-made passages.
import { analyseQuestion, type AnalysedQuestion, type QuestionContext } from '../../src/question/analyse.js';
import { builtInThesaurus } from '../../src/question/synonyms.js';
import type { Passage } from '../../src/corpus/types.js';
import type { RankedPassage } from '../../src/answer/types.js';

/**
 * Every term equally rare (a corpus of a few passages says little about rarity), no spelling correction,
 * the built-in synonyms, 2019 the newest report, Cẩm Lệ the district.
 */
export const context: QuestionContext = {
  idf: () => 1,
  correctSpelling: (text) => text,
  thesaurus: builtInThesaurus(),
  newestYear: 2019,
  placeNames: [['cam', 'le']],
};

export const analyse = (question: string): AnalysedQuestion => analyseQuestion(question, context);

let position = 0;
/** A passage of a 2018 report unless told otherwise; a new object (and id) each call. */
export function passage(text: string, fields: Partial<Passage> = {}): Passage {
  const source = fields.source ?? 'bao-cao-2018.txt';
  const at = position++;
  return {
    id: `${source}#${at}`,
    docTitle: 'Báo cáo tình hình kinh tế - xã hội năm 2018, quận Cẩm Lệ',
    date: '2018-12',
    section: null,
    source,
    position: at,
    text,
    ...fields,
  };
}

/** Ranked passages, scores falling from 1 in steps of 0.1 unless given. */
export function ranked(...passages: (Passage | [Passage, number])[]): RankedPassage[] {
  return passages.map((p, i) =>
    Array.isArray(p) ? { passage: p[0], score: p[1] } : { passage: p, score: 1 - i * 0.1 },
  );
}
