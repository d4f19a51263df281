// Recent answers by question, for as long as what they were computed from stays the same. In a burst
// many citizens ask the same thing (the /start example buttons, a question making the rounds after an
// announcement); the engine's answer is a pure function of the question, k and the engine's state (index
// snapshot, thesaurus, similarity floors, model), so the second asker gets the first one's answer
// without the search and excerpt choice (~3 ms of CPU each on this machine, ~half a question's cost).
// The answer is kept as a promise from the moment it is asked: grammY's runner starts a whole batch of
// updates before any answer is done, and identical questions within a batch must share one computation.
import type { Answer } from './types.js';

/** Entries kept (oldest dropped first); a few hundred answers are well under a megabyte. */
const DEFAULT_CAPACITY = 500;

/** Answers memoised per question and k, all dropped when any object of the engine's state changes. */
export class AnswerMemo {
  private readonly answers = new Map<string, Promise<Answer>>();
  private state: readonly unknown[] = [];

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  /**
   * The answer for `question` and k (a shallow copy of it): the one memoised while `state` holds the same
   * objects as when it was asked, or the one `compute` makes (memoised unless it fails).
   */
  async answer(
    question: string,
    k: number,
    state: readonly unknown[],
    compute: () => Promise<Answer>,
  ): Promise<Answer> {
    this.checkState(state);
    const key = keyOf(question, k);
    let answer = this.answers.get(key);
    if (!answer) {
      if (this.answers.size >= this.capacity) this.answers.delete(this.answers.keys().next().value!);
      answer = compute();
      this.answers.set(key, answer);
      answer.catch(() => {
        if (this.answers.get(key) === answer) this.answers.delete(key);
      });
    }
    return { ...(await answer) };
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
