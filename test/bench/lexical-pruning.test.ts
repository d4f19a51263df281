// The pruned search (taken by LexicalIndex.search once a question's posting lists are long) must return
// exactly what scoring every posting returns: same passages, same order, bit-identical scores, ties
// included. Checked on a synthetic corpus with Zipf-distributed syllables (so a few terms cover most
// passages, as at 100× ALQAC) and many duplicate passages (so ties at the k-th place are common).
import { describe, expect, it } from 'vitest';
import { LexicalIndex } from '../../src/search/lexical-index.js';
import { seededRandom } from './stats.js';

const SYLLABLES = (
  'của và các người được có không theo quy định trong cho với này đã một về để từ đến năm trên thì cũng ' +
  'ngân sách nhà nước thu chi đất đai quyền sử dụng giấy chứng nhận hộ khẩu cư trú đăng ký tạm trú ' +
  'hôn nhân gia đình con cái tài sản thừa kế hợp đồng dân sự bồi thường thiệt hại trách nhiệm ' +
  'giáo dục trường học sinh viên giáo viên môi trường ô nhiễm rác thải an ninh mạng thông tin ' +
  'du lịch điện ảnh chăn nuôi thú y ma túy cai nghiện bắt buộc tự nguyện xử phạt vi phạm hành chính'
).split(' ');

function corpus(size: number, seed: number): { title: string; section: string | null; text: string }[] {
  const random = seededRandom(seed);
  // Zipf: syllable r is drawn with weight 1 / (r + 1).
  const weights = SYLLABLES.map((_, r) => 1 / (r + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const pick = () => {
    let x = random() * total;
    for (let r = 0; r < weights.length; r++) {
      x -= weights[r]!;
      if (x <= 0) return SYLLABLES[r]!;
    }
    return SYLLABLES[0]!;
  };
  const docs: { title: string; section: string | null; text: string }[] = [];
  for (let i = 0; i < size; i++) {
    if (i > 0 && random() < 0.15) {
      docs.push({ ...docs[Math.floor(random() * i)]! }); // an exact duplicate: identical scores
      continue;
    }
    const words = Array.from({ length: 20 + Math.floor(random() * 120) }, pick);
    const text = words.map((w, j) => (j % 11 === 10 ? w + '.' : w)).join(' ');
    docs.push({
      title: `Luật ${Math.floor(random() * 5)}`,
      section: random() < 0.8 ? `Điều ${i % 97}. ${pick()} ${pick()}` : null,
      text,
    });
  }
  return docs;
}

describe('LexicalIndex pruned search', () => {
  const index = LexicalIndex.build(corpus(6000, 3));
  const random = seededRandom(9);
  const questions = Array.from({ length: 150 }, () => {
    const words = Array.from(
      { length: 2 + Math.floor(random() * 40) },
      () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]!,
    );
    const question = words.join(' ');
    return random() < 0.5
      ? question
          .normalize('NFD')
          .replace(/[\u0300-\u036f]/g, '')
          .replace(/đ/g, 'd')
      : question;
  });

  it('returns exactly the exhaustive ranking, scores and ties included', () => {
    let compared = 0;
    for (const question of questions) {
      for (const k of [1, 3, 10, 50, 500, 5000]) {
        const exhaustive = index.searchExhaustive(question, k);
        expect(index.searchPruned(question, k)).toEqual(exhaustive);
        expect(index.search(question, k)).toEqual(exhaustive);
        compared++;
      }
    }
    expect(compared).toBe(900);
  });

  it('handles questions with no known term and k beyond the matching passages', () => {
    expect(index.searchPruned('xyzzy qwerty', 10)).toEqual([]);
    const one = index.searchExhaustive('bồi thường', 100_000);
    expect(index.searchPruned('bồi thường', 100_000)).toEqual(one);
  });
});
