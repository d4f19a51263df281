// Word 97-2003 .doc reports via word-extractor (pure JavaScript, reads the OLE2 container and the
// piece table; maintained, no native code). Tables come out as tab-separated cells; consecutive lines
// with tabs are turned into rows with their headers like every other table.
import WordExtractor from 'word-extractor';
import { UnreadableFileError, type ParsedFile } from './detect.js';
import { tabbedTablesToText } from './table-text.js';
import { describeError } from '../../errors.js';

export { splitRows, tabbedTablesToText } from './table-text.js';

/**
 * Reads a Word 97-2003 .doc report's text, its tables as rows with their headers; an .xls or .ppt under a .doc
 * name is refused with a hint.
 */
export async function parseDoc(bytes: Buffer): Promise<ParsedFile> {
  let body: string;
  try {
    const document = await new WordExtractor().extract(bytes);
    body = document.getBody();
  } catch (error) {
    const message = describeError(error);
    // An OLE2 container that is not a Word document: an .xls or .ppt under a .doc name.
    if (/WordDocument|magic number|stream/i.test(message)) {
      throw new UnreadableFileError(
        'not a Word .doc (an old Office file of another kind, e.g. .xls?): open it in Office and save it as .docx or .xlsx',
      );
    }
    throw new UnreadableFileError(`not a valid .doc (${message.slice(0, 160)})`);
  }
  return { text: tabbedTablesToText(body.replace(/\r\n?/g, '\n')) };
}
