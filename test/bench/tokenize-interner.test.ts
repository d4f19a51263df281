// The interner that builds the lexical index must yield exactly the terms of terms(), in order: the
// index's term frequencies, lengths and so its scores depend on it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { terms } from '../../src/text/tokenize.js';
import { TermIdBuffer, TermInterner } from '../../src/text/term-interner.js';

function internedTerms(interner: TermInterner, text: string, accented: boolean): string[] {
  const buffer = new TermIdBuffer();
  interner.intern(text, accented, buffer);
  const names = interner.termNames();
  return Array.from(buffer.data.subarray(0, buffer.length), (id) => names[id]!);
}

const PIECES = [
  'Ngân sách',
  'ngan sach',
  'NGÂN SÁCH',
  'Điều 39.',
  'đ',
  'Đ',
  'quận Cẩm Lệ',
  'TP. Đà Nẵng',
  '15,5%',
  '1/11/2017',
  '2.500',
  ' ',
  '  ',
  '\n',
  '\r\n',
  '\t',
  ',',
  ';',
  ':',
  '!',
  '?',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  '“',
  '”',
  "'",
  '‘',
  '’',
  '…',
  '–',
  '—',
  '-',
  '_',
  '/',
  '%',
  '+',
  '\u00a0',
  'ﬁ',
  'İ',
  'ǅ',
  'Σ',
  'ς',
  '𝐀𝐁',
  '😀',
  '\ud83d',
  '\ude00',
  'e\u0301',
  'a\u0300\u0323',
  '中文',
  'x²',
  '٣',
  'ß',
];

describe('TermInterner', () => {
  it('matches terms() on Vietnamese text with punctuation, marks, surrogates and odd cases', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary' })), { maxLength: 30 }),
        fc.boolean(),
        (parts, accented) => {
          const text = parts.join('');
          const interner = new TermInterner();
          // Twice: the second pass goes through the tables filled by the first.
          expect(internedTerms(interner, text, accented)).toEqual(terms(text, { accented }));
          expect(internedTerms(interner, text, accented)).toEqual(terms(text, { accented }));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('looks a term up by its string exactly when an interned text had that term', () => {
    const text = fc
      .array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ unit: 'binary' })), { maxLength: 20 })
      .map((p) => p.join(''));
    fc.assert(
      fc.property(text, text, (indexed, asked) => {
        const interner = new TermInterner();
        internedTerms(interner, indexed, true);
        const known = new Set(terms(indexed, { accented: true }));
        const names = interner.termNames();
        for (const term of [...terms(asked, { accented: true }), ...terms(asked, { accented: false })]) {
          const id = interner.lookup(term);
          expect(id >= 0).toBe(known.has(term));
          if (id >= 0) expect(names[id]).toBe(term);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps ids stable across texts and marks folded terms', () => {
    const interner = new TermInterner();
    const a = internedTerms(interner, 'Thu ngân sách nhà nước', true);
    const b = internedTerms(interner, 'ngân sách; thu', true);
    expect(b).toEqual(terms('ngân sách; thu', { accented: true }));
    expect(a).toEqual(terms('Thu ngân sách nhà nước', { accented: true }));
    const names = interner.termNames();
    expect(names).toHaveLength(interner.termCount);
    names.forEach((name, id) => {
      expect(interner.isFolded(id)).toBe(name.startsWith('f:'));
      expect(interner.lookup(name)).toBe(id);
    });
    for (const missing of [
      'f:',
      'a:',
      'f:ngân',
      'a:ngan',
      'a:thu_ngan',
      'f:ngan_sach_nha',
      'x:ngan',
      'f:_ngan',
      'fngan',
      'f:xyz',
    ]) {
      expect(interner.lookup(missing)).toBe(-1);
    }
  });
});
