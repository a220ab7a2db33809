import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { BadRequest, Conflict, DomainError, Forbidden, IdempotencyConflict, InvalidEvent, NotFound, Unauthorized } from '../../src/errors.js';
import errors from '../../src/http/errors.js';

// Domain errors carry a code and no HTTP; src/http/errors.ts alone turns them into a status and
// the { error: { code, message } } body. Codes and statuses are the ones the first release answered.
const cases: Array<[DomainError, number, string, string]> = [
  [new BadRequest('name is empty'), 400, 'bad_request', 'name is empty'],
  [new InvalidEvent('data.x is missing'), 400, 'invalid_event', 'invalid event: data.x is missing'],
  [new Unauthorized('no token'), 401, 'unauthorized', 'no token'],
  [new Forbidden('not yours'), 403, 'forbidden', 'not yours'],
  [new NotFound('no team x'), 404, 'not_found', 'no team x'],
  [new Conflict('already running'), 409, 'conflict', 'already running'],
  [new IdempotencyConflict('k1'), 409, 'idempotency_conflict', "idempotency key 'k1' was already used for a different event"],
];

describe('domain errors', () => {
  it('know nothing of HTTP', () => {
    for (const [err] of cases) {
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toHaveProperty('statusCode');
    }
  });

  it.each(cases)('src/http/errors.ts answers %s with its status and code', async (err, status, code, message) => {
    const app = Fastify({ logger: false });
    await app.register(errors);
    app.get('/boom', async () => {
      throw err;
    });
    const r = await app.inject({ url: '/boom' });
    expect(r.statusCode).toBe(status);
    expect(r.json()).toEqual({ error: { code, message } });
    await app.close();
  });

  it('answers an unknown domain error as a 500 without its message', async () => {
    class Strange extends DomainError {}
    const app = Fastify({ logger: false });
    await app.register(errors);
    app.get('/boom', async () => {
      throw new Strange('secret detail');
    });
    const r = await app.inject({ url: '/boom' });
    expect(r.statusCode).toBe(500);
    expect(r.json().error.code).toBe('internal');
    expect(r.body).not.toContain('secret detail');
    await app.close();
  });
});
