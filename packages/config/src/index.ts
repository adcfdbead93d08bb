// Public API of @patron/config: patron.yaml, from file to checker environment.
// Everything not exported here is internal.

// Finding and loading
export { findConfigFile, CONFIG_FILE_NAMES } from "./find.js";
export { loadConfig, loadConfigText, loadNearestConfig } from "./load.js";
export type { LoadResult } from "./load.js";

// The checker environment
export { toCheckEnvironment } from "./environment.js";

// The loaded configuration
export { DEFAULTS } from "./defaults.js";
export type {
  ChannelsConfig,
  CodePool,
  CouponConfig,
  EmailChannelConfig,
  EmailTemplate,
  EnvRef,
  FrequencyCap,
  GeneratedCodes,
  MembersConfig,
  MessageConfig,
  MessagePurpose,
  PatronConfig,
  QuietHours,
  Region,
  SmsChannelConfig,
  TemplateSource,
  TimeOfDay,
  WechatChannelConfig,
  WechatTemplate,
  WechatTemplateKind,
} from "./types.js";

// The JSON Schema of patron.yaml
export { SCHEMA_FILE } from "./schema-file.js";
