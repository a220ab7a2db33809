import Type, { type Static } from 'typebox';

/** GET /healthz. */
export const Health = Type.Object({ status: Type.Literal('ok'), version: Type.String(), seq: Type.Integer() }, { additionalProperties: false });
export type Health = Static<typeof Health>;
