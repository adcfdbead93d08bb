// What `patron check` needs of the engine, as an entry of its own (@patron/engine/checks): the CLI
// bundle gives each command only the code it reaches, and through the package's main entry check
// would reach the whole engine (json-rules-engine, cron-parser, …) and load it at every start.
export { checkCompliance } from "./compliance/index.js";
export { checkTemplates, compileMessages } from "./render/index.js";
export type { SmsLengthReport } from "./render/index.js";
