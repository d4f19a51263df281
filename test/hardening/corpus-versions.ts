// Two known versions of a corpus for the index crash tests, and their clean builds. Both versions share
// the real Cẩm Lệ report and a set of filler reports (so that a build takes long enough to be killed in
// the middle of it); they differ only in z-phien-ban.md, whose content (and passage count) depends on the
// version. Switching versions is one atomic rename, so the corpus on disk is always exactly A or B.
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { REPO_CORPUS, SEED_FILE } from '../fixtures/seed-report.js';

export type Version = 'A' | 'B';
export const VERSION_FILE = 'z-phien-ban.md';

const WORDS = (
  'ngân sách quận phường kinh tế xã hội đầu tư xây dựng giao thông giáo dục y tế văn hóa an ninh trật tự ' +
  'kế hoạch thực hiện chỉ tiêu tăng trưởng sản xuất thương mại dịch vụ nông nghiệp môi trường cây xanh ' +
  'cải cách hành chính doanh nghiệp hộ dân nhà ở đất đai quy hoạch công trình dự án vốn tiến độ'
).split(' ');

/** Deterministic pseudo-random generator, so both versions are the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function sentence(next: () => number, tag: string, i: number): string {
  const length = 12 + Math.floor(next() * 14);
  const words = Array.from({ length }, () => WORDS[Math.floor(next() * WORDS.length)]!);
  words[0] = words[0]!.charAt(0).toUpperCase() + words[0]!.slice(1);
  return `${words.join(' ')} ${tag} số ${i} đạt ${Math.floor(next() * 1000)} tỷ đồng.`;
}

/** A report of about `paragraphs` × 6 sentences under a few headings. */
function report(title: string, tag: string, seed: number, paragraphs: number): string {
  const next = random(seed);
  const lines = ['---', `title: ${title}`, 'date: 2019', '---', ''];
  for (let p = 0; p < paragraphs; p++) {
    if (p % 4 === 0) lines.push(`# Phần ${p / 4 + 1} của ${tag}`, '');
    lines.push(Array.from({ length: 6 }, (_, i) => sentence(next, tag, p * 6 + i)).join(' '), '');
  }
  return lines.join('\n');
}

/** The version-specific report: B is longer, and every sentence names its version. */
export function versionReport(version: Version): string {
  const probe =
    version === 'A'
      ? 'Phiên bản A: quận xây dựng 17 trạm bơm chống ngập tại phường Hòa Phát.'
      : 'Phiên bản B: quận trồng mới 4.200 cây sao đen trên đường Cách Mạng Tháng Tám.';
  return `${probe}\n\n${report(`Báo cáo phiên bản ${version}`, `phiên bản ${version}`, version === 'A' ? 11 : 29, version === 'A' ? 40 : 56)}`;
}

/** The question whose answer tells the versions apart, and the words the answer must contain. */
export const PROBES: Record<Version, { question: string; expect: string }> = {
  A: { question: 'Quận xây dựng bao nhiêu trạm bơm chống ngập?', expect: '17 trạm bơm' },
  B: { question: 'Quận trồng mới bao nhiêu cây sao đen?', expect: '4.200 cây sao đen' },
};

/** A corpus folder with the shared reports and version `version` of the version file. */
export async function makeVersionedCorpus(dir: string, version: Version, fillers = 8): Promise<void> {
  await mkdir(dir, { recursive: true });
  await copyFile(path.join(REPO_CORPUS, SEED_FILE), path.join(dir, SEED_FILE));
  for (let i = 0; i < fillers; i++) {
    await writeFile(
      path.join(dir, `phu-luc-${String(i).padStart(2, '0')}.md`),
      report(`Phụ lục ${i}`, `phụ lục ${i}`, 1000 + i, 48),
    );
  }
  await setVersion(dir, version);
}

/** Switches the corpus to `version` with one atomic rename. */
export async function setVersion(dir: string, version: Version): Promise<void> {
  const staging = path.join(dir, `.staging-${process.pid}`);
  await writeFile(staging, versionReport(version));
  await rename(staging, path.join(dir, VERSION_FILE));
}
