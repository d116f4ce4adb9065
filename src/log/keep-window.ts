// Keeps the first and the last items of a sequence of unknown length, in bounded memory.
//
// A kernel log that floods (a DMA-fault storm, a flapping link) must not push out the boot lines that
// say how the IOMMU came up, nor hide the latest state: so the first half and the last half are kept.

export class KeepWindow<T> {
  private readonly head: T[] = [];
  private readonly tail: T[];
  private tailStart = 0;
  private readonly headMax: number;
  private readonly tailMax: number;
  /** Items offered so far. */
  seen = 0;

  constructor(max: number) {
    const limit = Math.max(0, Math.floor(max));
    this.headMax = Math.ceil(limit / 2);
    this.tailMax = limit - this.headMax;
    this.tail = [];
  }

  add(item: T): void {
    this.seen++;
    if (this.head.length < this.headMax) {
      this.head.push(item);
      return;
    }
    if (this.tailMax === 0) return;
    if (this.tail.length < this.tailMax) {
      this.tail.push(item);
      return;
    }
    // Ring buffer: overwrite the oldest tail item.
    this.tail[this.tailStart] = item;
    this.tailStart = (this.tailStart + 1) % this.tailMax;
  }

  /** Items not kept. */
  get dropped(): number {
    return this.seen - this.head.length - this.tail.length;
  }

  /** The kept items in their original order. */
  items(): T[] {
    return [...this.head, ...this.tail.slice(this.tailStart), ...this.tail.slice(0, this.tailStart)];
  }
}
