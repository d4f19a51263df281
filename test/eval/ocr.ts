// OCR quality and speed on scans the test fixtures make from the seed report (official header and
// footer included): each page drawn at 150, 200 and 300 dpi with a 0.7° rotation and Gaussian noise,
// wrapped in an image-only PDF, read back through the corpus loader's OCR path (pdftoppm + tesseract
// -l vie). Character error rate = edit distance / reference characters, whitespace collapsed.
//   npx tsx test/eval/ocr.ts [--dpi 150,200,300]        (also the last section of npm run eval)
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { parsePdf } from '../../src/corpus/loaders/pdf.js';
import { ocrUnavailableReason } from '../../src/corpus/loaders/ocr.js';
import { setLogLevel } from '../../src/log.js';
import { officialReport } from '../fixtures/official-report.js';
import { characterErrorRate, makeImagePdf, paginate, renderPage, scanToolsAvailable } from '../fixtures/scans.js';

export interface OcrFigure {
  dpi: number;
  pages: number;
  cer: number;
  /** Rendering and recognition only (the scan is made beforehand). */
  pagesPerSecond: number;
  secondsPerPage: number;
}

export async function measureOcr(dpis: number[] = [300, 200, 150]): Promise<OcrFigure[] | string> {
  if (!scanToolsAvailable())
    return 'OCR tools or ImageMagick missing (apt-get install -y tesseract-ocr tesseract-ocr-vie poppler-utils imagemagick)';
  const unavailable = await ocrUnavailableReason();
  if (unavailable) return unavailable;
  const pages = paginate(officialReport());
  const reference = pages.map((p) => p.join('\n')).join('\n');
  const figures: OcrFigure[] = [];
  for (const dpi of dpis) {
    const pdf = makeImagePdf(pages.map((lines) => renderPage(lines, { dpi, angle: 0.7, noise: 0.3 })));
    const started = process.hrtime.bigint();
    // Generous page budget: this measures quality and speed, not the budget (the machine may be shared).
    const text = await parsePdf(pdf, 120_000, `scan-${dpi}.pdf`, { dpi, pageTimeoutMs: 600_000 }).then(
      (parsed) => parsed.text,
      () => '',
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    figures.push({
      dpi,
      pages: pages.length,
      cer: characterErrorRate(reference, text),
      pagesPerSecond: pages.length / seconds,
      secondsPerPage: seconds / pages.length,
    });
  }
  return figures;
}

export function ocrTable(figures: OcrFigure[] | string): string[] {
  if (typeof figures === 'string') return ['## OCR of generated scans', '', `skipped: ${figures}`];
  return [
    '## OCR of generated scans (seed report + Decree 30 header/footer, 0.7° rotation, noise; tesseract -l vie)',
    '',
    '| dpi | pages | CER | pages/s | s/page |',
    '| --- | --- | --- | --- | --- |',
    ...figures.map(
      (f) =>
        `| ${f.dpi} | ${f.pages} | ${(f.cer * 100).toFixed(2)}% | ${f.pagesPerSecond.toFixed(3)} | ${f.secondsPerPage.toFixed(1)} |`,
    ),
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { dpi: { type: 'string', default: '300,200,150' } } });
  setLogLevel('warn');
  const figures = await measureOcr(values.dpi!.split(',').map(Number));
  process.stdout.write(ocrTable(figures).join('\n') + '\n');
}
