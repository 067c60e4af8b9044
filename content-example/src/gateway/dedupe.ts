/**
 * Remembers provider delivery IDs for a sliding window, so that a provider retrying
 * after a slow acknowledgement does not reach the subscriber twice.
 *
 * @plan:PLAN-20251104-INGRESS-HARDENING.P04
 * @requirement:REQ-ING-004
 */
export class DeliveryDeduper {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  constructor(
    private readonly windowMs: number,
    private readonly maxEntries = 200_000,
  ) {}

  /**
   * Returns true the first time an ID is seen inside the window, false for a repeat.
   * Call only after the signature check, so forged requests cannot fill the window.
   *
   * @requirement:REQ-ING-004
   */
  admit(deliveryId: string, now: number = Date.now()): boolean {
    if (now - this.lastSweep > this.windowMs / 10) this.sweep(now);
    const firstSeen = this.seen.get(deliveryId);
    if (firstSeen !== undefined && now - firstSeen < this.windowMs) return false;
    if (this.seen.size >= this.maxEntries) this.evictOldest();
    this.seen.set(deliveryId, now);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  // @plan PLAN-20251104-INGRESS-HARDENING.P04
  // @requirement REQ-ING-004
  private sweep(now: number): void {
    for (const [id, firstSeen] of this.seen) {
      if (now - firstSeen >= this.windowMs) this.seen.delete(id);
    }
    this.lastSweep = now;
  }

  private evictOldest(): void {
    // Map iteration order is insertion order, so the first key is the oldest.
    const oldest = this.seen.keys().next();
    if (!oldest.done) this.seen.delete(oldest.value);
  }
}
