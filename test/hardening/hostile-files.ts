// Hostile report files built in code for the hardening tests.

/**
 * A valid, tiny (~1.5 KB) PDF that keeps pdf.js busy for hours: the page draws form X1, which draws X2
 * ten times, … down to `levels` deep, and the innermost form shows one character. Text extraction
 * follows every form, so it visits 10^(levels-1) glyphs. (A form without text would be skipped by
 * pdf.js's empty-form cache, so the leaf must show something.)
 */
export function makeStallingPdf(levels = 9, fanout = 10): Buffer {
  const objects: string[] = [];
  const formId = (level: number) => 5 + level;
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = '<< /Type /Pages /Kids [3 0 R] /Count 1 >>';
  objects[3] =
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] ` +
    `/Resources << /XObject << /X ${formId(1)} 0 R >> /Font << /F1 4 0 R >> >> /Contents 5 0 R >>`;
  objects[4] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>';
  const page = 'BT /F1 12 Tf 72 700 Td (Bao cao) Tj ET /X Do';
  objects[5] = `<< /Length ${page.length} >>\nstream\n${page}\nendstream`;
  for (let level = 1; level <= levels; level++) {
    const leaf = level === levels;
    const body = leaf ? 'BT /F1 1 Tf 0 0 Td (a) Tj ET' : Array.from({ length: fanout }, () => '/X Do').join(' ');
    const xobjects = leaf ? '' : `/XObject << /X ${formId(level + 1)} 0 R >> `;
    objects[formId(level)] =
      `<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources << ${xobjects}/Font << /F1 4 0 R >> >> ` +
      `/Length ${body.length} >>\nstream\n${body}\nendstream`;
  }
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1');
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
