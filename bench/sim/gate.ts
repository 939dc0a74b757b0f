/** A door requests wait at: open by default; `close()` holds every caller until the returned `open` runs. */
export class Gate {
  #closed: Promise<void> | null = null;
  #waiting = 0;

  /** How many callers are held right now. */
  get waiting(): number {
    return this.#waiting;
  }

  close(): () => void {
    let open!: () => void;
    this.#closed = new Promise<void>((resolve) => (open = resolve));
    return () => {
      this.#closed = null;
      open();
    };
  }

  /** Resolves at once when open; `null` lets the hot path skip an await entirely. */
  pass(): Promise<void> | null {
    const closed = this.#closed;
    if (closed === null) return null;
    this.#waiting += 1;
    return closed.then(() => {
      this.#waiting -= 1;
    });
  }
}
