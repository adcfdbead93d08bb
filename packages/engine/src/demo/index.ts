// Public API of the demo data generator (`patron demo-data`). Re-exported from the package index.
export { generateDemoData, StoreNotEmptyError } from "./store-writer.js";
export type { GenerateDemoOptions } from "./store-writer.js";
export { writeDemoCsv } from "./csv-writer.js";
export type { DemoCsvFiles } from "./csv-writer.js";
export { DEMO_BUSINESS } from "./generator.js";
export type { DemoBusiness, DemoMember, DemoOptions, DemoProgress, DemoSummary } from "./types.js";
