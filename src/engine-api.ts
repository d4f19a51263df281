// The engine's public surface as seen by the bot and the CLI. Kept in its own file so that the bot can be
// written and tested against it without importing the search internals.
import type { Answer } from './answer/types.js';
import type { SearchMode } from './search/types.js';
import type { SkippedFile } from './corpus/types.js';
import type { SynonymProblemKind } from './question/synonyms.js';

/**
 * Questions are searched on their first MAX_QUESTION_CHARS characters (a pasted page must not slow
 * everyone down); the bot answers longer ones with a polite "too long".
 */
export const MAX_QUESTION_CHARS = 1000;

/** The most passages one question may ask for (`ask --k`, AskOptions.k); more would only slow the answer. */
export const MAX_K = 50;

/** Per-question options of AnswerEngine.ask. */
export interface AskOptions {
  /** How many passages to return, 1 to MAX_K (default: the engine's defaultK, ANSWER_PASSAGES). */
  k?: number;
}

/** What an index build did, for the admin who asked for a reload. */
export interface IndexSummary {
  documents: number;
  passages: number;
  skipped: SkippedFile[];
  /** Passages whose vectors were reused from the previous index (incremental rebuild). */
  reusedEmbeddings: number;
  seconds: number;
  /** 'loaded': another copy built this index and this one loaded it (central index); absent: built here. */
  source?: 'built' | 'loaded';
}

/** The engine's state, for the bot's replies to admins, the health check and the metrics. */
export interface EngineStatus {
  ready: boolean;
  /** The mode actually serving: 'lexical' when the model could not be loaded. */
  mode: SearchMode;
  /** Why the engine fell back from the requested mode, if it did. */
  degradedReason: string | null;
  /** The same as a kind, for people who should not read machine paths (the bot's /docs). */
  degraded: 'no-model-configured' | 'model-unavailable' | null;
  /** The embedding model serving ("Xenova/multilingual-e5-small@q8"), or null in lexical mode. */
  modelId: string | null;
  documents: { title: string; source: string; date: string | null; passages: number }[];
  passages: number;
  builtAt: string | null;
  reloading: boolean;
  /** Corpus files the serving index could not read, with reasons (also after a restart). */
  skipped: SkippedFile[];
}

/** Progress of an index build or model load, for the start-up log and the admin's reload messages. */
export type ProgressEvent =
  | { stage: 'load'; done: number; total: number }
  | { stage: 'model'; message: string }
  | { stage: 'embed'; done: number; total: number }
  | { stage: 'save' };

/** Why a /synonym line was not added: the line itself, or where it would go. */
export type SynonymRefusal = SynonymProblemKind | 'no-file' | 'not-stored';

/** What adding a synonym group gave: the groups added, or why the line was refused. */
export interface SynonymUpdate {
  added: boolean;
  /** Why the line was refused (in English, for logs); null when added. */
  problem: string | null;
  /**
   * The same reason as a kind the bot words for the admin; 'no-file' when no synonyms file is configured,
   * 'not-stored' when the shared synonyms of several copies could not be written (the database).
   */
  problemKind: SynonymRefusal | null;
  /** The phrases of the group as parsed, when added. */
  phrases: string[];
}

/** What the bot and the CLI need of an engine: answers, status, reloads and synonyms. */
export interface AnswerEngine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  status(): EngineStatus;
  /**
   * Re-reads the corpus and rebuilds the index in the background of the serving one; swaps atomically when
   * complete. On failure the old index keeps serving and the promise rejects with a readable message.
   * Concurrent calls share the run in flight.
   */
  reload(onProgress?: (event: ProgressEvent) => void): Promise<IndexSummary>;
  /**
   * Adds one synonym group ("yếu kém = hạn chế, tồn tại") to the office's synonyms file and uses it at
   * once, without a reload. Optional: engines without a synonyms file do not offer it.
   */
  addSynonyms?(line: string): Promise<SynonymUpdate>;
  /** Releases the model and the index; the engine answers nothing after. */
  close(): Promise<void>;
}
