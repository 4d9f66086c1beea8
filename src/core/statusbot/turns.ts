/**
 * Work done one at a time per key, in the order it was asked for: a channel's topic change waits for the
 * one before it there (an `ok` still restoring must not overwrite the alert posted right after it), while
 * other channels, on networks that may be down for hours, do not wait for it.
 */
export class Turns {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const result = (this.tails.get(key) ?? Promise.resolve()).then(work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
