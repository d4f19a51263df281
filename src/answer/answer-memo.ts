// Recent answers by question, for as long as what they were computed from stays the same. In a burst
// many citizens ask the same thing (the /start example buttons, a question making the rounds after an
// announcement); the engine's answer is a pure function of the question, k and the engine's state (index
// snapshot, thesaurus, similarity floors, model), so the second asker gets the first one's answer
// without the search and excerpt choice (~3 ms of CPU each on this machine, ~half a question's cost).
import type { Answer } from './types.js';

/** Entries kept (oldest dropped first); a few hundred answers are well under a megabyte. */
const DEFAULT_CAPACITY = 500;

/** Answers memoised per question and k, all dropped when any object of the engine's state changes. */
export class AnswerMemo {
  private readonly answers = new Map<string, Answer>();
  private state: readonly unknown[] = [];

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /**
   * The memoised answer (a shallow copy) while `state` holds the same objects as when it was stored,
   * or undefined.
   */
  get(question: string, k: number, state: readonly unknown[]): Answer | undefined {
    this.checkState(state);
    const answer = this.answers.get(keyOf(question, k));
    return answer ? { ...answer } : undefined;
  }

  /** Keeps `answer` for `question` and k, computed from `state`. */
  set(question: string, k: number, state: readonly unknown[], answer: Answer): void {
    this.checkState(state);
    if (this.answers.size >= this.capacity) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(keyOf(question, k), answer);
  }

  get size(): number {
    return this.answers.size;
  }

  private checkState(state: readonly unknown[]): void {
    if (state.length === this.state.length && state.every((item, i) => item === this.state[i])) return;
    this.answers.clear();
    this.state = [...state];
  }
}

function keyOf(question: string, k: number): string {
  return `${k}\u0000${question}`;
}
