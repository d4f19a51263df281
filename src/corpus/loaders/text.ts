// .txt and .md reports: already decoded by detect.ts; here only the front matter and the markdown
// heading are read for the title.
import { parseFrontMatter } from '../front-matter.js';
import type { ParsedFile } from './detect.js';

// ATX level-1 heading; a closing run of #s is decoration.
const MD_H1 = /^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$/;

function firstMarkdownHeading(body: string): string | undefined {
  let inFence = false;
  for (const line of body.split('\n')) {
    if (/^ {0,3}(```|~~~)/.test(line)) inFence = !inFence;
    if (inFence) continue;
    const match = MD_H1.exec(line);
    // Citations show the title as plain text: drop links' targets and emphasis marks.
    if (match) return match[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/(\*\*|__|\*|`)/g, '');
  }
  return undefined;
}

/** Reads a decoded .txt or .md report: the front matter's title and date, else for .md, the first heading as title. */
export function parseTextFile(decoded: string, ext: string): ParsedFile {
  const front = parseFrontMatter(decoded);
  const body = front.body.replace(/\r\n?/g, '\n');
  return {
    text: body,
    title: front.title ?? (ext === '.md' ? firstMarkdownHeading(body) : undefined),
    date: front.date,
  };
}
