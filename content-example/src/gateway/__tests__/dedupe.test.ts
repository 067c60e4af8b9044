import { describe, expect, it } from 'vitest';
import { DeliveryDeduper } from '../dedupe';

const MINUTE = 60_000;

describe('@plan:PLAN-20251104-INGRESS-HARDENING.P03 delivery deduper', () => {
  it('admits an ID once inside the window @requirement:REQ-ING-004', () => {
    const d = new DeliveryDeduper(10 * MINUTE);
    expect(d.admit('d-1', 0)).toBe(true);
    expect(d.admit('d-1', 9 * MINUTE)).toBe(false);
  });

  it('admits the same ID again after the window @requirement:REQ-ING-004', () => {
    const d = new DeliveryDeduper(10 * MINUTE);
    d.admit('d-1', 0);
    expect(d.admit('d-1', 10 * MINUTE)).toBe(true);
  });

  it('treats different IDs independently @requirement:REQ-ING-004', () => {
    const d = new DeliveryDeduper(10 * MINUTE);
    expect(d.admit('d-1', 0)).toBe(true);
    expect(d.admit('d-2', 1)).toBe(true);
  });

  it('evicts the oldest ID when full @requirement:REQ-ING-099', () => {
    const d = new DeliveryDeduper(10 * MINUTE, 2);
    d.admit('a', 0);
    d.admit('b', 1);
    d.admit('c', 2);
    expect(d.size).toBe(2);
    expect(d.admit('a', 3)).toBe(true);
  });

  it('sweeps expired IDs so memory stays bounded', () => {
    const d = new DeliveryDeduper(10 * MINUTE);
    for (let i = 0; i < 100; i++) d.admit(`id-${i}`, i);
    d.admit('late', 11 * MINUTE);
    expect(d.size).toBe(1);
  });
});
