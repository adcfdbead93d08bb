/** T with its readonly properties writable: for building a value whose optional parts are set one by one. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
