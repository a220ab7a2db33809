import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequest, Conflict, DomainError, Forbidden, NotFound, Unauthorized } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string };
}

const body = (code: string, message: string): ErrorBody => ({ error: { code, message } });

/**
 * The client went away mid-request (a phone closing a proxied page before its body came): the
 * stream it was being sent broke because its socket is gone. Nobody to answer, and no fault of ours.
 */
const GONE = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);
export const clientGone = (err: { code?: string }, req: FastifyRequest): boolean => GONE.has(err.code ?? '') && !!req.raw.socket?.destroyed;

/** Domain error class → HTTP status; subclasses (InvalidEvent, IdempotencyConflict) inherit their parent's. */
const statusOf: [new (...args: never[]) => DomainError, number][] = [
  [BadRequest, 400],
  [Unauthorized, 401],
  [Forbidden, 403],
  [NotFound, 404],
  [Conflict, 409],
];

export function httpStatus(err: DomainError): number {
  return statusOf.find(([cls]) => err instanceof cls)?.[1] ?? 500;
}

/** Every path answers errors as `{ error: { code, message } }`; 5xx details stay in the log. */
export default fp(
  async function errors(app: FastifyInstance) {
    app.setSchemaErrorFormatter((errors, dataVar) => {
      const first = errors[0];
      const where = `${dataVar}${first?.instancePath ? first.instancePath.replaceAll('/', '.') : ''}`;
      // An unknown field is reported on its parent ("body must NOT have additional properties"): name it.
      const extra = (first?.params as { additionalProperty?: unknown } | undefined)?.additionalProperty;
      const message = typeof extra === 'string' ? `${where}.${extra} is not a known field` : `${where} ${first?.message ?? 'is invalid'}`;
      const err = new Error(message) as FastifyError;
      err.statusCode = 400;
      err.code = 'bad_request';
      return err;
    });

    app.setErrorHandler((err: FastifyError | DomainError, req, reply) => {
      if (err instanceof DomainError) {
        const status = httpStatus(err);
        if (status < 500) return reply.status(status).send(body(err.code, err.message));
        req.log.error({ err }, 'request failed');
        return reply.status(status).send(body('internal', 'internal error; the organizers can find details in the server log'));
      }
      const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
      if (status >= 500 && clientGone(err, req)) {
        req.log.debug({ req, code: err.code }, 'client went away');
        return reply.status(499).send(); // the socket is closed: this goes nowhere
      }
      if (status >= 500) {
        req.log.error({ err }, 'request failed');
        return reply.status(status).send(body('internal', 'internal error; the organizers can find details in the server log'));
      }
      const code = err.validation ? 'bad_request' : (err.code ?? 'error').replace(/^FST_ERR_/, '').toLowerCase();
      return reply.status(status).send(body(code, err.message));
    });

    app.setNotFoundHandler((req, reply) => {
      reply.status(404).send(body('not_found', `no route for ${req.method} ${req.url.split('?')[0]}`));
    });
  },
  { name: 'errors' },
);
