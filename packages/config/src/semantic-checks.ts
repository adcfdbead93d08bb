import { statSync } from "node:fs";
import { resolve } from "node:path";
import { CANONICAL_FIELDS, listNames, suggest } from "@patron/dsl";
import type { ConfigDocument } from "./config-document.js";
import { DEFAULTS } from "./defaults.js";
import { displayPath, isRecord, type KeyPath } from "./key-path.js";
import { isTimeZone, knownTimeZones } from "./time-zone.js";

/**
 * The checks a JSON Schema cannot express: real time zones, duplicates ignoring case, names that
 * refer to each other, files that must exist. They run on the data whether or not it passed the
 * schema, so one run reports everything; each check skips values of the wrong shape, which the
 * schema has already reported.
 */
export function checkMeaning(config: ConfigDocument): void {
  const { data } = config;
  if (!isRecord(data)) return;
  checkTimezone(config, data["timezone"]);
  checkUnique(config, ["tiers"], data["tiers"], { ignoreCase: true, help: "list each tier once, lowest first" });
  checkUnique(config, ["segments"], data["segments"], { ignoreCase: false, help: "list each file once" });
  checkUnique(config, ["optOutKeywords"], data["optOutKeywords"], { ignoreCase: true, help: "replies are matched ignoring case" });
  checkCustomFields(config, isRecord(data["members"]) ? data["members"]["fields"] : undefined);
  checkNamesDistinct(config, ["messages"], data["messages"]);
  checkNamesDistinct(config, ["coupons"], data["coupons"]);
  checkCoupons(config, data["coupons"], data["messages"]);
  checkQuietHours(config, data["quietHours"]);
  checkFiles(config, data);
}

function checkTimezone(config: ConfigDocument, value: unknown): void {
  if (typeof value !== "string" || value === "" || isTimeZone(value)) return;
  const guess = suggest(value, knownTimeZones());
  config.valueError(
    "E403",
    ["timezone"],
    `timezone: "${value}" is not a known time zone`,
    `${guess ? `did you mean "${guess}"? ` : ""}Time zones are IANA names such as Asia/Shanghai or America/New_York`,
  );
}

function checkUnique(config: ConfigDocument, path: KeyPath, list: unknown, options: { ignoreCase: boolean; help: string }): void {
  if (!Array.isArray(list)) return;
  const seen = new Map<string, string>();
  list.forEach((item: unknown, index) => {
    if (typeof item !== "string") return;
    const key = options.ignoreCase ? item.toLowerCase() : item;
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, item);
      return;
    }
    const help = first === item ? options.help : `"${first}" and "${item}" differ only in case; ${options.help}`;
    config.valueError("E403", [...path, index], `${displayPath(path)}: "${item}" is listed twice`, help);
  });
}

/** Campaigns name messages and coupons ignoring case, so two names may not differ only in case. */
function checkNamesDistinct(config: ConfigDocument, path: KeyPath, map: unknown): void {
  if (!isRecord(map)) return;
  const seen = new Map<string, string>();
  for (const name of Object.keys(map)) {
    const first = seen.get(name.toLowerCase());
    if (first === undefined) seen.set(name.toLowerCase(), name);
    else
      config.keyError(
        "E403",
        [...path, name],
        `${displayPath(path)}: "${name}" and "${first}" differ only in case`,
        "campaigns name them ignoring case; rename one",
      );
  }
}

function checkCustomFields(config: ConfigDocument, fields: unknown): void {
  if (!isRecord(fields)) return;
  const canonical = CANONICAL_FIELDS.map((field) => field.name);
  for (const [name, field] of Object.entries(fields)) {
    const path = ["members", "fields", name];
    if (canonical.some((known) => known.toLowerCase() === name.toLowerCase())) {
      config.keyError(
        "E403",
        path,
        `${displayPath(path)}: "${name}" is a canonical member field`,
        `canonical fields are built in and cannot be redefined: ${listNames(canonical, 20)}; give the custom field another name`,
      );
    }
    if (!isRecord(field)) continue;
    const type = field["type"];
    if (field["values"] !== undefined && typeof type === "string" && type !== "string") {
      config.keyError(
        "E403",
        [...path, "values"],
        `${displayPath([...path, "values"])}: only string fields have a list of values`,
        `this field is a ${type} field; remove values, or make it type: string`,
      );
    }
    checkUnique(config, [...path, "values"], field["values"], { ignoreCase: false, help: "list each value once" });
  }
}

function checkCoupons(config: ConfigDocument, coupons: unknown, messages: unknown): void {
  if (!isRecord(coupons)) return;
  // When messages is malformed the schema says so; guessing at references would only add noise.
  const messageNames = messages === undefined ? [] : isRecord(messages) ? Object.keys(messages) : undefined;
  const couponByBrand = new Map<string, string>();
  for (const [name, coupon] of Object.entries(coupons)) {
    if (!isRecord(coupon)) continue;
    const message = coupon["message"];
    if (
      typeof message === "string" &&
      message !== "" &&
      messageNames &&
      !messageNames.some((m) => m.toLowerCase() === message.toLowerCase())
    ) {
      const guess = suggest(message, messageNames);
      const known = messageNames.length > 0 ? `Messages: ${listNames(messageNames)}` : "no messages are configured: add one under messages";
      const path = ["coupons", name, "message"];
      config.valueError(
        "E403",
        path,
        `${displayPath(path)}: no message named "${message}"`,
        `${guess ? `did you mean "${guess}"? ` : ""}${known}`,
      );
    }
    const brand = coupon["brand"];
    if (typeof brand !== "string" || brand === "") continue;
    const other = couponByBrand.get(brand.toLowerCase());
    if (other === undefined) couponByBrand.set(brand.toLowerCase(), name);
    else {
      const path = ["coupons", name, "brand"];
      config.valueError(
        "E403",
        path,
        `${displayPath(path)}: brand "${brand}" already has coupon "${other}"`,
        "`send coupon for brand` needs one coupon per brand; remove brand from one of them",
      );
    }
  }
}

function checkQuietHours(config: ConfigDocument, quietHours: unknown): void {
  if (!isRecord(quietHours)) return;
  const from = minutes(quietHours["from"]);
  if (from !== undefined && from === minutes(quietHours["until"])) {
    config.mappingError("E403", ["quietHours"], "quietHours: from and until are the same time", "remove quietHours to send at any hour");
  }
}

function minutes(time: unknown): number | undefined {
  const match = typeof time === "string" ? /^(\d{1,2}):(\d{2})$/.exec(time) : null;
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

function checkFiles(config: ConfigDocument, data: Record<string, unknown>): void {
  const besideConfig = "paths are relative to the folder holding patron.yaml";
  const segments = data["segments"];
  if (typeof segments === "string") checkFile(config, ["segments"], segments, config.dir, besideConfig);
  if (Array.isArray(segments)) {
    segments.forEach((file: unknown, index) => checkFile(config, ["segments", index], file, config.dir, besideConfig));
  }

  const templatesSetting = typeof data["templates"] === "string" ? data["templates"] : DEFAULTS.templates;
  const templatesDir = resolve(config.dir, templatesSetting);
  const templatesKind = kindOf(templatesDir);
  if (data["templates"] === templatesSetting && templatesKind !== "folder") {
    const message =
      templatesKind === "file"
        ? `templates: "${templatesSetting}" is a file, not a folder`
        : `templates: folder "${templatesSetting}" not found`;
    config.valueError(
      "E404",
      ["templates"],
      message,
      `${besideConfig}; create the folder, or set templates to the folder holding the message templates`,
    );
  } else {
    // Without a templates folder every template file would be reported; the folder error says it all.
    checkTemplateFiles(
      config,
      data["messages"],
      templatesDir,
      `template files are looked up in the templates folder, ${templatesSetting}/`,
    );
  }

  const coupons = data["coupons"];
  if (!isRecord(coupons)) return;
  for (const [name, coupon] of Object.entries(coupons)) {
    if (isRecord(coupon)) checkFile(config, ["coupons", name, "pool"], coupon["pool"], config.dir, besideConfig);
  }
}

const TEMPLATE_FILES: readonly (readonly [string, string])[] = [
  ["sms", "file"],
  ["email", "textFile"],
  ["email", "htmlFile"],
];

function checkTemplateFiles(config: ConfigDocument, messages: unknown, templatesDir: string, help: string): void {
  if (!isRecord(messages)) return;
  for (const [name, message] of Object.entries(messages)) {
    if (!isRecord(message)) continue;
    for (const [channel, key] of TEMPLATE_FILES) {
      const template = message[channel];
      if (isRecord(template)) checkFile(config, ["messages", name, channel, key], template[key], templatesDir, help);
    }
  }
}

function checkFile(config: ConfigDocument, path: KeyPath, file: unknown, baseDir: string, help: string): void {
  if (typeof file !== "string" || file === "") return;
  const kind = kindOf(resolve(baseDir, file));
  if (kind === "missing") config.valueError("E404", path, `${displayPath(path)}: file "${file}" not found`, help);
  if (kind === "folder") config.valueError("E404", path, `${displayPath(path)}: "${file}" is a folder, not a file`, help);
}

function kindOf(path: string): "file" | "folder" | "missing" {
  let stats;
  try {
    stats = statSync(path, { throwIfNoEntry: false });
  } catch {
    return "missing"; // a name no file can have, such as one containing a NUL character
  }
  return stats === undefined ? "missing" : stats.isDirectory() ? "folder" : "file";
}
