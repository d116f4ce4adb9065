// One time limit over a whole image read, however many streams and child processes it takes: when it
// expires every registered resource is torn down with the same error, so the awaiting code sees exactly one.

export class Deadline {
  private readonly timer: NodeJS.Timeout;
  private readonly cleanups = new Set<(error: Error) => void>();
  private expiredWith: Error | null = null;

  constructor(ms: number, makeError: () => Error) {
    this.timer = setTimeout(() => this.end(makeError()), ms);
    // A pending limit must not keep a CLI process alive after its work is done.
    this.timer.unref();
  }

  /** The timeout error once the limit has passed, else null. */
  get error(): Error | null {
    return this.expiredWith;
  }

  /** Runs `cleanup` if the limit passes while the resource is in use; call the returned function when done. */
  register(cleanup: (error: Error) => void): () => void {
    if (this.expiredWith) {
      cleanup(this.expiredWith);
      return () => {};
    }
    this.cleanups.add(cleanup);
    return () => this.cleanups.delete(cleanup);
  }

  /** Tears everything down now with `error`, as the limit passing would (the caller gave up). */
  end(error: Error): void {
    if (this.expiredWith) return;
    clearTimeout(this.timer);
    this.expiredWith = error;
    for (const cleanup of this.cleanups) cleanup(error);
    this.cleanups.clear();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.cleanups.clear();
  }
}
