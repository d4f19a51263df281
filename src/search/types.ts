/** Turns texts into unit-length vectors. Only src/search/ talks to transformers.js. */
export interface Embedder {
  /** Identifies the model in the index manifest, e.g. "Xenova/multilingual-e5-small@q8". */
  readonly modelId: string;
  readonly dimension: number;
  /** Embeds passages ("passage: " prefix for e5), in batches; onProgress(done, total). */
  embedPassages(texts: string[], onProgress?: (done: number, total: number) => void): Promise<number[][]>;
  /** Embeds one question ("query: " prefix for e5). */
  embedQuery(text: string): Promise<number[]>;
}

/** Which side ranks passages: BM25 only, vectors only, or both fused (hybrid needs a model). */
export type SearchMode = 'hybrid' | 'lexical' | 'vector';

/** A passage found by a search, by position, with its score on that search's scale. */
export interface ScoredPassage {
  /** Index into the bundle's passage array. */
  index: number;
  score: number;
}
