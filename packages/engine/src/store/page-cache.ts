import type { Db } from "./store.js";

/*
 * openStore gives a connection a 64 MB page cache: audience queries scan large indexes. Work that
 * streams through a table once (paging through a planned audience, counting a run's outbox rows)
 * gains nothing from it, and a million-member planning would fill it with pages it never reads
 * again, past its memory budget. Such work runs with a small cache and gives the size back.
 */

/** The page cache (KiB) for work that reads or writes a table once, in order. */
export const STREAMING_CACHE_KIB = 16_384;

/** Sets the connection's page cache to `kib` KiB; the returned function restores the size it had. */
export function shrinkPageCache(db: Db, kib = STREAMING_CACHE_KIB): () => void {
  const before = db.pragma("cache_size", { simple: true }) as number;
  db.pragma(`cache_size = ${-Math.max(1, Math.floor(kib))}`);
  return () => {
    db.pragma(`cache_size = ${before}`);
  };
}

/** Runs `fn` with a small page cache (see shrinkPageCache). */
export function withSmallPageCache<T>(db: Db, fn: () => T): T {
  const restore = shrinkPageCache(db);
  try {
    return fn();
  } finally {
    restore();
  }
}
