// The report files the engine can read, for callers outside the engine: the bot checks an uploaded file
// here before it goes into the corpus, without reaching into the readers in src/corpus/.
import { readDocumentFile, SUPPORTED_EXTENSIONS as CORPUS_EXTENSIONS } from './corpus/load-corpus.js';

/** The file types the engine reads reports from (".pdf", ".docx", …); an upload of any other is refused. */
export const SUPPORTED_EXTENSIONS: readonly string[] = CORPUS_EXTENSIONS;

/**
 * Reads the file at `filePath` exactly as the next reload will read it under its corpus name `name`, so
 * that an unreadable upload is refused before it replaces a good report. Resolves with the report's title;
 * rejects with an error whose message is the reason to show the admin.
 */
export async function checkReportFile(
  filePath: string,
  name: string,
  options: { parseTimeoutMs?: number } = {},
): Promise<{ title: string }> {
  const document = await readDocumentFile(filePath, name, options);
  return { title: document.title };
}
