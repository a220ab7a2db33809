import createError from '@fastify/error';

/** Domain errors with the HTTP status a client should see; the error handler renders `{ error: { code, message } }`. */
export const InvalidEvent = createError('invalid_event', 'invalid event: %s', 400);
export const IdempotencyConflict = createError(
  'idempotency_conflict',
  "idempotency key '%s' was already used for a different event",
  409,
);
export const BadRequest = createError('bad_request', '%s', 400);
export const NotFound = createError('not_found', '%s', 404);
export const Conflict = createError('conflict', '%s', 409);
export const Unauthorized = createError('unauthorized', '%s', 401);
export const Forbidden = createError('forbidden', '%s', 403);
