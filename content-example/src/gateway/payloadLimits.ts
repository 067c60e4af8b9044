import type { Readable } from 'node:stream';
import { IngressRejected } from './errors';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/**
 * Rejects early when the client announces a body over the cap. This is only a
 * shortcut: chunked requests have no content-length, so readBoundedBody still counts.
 */
export function checkDeclaredLength(contentLength: string | undefined, maxBytes: number): void {
  if (contentLength === undefined) return;
  const declared = Number(contentLength);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new IngressRejected('payload_too_large', `declared ${declared} bytes, cap is ${maxBytes}`);
  }
}

/**
 * Reads the raw request body, counting bytes as they arrive, and gives up at the cap.
 *
 * @plan:PLAN-20251104-INGRESS-HARDENING.P02
 * @requirement:REQ-ING-003
 * @plan:PLAN-20251104-INGRESS-HARDENING.P04
 * @requirement:REQ-ING-003
 */
export async function readBoundedBody(stream: Readable, maxBytes = DEFAULT_MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of stream) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    received += buf.length;
    if (received > maxBytes) {
      // @plan PLAN-20251104-INGRESS-HARDENING.P04: destroy, do not drain; draining a
      // 200 MB upload just to answer 413 is the incident we are fixing.
      stream.destroy();
      throw new IngressRejected('payload_too_large', `more than ${maxBytes} bytes received`);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks, received);
}
