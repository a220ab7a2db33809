import Type, { type Static } from 'typebox';

/** Every 4xx/5xx answer: `{ error: { code, message } }` (src/http/errors.ts). */
export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }, { additionalProperties: false }) },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;
