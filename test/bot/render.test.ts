// Unit tests of the HTML rendering and splitting: every part must parse as Telegram HTML (checked with
// the emulator's parser, which mirrors Telegram's rules), fit the limit, and together keep all the text.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Answer } from '../../src/answer/types.js';
import { escapeHtml } from '../../src/bot/html.js';
import { renderAnswer, renderFullPassage, renderMorePassages } from '../../src/bot/render.js';
import { splitHtml } from '../../src/bot/split-html.js';
import { MSG } from '../../src/bot/messages.vi.js';
import { sanitizeFileName } from '../../src/bot/uploads.js';
import { parseTelegramHtml } from '../emulator/bot-api-emulator.js';

function visible(html: string): string {
  return parseTelegramHtml(html).text;
}

/** Visible text without whitespace: cuts may drop the spaces they happen at, nothing else. */
function squeeze(text: string): string {
  return text.replace(/\s+/g, '');
}

const passage = {
  id: 'a.txt#0',
  docTitle: 'Báo cáo <thử> & kiểm tra',
  date: '2018',
  section: 'Mục 1 <b>',
  source: 'a.txt',
  position: 0,
  text: 'Câu đầu tiên. Toàn quận phấn đấu vượt 15% & hơn <nữa>. Câu cuối.',
};

const answer: Answer = {
  question: 'Mục tiêu <là> gì?',
  answered: true,
  excerpt: 'Toàn quận phấn đấu vượt 15% & hơn <nữa>.',
  citation: { title: passage.docTitle, section: passage.section, date: '2018', source: 'a.txt' },
  passages: [{ passage, score: 3 }],
};

describe('/docs', () => {
  it('says in Vietnamese that semantic search is off, without the machine details', () => {
    const status = {
      ready: true,
      mode: 'lexical' as const,
      degradedReason: 'model Xenova/multilingual-e5-small not found in /srv/bot/models/Xenova/multilingual-e5-small',
      degraded: 'model-unavailable' as const,
      modelId: null,
      documents: [],
      passages: 0,
      builtAt: null,
      reloading: false,
      skipped: [],
    };
    const plain = parseTelegramHtml(MSG.docs(status)).text;
    expect(plain).toContain('Chưa nạp được mô hình ngữ nghĩa');
    expect(plain).not.toContain('/srv/bot');
    expect(plain).not.toContain('not found');
  });
});

describe('"Xem thêm"', () => {
  const of2019 = {
    passage: { ...passage, id: 'b.txt#3', date: '2019', source: 'b.txt', text: 'Năm 2019 thu ngân sách đạt 60%.' },
    score: 2,
  };
  const of2017 = {
    passage: { ...passage, id: 'c.txt#1', date: '2017', source: 'c.txt', text: 'Năm 2017 thu ngân sách đạt 50%.' },
    score: 1,
  };

  it('lists the other years after the further passages, numbered on, without repeating a passage', () => {
    const html = renderMorePassages([of2019], [of2019, of2017]);
    const plain = parseTelegramHtml(html).text;
    expect(plain.indexOf(MSG.morePassagesTitle)).toBeLessThan(plain.indexOf(MSG.otherYearsTitle));
    expect(plain.match(/Năm 2019 thu/g)).toHaveLength(1);
    expect(plain).toContain('2. Năm 2017 thu ngân sách đạt 50%.');
  });

  it('shows only the other years when there is no further passage', () => {
    const plain = parseTelegramHtml(renderMorePassages([], [of2017])).text;
    expect(plain).not.toContain(MSG.morePassagesTitle);
    expect(plain.startsWith(MSG.otherYearsTitle)).toBe(true);
  });
});

describe('escapeHtml and the answer', () => {
  it('escapes report text so Telegram accepts it and shows it verbatim', () => {
    expect(escapeHtml('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    const html = renderAnswer(answer, { echoQuestion: true });
    const text = visible(html); // throws on bad HTML, like Telegram
    expect(text).toContain('Toàn quận phấn đấu vượt 15% & hơn <nữa>.');
    expect(text).toContain('Báo cáo <thử> & kiểm tra');
    expect(text).toContain('Mục tiêu <là> gì?');
  });

  it('bolds the excerpt inside the full passage', () => {
    const html = renderFullPassage(answer.passages[0]!, answer.excerpt);
    expect(html).toContain('<b>Toàn quận phấn đấu vượt 15% &amp; hơn &lt;nữa&gt;.</b>');
    expect(visible(html)).toContain(passage.text);
  });
});

describe('splitHtml', () => {
  const sentence = 'Tổng thu ngân sách ước đạt gần 57% so với dự toán & kế hoạch. ';

  it('leaves a short message alone', () => {
    expect(splitHtml('<b>xin chào</b>')).toEqual(['<b>xin chào</b>']);
  });

  it('cuts long text at sentence ends, each part within the limit, keeping all text', () => {
    const html = `<blockquote>${escapeHtml(sentence.repeat(200))}</blockquote>`;
    const parts = splitHtml(html);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(4096);
      expect(part.startsWith('<blockquote>')).toBe(true);
      expect(part.endsWith('</blockquote>')).toBe(true);
      // Every part ends on a whole sentence.
      expect(visible(part).trimEnd().endsWith('.')).toBe(true);
    }
    expect(squeeze(parts.map(visible).join(''))).toBe(squeeze(sentence.repeat(200)));
  });

  it('prefers paragraph breaks', () => {
    const paragraph = 'Đoạn văn. '.repeat(150).trim();
    const html = Array.from({ length: 6 }, () => paragraph).join('\n\n');
    const parts = splitHtml(html, 4096);
    for (const part of parts) {
      expect(part).toMatch(/^Đoạn[\s\S]*văn\.$/);
      // Whole paragraphs only: a cut at a sentence end inside a paragraph would also pass the regex above.
      for (const piece of part.split('\n\n')) expect(piece).toBe(paragraph);
    }
  });

  it('never breaks an entity or an emoji, even without spaces', () => {
    const html = '&amp;😀'.repeat(2000);
    const parts = splitHtml(html, 1000);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(1000);
      expect(() => parseTelegramHtml(part)).not.toThrow();
      expect(part).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(parts.map(visible).join('')).toBe('&😀'.repeat(2000));
  });

  it('holds for any text: valid HTML, within the limit, nothing lost', () => {
    const word = fc.constantFrom(
      'ngân',
      'sách',
      '15%',
      '<',
      '&',
      '>',
      'Đà',
      'Nẵng.',
      '😀',
      'thu',
      '\n',
      '\n\n',
      'vượt;',
    );
    const text = fc.array(word, { minLength: 1, maxLength: 600, size: 'max' }).map((w) => w.join(' '));
    fc.assert(
      fc.property(
        text,
        fc.constantFrom('b', 'i', 'blockquote'),
        fc.integer({ min: 200, max: 1200 }),
        (t, tag, limit) => {
          const html = `<b>Tiêu đề</b>\n\n<${tag}>${escapeHtml(t)}</${tag}>\n📄 <i>Nguồn</i>`;
          const parts = splitHtml(html, limit);
          for (const part of parts) {
            expect(part.length).toBeLessThanOrEqual(limit);
            parseTelegramHtml(part);
          }
          expect(squeeze(parts.map(visible).join(''))).toBe(squeeze(visible(html)));
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('sanitizeFileName', () => {
  it.each([
    ['bao-cao.txt', 'bao-cao.txt'],
    ['Báo cáo quý 1 năm 2024.DOCX', 'Báo-cáo-quý-1-năm-2024.docx'],
    ['../../etc/passwd.txt', 'passwd.txt'],
    ['..\\..\\windows\\evil.md', 'evil.md'],
    ['/abs/path/kế hoạch.pdf', 'kế-hoạch.pdf'],
    ['.hidden.txt', 'hidden.txt'],
    ['a..b...txt', 'a-b.txt'],
    ['tên <xấu> & "lạ" ?.md', 'tên-xấu-lạ.md'],
    ['Ba\u0300o ca\u0301o.txt', 'Bào-cáo.txt'], // decomposed accents come out composed
  ])('%s → %s', (input, expected) => {
    expect(sanitizeFileName(input)).toBe(expected);
  });

  it.each(['', '.txt', '..', '../', 'noextension', '....txt', '---.pdf', 'x.'])('refuses %j', (input) => {
    expect(sanitizeFileName(input)).toBeNull();
  });
});
