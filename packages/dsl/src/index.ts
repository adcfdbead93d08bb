// Public API of @patron/dsl. Everything not exported here is internal.

// Source text and positions
export { SourceFile } from "./source/source-file.js";
export type { Position, Span } from "./source/source-file.js";

// Diagnostics
export type { Diagnostic, Severity } from "./diagnostics/diagnostic.js";
export { hasErrors, sortDiagnostics } from "./diagnostics/diagnostic.js";
export { DIAGNOSTIC_CODES } from "./diagnostics/codes.js";
export type { DiagnosticCode } from "./diagnostics/codes.js";
export { suggest, listNames, editDistance } from "./diagnostics/suggest.js";

// Checker environment
export { CANONICAL_FIELDS, CHANNEL_NAMES } from "./checker/environment.js";
export type { CheckEnvironment, ChannelName, CouponInfo, FieldInfo, FieldType, MessageInfo } from "./checker/environment.js";

// Parsing
export { parse } from "./parser/parse.js";
export type { CommentToken, ParseResult } from "./parser/parse.js";
export type * from "./ast/nodes.js";

// Checking
export { check } from "./checker/check.js";
export type { CheckInput } from "./checker/check.js";
export type { CampaignDefinition, CheckResult, SegmentDefinition } from "./checker/program.js";
export { structuralKey, walkCondition, conjuncts, unwrap } from "./ast/walk.js";

// Rendering diagnostics
export { renderText, renderGithub, toJson, displayWidth, PLAIN_STYLE } from "./diagnostics/render.js";
export type { DiagnosticJson, SourceLookup, TextStyle } from "./diagnostics/render.js";

// Documentation generated from the grammar
export { syntaxDiagramsHtml } from "./docs/syntax-diagrams.js";

// Formatting
export { formatFile } from "./format/index.js";
