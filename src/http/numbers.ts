import Type from 'typebox';

interface Bounds {
  minimum?: number;
  exclusiveMinimum?: number;
  /** Required: every number a client sends has a cap. */
  maximum: number;
  default?: number;
  description?: string;
}

/** The largest sequence number or board version a client may name. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

// Ajv coerces the string "1e400" to Infinity and then skips minimum/maximum for non-finite numbers
// (they are guarded by isFinite), so 1e400 passed every cap. The inner type check sees the coerced
// value and refuses it: a 400 naming the field instead of a 500 or a bypassed cap.
/** A whole number from a querystring or body, bounded, never ±Infinity. */
export const BoundedInteger = (bounds: Bounds) => Type.Integer({ ...bounds, allOf: [{ type: 'integer' }] });
/** A number from a querystring or body, bounded, never ±Infinity. */
export const BoundedNumber = (bounds: Bounds) => Type.Number({ ...bounds, allOf: [{ type: 'number' }] });
