import { createHmac, timingSafeEqual } from 'node:crypto';
import { IngressRejected } from './errors';

export interface SignatureParts {
  timestamp: number;
  v1: string;
}

/**
 * Parses `t=<unix seconds>,v1=<hex>`; unknown keys are ignored so that providers can
 * add `v2` later without breaking us.
 */
export function parseSignatureHeader(header: string): SignatureParts {
  const parts = new Map<string, string>();
  for (const item of header.split(',')) {
    const [key, value] = item.trim().split('=', 2);
    if (key && value) parts.set(key, value);
  }
  const timestamp = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(timestamp) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) {
    throw new IngressRejected('signature_malformed', `cannot parse "${header.slice(0, 80)}"`);
  }
  return { timestamp, v1 };
}

/**
 * Verifies the HMAC over `<t>.<raw body>` before anything is enqueued.
 *
 * @plan:PLAN-20251104-INGRESS-HARDENING.P04
 * @requirement:REQ-ING-001
 * @pseudocode ingress-pipeline.md lines 14-19
 */
export function verifySignature(
  header: string | undefined,
  rawBody: Buffer,
  secret: string,
  toleranceSec: number,
  nowSec: number = Math.floor(Date.now() / 1000),
): void {
  if (header === undefined) {
    throw new IngressRejected('signature_missing', 'no X-Hookpost-Signature header');
  }
  const { timestamp, v1 } = parseSignatureHeader(header);
  if (Math.abs(nowSec - timestamp) > toleranceSec) {
    throw new IngressRejected('signature_expired', `timestamp ${timestamp} is ${nowSec - timestamp}s old`);
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const given = Buffer.from(v1, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new IngressRejected('signature_mismatch', 'HMAC does not match body');
  }
}
