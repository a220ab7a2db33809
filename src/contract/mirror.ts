/**
 * Compile-time check that a response schema names every field of the domain value it serializes.
 * fast-json-stringify drops fields a schema does not name, so a field added to the domain type and
 * not to the schema would vanish from the answer; `Same` makes that a type error instead.
 * Intersections are flattened first (`Part & {…}` and a TypeBox object compare alike), and an
 * optional field equals a required one that may be undefined (the serializer omits both alike).
 */
type Deep<T> = T extends readonly (infer U)[] ? Deep<U>[] : T extends object ? { [K in keyof T]-?: Deep<Exclude<T[K], undefined>> } : T;
export type Same<A, B> = (<T>() => T extends Deep<A> ? 1 : 2) extends <T>() => T extends Deep<B> ? 1 : 2 ? true : false;
/** `export type X = Mirrors<Same<Static<typeof Schema>, Domain>>` fails to compile when they differ. */
export type Mirrors<T extends true> = T;
