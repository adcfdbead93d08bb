import { toCheckEnvironment } from "@patron/config";
import { describe, expect, it } from "vitest";
import { customValues } from "../../src/plan/members.js";
import { createPlanner } from "../../src/plan/prepare.js";
import type { VariableKind } from "../../src/render/variables.js";
import { dryRun } from "../../src/plan/dry-run.js";
import { BASE_YAML, project } from "../render/support.js";
import { addMember, instant, memoryStore } from "../support/store.js";

/*
 * A planning page reads only the member fields the templates show (plan/members.ts): canonical
 * columns, custom fields out of the attributes JSON, and the birthday behind `age`. Each is
 * rendered here through the real templates, with the typed values a template must see.
 */

const AS_OF = instant("2026-12-05T09:30", "Asia/Shanghai");

const YAML = BASE_YAML.replace(
  "    last_visit: { type: date }\n",
  "    last_visit: { type: date }\n    app_user: { type: boolean }\n    visits: { type: number }\n",
).concat(`messages:
  fields:
    purpose: service
    sms:
      file: fields.sms.hbs
  consents:
    purpose: service
    sms:
      body: "{{member.consent_email}}|{{member.app_user}}|{{#if member.app_user}}app{{else}}no app{{/if}}"
`);

const TEMPLATE =
  "{{member.name}}|{{member.city}}|{{member.vip_store}}|{{member.visits}}|{{member.age}}|{{member.last_visit}}|{{member.joined_at}}|{{member.id}}|{{member.points}}|{{member.timezone}}";

function planned(message: string) {
  const { config, campaigns } = project(YAML, {
    "templates/fields.sms.hbs": TEMPLATE,
    "a.campaign": `campaign "a" {\n  when points >= 0, send message "${message}" via sms\n}\n`,
  });
  const db = memoryStore();
  addMember(db, {
    id: "M1",
    name: "王小明",
    phone: "+8613800000001",
    consent_sms: true,
    consent_email: null,
    points: 10,
    city: "上海",
    birthday: "1990-12-05",
    joined_at: "2020-01-02T10:00:00+08:00",
    timezone: "Asia/Shanghai",
    attributes: { vip_store: "SH01", visits: 7, last_visit: "2026-11-30", app_user: true },
  });
  addMember(db, {
    id: "M2",
    name: "李娜",
    phone: "+8613800000002",
    consent_sms: true,
    consent_email: true,
    points: 20,
    city: "北京",
    birthday: "1990-12-06",
    joined_at: "2021-06-01T10:00:00+08:00",
    // Not the business's zone: the page reads M1's zone (the business's) as a number, M2's as is.
    timezone: "Europe/Berlin",
    attributes: { vip_store: "BJ02", visits: 0, last_visit: "2026-01-31", app_user: false },
  });
  const env = toCheckEnvironment(config);
  const planner = createPlanner({ db, config, env, segments: new Map() });
  const campaign = campaigns[0];
  if (!campaign) throw new Error("no campaign");
  const result = dryRun(planner.input(campaign, AS_OF), 5);
  db.close();
  return result.samples.map((s) => [s.memberId, s.content.channel === "sms" ? s.content.body : ""]);
}

describe("the member fields a planning page reads", () => {
  it("renders canonical fields, custom fields of every kind, age on the member's local date and dates in the region's style", () => {
    expect(planned("fields")).toEqual([
      ["M1", "王小明|上海|SH01|7|36|2026年11月30日|2020年1月2日|M1|10|Asia/Shanghai"],
      ["M2", "李娜|北京|BJ02|0|35|2026年1月31日|2021年6月1日|M2|20|Europe/Berlin"],
    ]);
  });

  it("shows consents and custom booleans as true or false (a consent never given is false)", () => {
    expect(planned("consents")).toEqual([
      ["M1", "false|true|app"],
      ["M2", "true|false|no app"],
    ]);
  });
});

describe("custom fields, read when a render shows one", () => {
  const kinds = new Map<string, VariableKind>([
    ["app_user", "boolean"],
    ["visits", "number"],
    ["vip_store", "string"],
    ["note", "string"],
    ["name", "string"],
  ]);

  it("are typed as SQLite's ->> gives them: JSON true/false as booleans only for a boolean field, objects as their JSON", () => {
    expect(customValues('{"app_user":true,"visits":7,"vip_store":"SH01","note":{"a":[1]},"name":"not canonical"}', kinds)).toEqual({
      app_user: true,
      visits: 7,
      vip_store: "SH01",
      note: '{"a":[1]}',
    });
    expect(customValues('{"app_user":false,"note":true,"visits":null}', kinds)).toEqual({ app_user: false, note: 1, visits: null });
  });

  it("are none for a member without attributes or with attributes that are not a JSON object", () => {
    for (const custom of [undefined, "", "not json", "[1,2]", "null", '"text"'])
      expect(customValues(custom, kinds), String(custom)).toEqual({});
  });
});
