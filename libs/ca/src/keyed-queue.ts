/**
 * Runs tasks with the same key one after another (different keys run in parallel). The enroller
 * checks passwords for one user name through it, so parallel guesses cannot all pass the lockout
 * check before the first failure is counted, and cannot make the KDF run in parallel for one name.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
