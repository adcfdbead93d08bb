import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";

/*
 * What patches/better-sqlite3@12.11.1.patch must leave as upstream gives it: the bytes a bound
 * string becomes, and the rows .all() returns (their values, order and count), raw and not.
 * The expected bytes are upstream's (String::Utf8Value): a lone surrogate is written as its
 * three-byte form, not replaced.
 */

let db: Database.Database | undefined;
afterEach(() => db?.close());

function memory(): Database.Database {
  db = new Database(":memory:");
  return db;
}

const STRINGS: readonly (readonly [string, string])[] = [
  ["", ""],
  ["plain ASCII", "706C61696E204153434949"],
  ["李艳婷，您有200积分", "E69D8EE889B3E5A9B7EFBC8CE682A8E69C89323030E7A7AFE58886"],
  ["emoji 😀", "656D6F6A6920F09F9880"],
  ["lone \ud800", "6C6F6E6520EDA080"],
  ["nul\u0000inside", "6E756C00696E73696465"],
];

describe("better-sqlite3 as patched", () => {
  it("binds a string as the same UTF-8 bytes upstream does, and reads it back", () => {
    const stmt = memory().prepare("SELECT hex(?), ?").raw(true);
    for (const [text, hex] of STRINGS) {
      const [bytes, back] = stmt.get(text, text) as [string, string];
      expect(bytes, JSON.stringify(text)).toBe(hex);
      if (!text.includes("\ud800")) expect(back).toBe(text);
    }
  });

  it("binds a long string whole (its buffer is sized from the string, not measured first)", () => {
    const long = `${"积分".repeat(50_000)}😀${"x".repeat(70_000)}`;
    const [length, back] = memory().prepare("SELECT length(CAST(? AS BLOB)), ?").raw(true).get(long, long) as [number, string];
    expect(length).toBe(Buffer.byteLength(long));
    expect(back).toBe(long);
  });

  it("binds strings to many parameters of one statement, through a transaction of many rows", () => {
    const d = memory();
    d.exec("CREATE TABLE t (a TEXT, b TEXT)");
    const insert = d.prepare("INSERT INTO t VALUES (?, ?), (?, ?)");
    const rows = Array.from({ length: 2_000 }, (_, i) => [`会员${i}`, i % 3 === 0 ? "" : `x${i}`]);
    d.transaction(() => {
      for (let i = 0; i < rows.length; i += 2) insert.run(...(rows[i] as string[]), ...(rows[i + 1] as string[]));
    })();
    expect(d.prepare("SELECT a, b FROM t ORDER BY rowid").raw(true).all()).toEqual(rows);
  });

  it("returns raw rows as arrays of every column, in order, and object rows by name", () => {
    const d = memory();
    d.exec("CREATE TABLE t (n INTEGER, r REAL, s TEXT, z TEXT, b BLOB)");
    const insert = d.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
    for (let i = 0; i < 1_000; i++) insert.run(i, i / 4, `s${i}`, null, Buffer.from([i % 256]));
    const raw = d.prepare("SELECT n, r, s, z, b FROM t ORDER BY n").raw(true).all() as unknown[][];
    expect(raw).toHaveLength(1_000);
    expect(raw[999]).toEqual([999, 249.75, "s999", null, Buffer.from([999 % 256])]);
    expect(Array.isArray(raw[0])).toBe(true);
    expect(d.prepare("SELECT n, s FROM t WHERE n < 2 ORDER BY n").all()).toEqual([
      { n: 0, s: "s0" },
      { n: 1, s: "s1" },
    ]);
    expect(d.prepare("SELECT n FROM t WHERE n < 0").raw(true).all()).toEqual([]);
    expect(d.prepare("SELECT s FROM t WHERE n IN (3, 4) ORDER BY n").pluck().all()).toEqual(["s3", "s4"]);
  });

  it("still refuses what SQLite cannot bind, naming why", () => {
    const stmt = memory().prepare("SELECT ?");
    expect(() => stmt.get(Symbol("x") as never)).toThrow(/can only bind numbers, strings, bigints, buffers, and null/);
    expect(() => stmt.get(true as never)).toThrow(/can only bind/);
  });
});
