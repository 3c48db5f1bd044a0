/**
 * The ids of the last events dispatched, to drop duplicates. A ring of the ids in arrival order
 * beside a set for lookups: remembering one more forgets the oldest in constant time (taking the
 * first key of a Map whose oldest keys were deleted scans over their holes, on every event).
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(private readonly size: number) {
    this.ring = new Array<string | undefined>(Math.max(0, size));
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Remembers `id` (one already remembered keeps its place); the oldest is forgotten past `size`. */
  add(id: string): void {
    if (this.size <= 0 || this.ids.has(id)) return;
    const oldest = this.ring[this.next];
    if (oldest !== undefined) this.ids.delete(oldest);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.size;
    this.ids.add(id);
  }
}
