// The SQL audience compiler: a checked campaign condition → one parameterised SELECT.
// Meaning: ../SEMANTICS.md. Everything not exported here is internal to this folder.

// Compiling
export { compileAudience, compileCondition, usesLocalDates } from "./compile.js";
export type { CompiledSql } from "./compile.js";
export { AudienceCompileError } from "./context.js";
export type { AudienceContext, AudienceStats } from "./context.js";
export type { SqlValue } from "./fragment.js";

// Running against the store
export { audienceQuery, distinctMemberZones, iterateAudience, selectAudience, storeStats } from "./select.js";
export type { AudienceOptions, AudienceResult } from "./select.js";
