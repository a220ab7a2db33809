/**
 * Domain errors: plain classes with a stable `code`, no HTTP in sight. `src/http/errors.ts` maps
 * each code to a status and renders `{ error: { code, message } }`, so parts below `http/` stay
 * free of Fastify.
 */
export class DomainError extends Error {
  readonly code: string = 'error';
}

export class BadRequest extends DomainError {
  override readonly code: string = 'bad_request';
}
export class InvalidEvent extends BadRequest {
  override readonly code = 'invalid_event';
  constructor(problems: string) {
    super(`invalid event: ${problems}`);
  }
}
export class NotFound extends DomainError {
  override readonly code = 'not_found';
}
export class Conflict extends DomainError {
  override readonly code: string = 'conflict';
}
export class IdempotencyConflict extends Conflict {
  override readonly code = 'idempotency_conflict';
  constructor(key: string | null) {
    super(`idempotency key '${key}' was already used for a different event`);
  }
}
export class Unauthorized extends DomainError {
  override readonly code = 'unauthorized';
}
export class Forbidden extends DomainError {
  override readonly code = 'forbidden';
}
