import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IngressRejected } from '../errors';
import { parseSignatureHeader, verifySignature } from '../signature';

const SECRET = 'whsec_test_5f1c';
const NOW = 1_762_790_400; // 2025-11-10T16:00:00Z
const body = Buffer.from('{"action":"opened","number":42}');

function sign(t: number, payload: Buffer, secret = SECRET): string {
  const mac = createHmac('sha256', secret).update(`${t}.`).update(payload).digest('hex');
  return `t=${t},v1=${mac}`;
}

function reasonOf(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof IngressRejected ? err.reason : 'unexpected';
  }
}

/**
 * @plan:PLAN-20251104-INGRESS-HARDENING.P03
 * @requirement:REQ-ING-001
 */
describe('signature verification', () => {
  it('accepts a valid v1 signature', () => {
    expect(reasonOf(() => verifySignature(sign(NOW, body), body, SECRET, 300, NOW))).toBeUndefined();
  });

  it('rejects a timestamp outside the tolerance @requirement:REQ-ING-001', () => {
    expect(reasonOf(() => verifySignature(sign(NOW - 301, body), body, SECRET, 300, NOW))).toBe('signature_expired');
  });

  it('rejects a body changed after signing @requirement:REQ-ING-001', () => {
    const tampered = Buffer.from('{"action":"closed","number":42}');
    expect(reasonOf(() => verifySignature(sign(NOW, body), tampered, SECRET, 300, NOW))).toBe('signature_mismatch');
  });

  it('rejects a missing header', () => {
    expect(reasonOf(() => verifySignature(undefined, body, SECRET, 300, NOW))).toBe('signature_missing');
  });

  // Regression: one provider puts a space after the comma.
  it('parses a header with spaces between parts', () => {
    const header = sign(NOW, body).replace(',', ', ');
    expect(parseSignatureHeader(header).timestamp).toBe(NOW);
  });
});
