// The admins' synonyms file: its format, its validation, and that bad input never stops the rest.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_THESAURUS } from '../../src/question/thesaurus.vi.js';
import { builtInThesaurus, loadSynonyms, Thesaurus } from '../../src/question/synonyms.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { syllables } from '../../src/text/tokenize.js';

async function writeTemp(name: string, content: string | Buffer): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'synonyms-'));
  const file = path.join(dir, name);
  await fs.writeFile(file, content);
  return file;
}

const words = (q: string) => {
  const typed = syllables(q);
  return [typed, typed.map(foldDiacritics)] as const;
};

describe('the built-in thesaurus', () => {
  it('parses without a bad line', () => {
    expect(new Thesaurus().add(BUILT_IN_THESAURUS)).toEqual([]);
    expect(builtInThesaurus().size).toBeGreaterThan(80);
  });

  it('matches the longest phrase, accented or not, and brings its group', () => {
    const [typed, folded] = words('tien thue quan thu duoc bao nhieu');
    const [match] = builtInThesaurus().match(typed, folded);
    expect(match).toMatchObject({ start: 0, length: 2 });
    expect(match!.alternatives.map((p) => p.join(' '))).toContain('thu ngan sach');
  });

  it('spells out an abbreviation as the phrase whose initials it is, not as any member of its group', () => {
    const thesaurus = builtInThesaurus();
    expect(thesaurus.spellOut('ANTT')).toBe('an ninh trật tự');
    expect(thesaurus.spellOut('kt-xh')).toBe('kinh tế - xã hội');
    expect(thesaurus.spellOut('QU')).toBe('Quận ủy');
    // GDP shares a group with "giá trị sản xuất" but does not abbreviate it.
    expect(thesaurus.spellOut('GDP')).toBeNull();
    expect(thesaurus.spellOut('quận')).toBeNull();
  });

  it('does not match a lone unaccented syllable (cho is cho, chợ and chó)', () => {
    const [typed, folded] = words('lam giay to cho con');
    expect(
      builtInThesaurus()
        .match(typed, folded)
        .map((m) => folded.slice(m.start, m.start + m.length).join(' ')),
    ).not.toContain('cho');
    const [typedAccented, foldedAccented] = words('giá cả ở chợ');
    expect(
      builtInThesaurus()
        .match(typedAccented, foldedAccented)
        .map((m) => foldedAccented[m.start]),
    ).toContain('cho');
  });

  it('does not let a syllable typed with other accents match', () => {
    const [typed, folded] = words('mục tiêu vượt mức');
    const matched = builtInThesaurus()
      .match(typed, folded)
      .map((m) => folded.slice(m.start, m.start + m.length).join(' '));
    expect(matched).toContain('muc tieu');
    const [typedOther, foldedOther] = words('mức tiêu thụ');
    expect(
      builtInThesaurus()
        .match(typedOther, foldedOther)
        .map((m) => foldedOther.slice(m.start, m.start + m.length).join(' ')),
    ).not.toContain('muc tieu');
  });
});

describe("the admins' synonyms file", () => {
  it('loads good lines and reports each bad one with its line number', async () => {
    const file = await writeTemp(
      'synonyms.txt',
      [
        '# comment',
        'nhà văn hóa = nhà sinh hoạt cộng đồng',
        'chỉ một cụm',
        'a, , b',
        'đường, ',
        '',
        'x'.repeat(1200),
        'trường mầm non, nhà trẻ, mẫu giáo',
      ].join('\n'),
    );
    const loaded = await loadSynonyms(file);
    expect(loaded.fileError).toBeNull();
    expect(loaded.fileGroups).toBe(2);
    expect(loaded.issues.map((i) => i.line)).toEqual([3, 4, 5, 7]);
    expect(loaded.issues[0]!.message).toMatch(/at least two/);
    expect(loaded.issues[1]!.message).toMatch(/empty entry/);
    const [typed, folded] = words('nha tre o dau');
    expect(loaded.thesaurus.match(typed, folded)[0]!.alternatives.map((p) => p.join(' '))).toContain('mau giao');
  });

  it('survives a cycle: groups are not chained', async () => {
    const file = await writeTemp('synonyms.txt', 'alpha, beta\nbeta, gamma\ngamma, alpha\n');
    const loaded = await loadSynonyms(file);
    expect(loaded.issues).toEqual([]);
    const [typed, folded] = words('alpha');
    const alternatives = loaded.thesaurus.match(typed, folded)[0]!.alternatives.map((p) => p.join(' '));
    expect(alternatives.sort()).toEqual(['beta', 'gamma']);
  });

  it('reads 100,000 groups', async () => {
    const lines = Array.from({ length: 100_000 }, (_, i) => `cụm ${i} một, cụm ${i} hai`);
    const loaded = await loadSynonyms(await writeTemp('synonyms.txt', lines.join('\n')));
    expect(loaded.fileGroups).toBe(100_000);
    const [typed, folded] = words('cum 99999 hai');
    expect(loaded.thesaurus.match(typed, folded)[0]!.alternatives.map((p) => p.join(' '))).toEqual(['cum 99999 mot']);
  });

  it('refuses a binary file as a whole with a clear reason, keeping the built-in groups', async () => {
    const loaded = await loadSynonyms(
      await writeTemp('synonyms.txt', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff, 0xfe])),
    );
    expect(loaded.fileError).toMatch(/not a text file/);
    expect(loaded.thesaurus.size).toBe(builtInThesaurus().size);
  });

  it('treats a missing file as no file', async () => {
    const loaded = await loadSynonyms(path.join(os.tmpdir(), 'no-such-dir', 'synonyms.txt'));
    expect(loaded).toMatchObject({ fileGroups: 0, issues: [], fileError: null });
  });
});
