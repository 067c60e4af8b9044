import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { loadConfig, type GatewayConfig } from './config';
import { DeliveryDeduper } from './dedupe';
import { isIngressRejected, IngressRejected } from './errors';
import { checkDeclaredLength, readBoundedBody } from './payloadLimits';
import { verifySignature } from './signature';

export type Enqueue = (source: string, body: Buffer, headers: IncomingMessage['headers']) => Promise<void>;

function respond(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
  res.end(body);
}

/**
 * Liveness probe for the load balancer, kept from the old relay.
 *
 * @plan:PLAN-20990101-GHOST.P01
 */
function healthz(res: ServerResponse): void {
  respond(res, 200, 'ok');
}

/**
 * The ingress pipeline: size cap, signature, de-duplication, enqueue, in that order.
 *
 * @plan PLAN-20251104-INGRESS-HARDENING.P04
 * @requirement REQ-ING-001 through REQ-ING-003
 */
export function makeHandler(config: GatewayConfig, enqueue: Enqueue) {
  const deduper = new DeliveryDeduper(config.dedupeWindowMs);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method === 'GET' && req.url === '/healthz') return healthz(res);
    const match = /^\/hooks\/([a-z0-9-]+)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !match) return respond(res, 404, 'not found');
    try {
      const source = config.sources.get(match[1]);
      if (!source) throw new IngressRejected('unknown_source', match[1]);
      // @plan PLAN-20251104-INGRESS-HARDENING.P04 @requirement REQ-ING-001, REQ-ING-003
      checkDeclaredLength(req.headers['content-length'], config.maxBodyBytes);
      const body = await readBoundedBody(req, config.maxBodyBytes);
      const signature = req.headers['x-hookpost-signature'];
      verifySignature(Array.isArray(signature) ? signature[0] : signature, body, source.secret, config.signatureToleranceSec);
      // GitHub's ping event has no delivery ID; let it through undeduplicated.
      // @plan:ISSUE-42
      const deliveryId = req.headers[source.deliveryIdHeader ?? 'x-hookpost-delivery'];
      if (typeof deliveryId === 'string' && !deduper.admit(deliveryId)) return respond(res, 200, 'duplicate');
      await enqueue(source.name, body, req.headers);
      respond(res, 202, 'accepted');
    } catch (err) {
      if (isIngressRejected(err)) return respond(res, err.status, err.reason);
      console.error('ingress failure', err);
      respond(res, 500, 'internal error');
    }
  };
}

if (require.main === module) {
  const config = loadConfig();
  const enqueue: Enqueue = async (source, body) => console.log(`enqueue ${source} ${body.length}B`);
  createServer(makeHandler(config, enqueue)).listen(config.port);
}
