import Database from "better-sqlite3";
import type { ChannelName } from "@patron/channels";
import type { CampaignDefinition } from "@patron/dsl";
import { recordOptOut } from "../../src/consent/opt-outs.js";
import type { RenderFn } from "../../src/plan/decide.js";
import type { Funnel } from "../../src/plan/funnel.js";
import type { PlanConfig, PlanInput } from "../../src/plan/plan-run.js";
import { chooseSlot } from "../../src/runs/due.js";
import { planRun } from "../../src/runs/run.js";
import type { Db } from "../../src/store/store.js";
import { renderFor } from "../delivery/support.js";
import { checkProgram } from "../support/campaigns.js";
import { addMember, memoryStore } from "../support/store.js";
import { campaignText, couponConfigs, MESSAGES, POLICY_ENV, type CampaignSpec, type MemberSpec, type Scenario } from "./scenario.js";

/*
 * Plays a Scenario against a real in-memory store: members inserted, campaigns checked by the
 * real checker, then for each run instant the opt-outs due before it and every campaign planned
 * with planRun in priority order (highest first, ties in file order), each at the slot
 * chooseSlot gives it, as `patron run` plans them (packages/cli/src/commands/run.ts). What was
 * true when each run planned (who had opted out of what) is kept beside it for the oracles.
 */

/** Fails for members without a name: a strict template meeting a missing value (offer-b, coupon-b). */
export const render: RenderFn = (member, message, channel, extras) => {
  if (member.name === null && (message === "offer-b" || message === "coupon-b")) {
    throw new Error(`message "${message}": {{name}} is missing for member ${member.id}`);
  }
  const code = extras.coupon ? ` code ${extras.coupon.code}` : "";
  return renderFor(channel, message, `hi ${member.name ?? member.id}${code}`);
};

export interface PlayedRun {
  readonly runId: number;
  /** Which run instant of the scenario (0…). */
  readonly index: number;
  readonly campaign: CampaignSpec;
  readonly asOf: number;
  readonly slot: number;
  readonly alreadyPlanned: boolean;
  readonly funnel: Funnel;
  /** `member/channel` pairs opted out when it planned. */
  readonly optedOut: ReadonlySet<string>;
}

export interface OutboxRecord {
  readonly id: number;
  readonly run_id: number;
  readonly member_id: string;
  readonly action: number;
  readonly decision: string;
  readonly marketing: number;
  readonly planned_for: number;
  readonly zone: string | null;
  readonly deferred_until: number | null;
  readonly channel: ChannelName | null;
  readonly message: string | null;
  readonly address: string | null;
  readonly content: string | null;
  readonly state: string;
  readonly not_before: number;
  readonly sent_at: number | null;
}

export interface CodeRecord {
  readonly code: string;
  readonly coupon: string;
  readonly member_id: string;
  readonly run_id: number;
}

export const optKey = (member: string, channel: ChannelName): string => `${member}/${channel}`;

export class World {
  readonly db: Db;
  readonly runs: PlayedRun[] = [];
  readonly optedOut = new Set<string>();
  /** Every opt-out and opt-in recorded, with how many plannings had happened before it. */
  readonly optOutLog: { readonly key: string; readonly action: "opt-out" | "opt-in"; readonly afterPlannings: number }[] = [];
  readonly config: PlanConfig;
  /** Campaigns in the order a run plans them: priority, highest first. */
  readonly byPriority: readonly { readonly spec: CampaignSpec; readonly definition: CampaignDefinition }[];
  readonly instants: readonly number[];

  constructor(
    readonly scenario: Scenario,
    /** memberOrder: the order members are inserted in; store: one holding the scenario's members already. */
    options: { readonly memberOrder?: readonly MemberSpec[]; readonly store?: Db } = {},
  ) {
    this.db = options.store ?? freshStore();
    if (!options.store) {
      const order = options.memberOrder ?? scenario.members;
      this.db.transaction(() => {
        for (const m of order) addMember(this.db, memberRow(m));
      })();
    }
    this.config = {
      timezone: scenario.businessZone,
      coupons: couponConfigs(scenario.coupons),
      messages: MESSAGES.map((name) => ({ name, purpose: scenario.purposes[name] })),
      ...(scenario.frequencyCap ? { frequencyCap: scenario.frequencyCap } : {}),
      ...(scenario.quietHours ? { quietHours: scenario.quietHours } : {}),
    };
    const definitions = checkedCampaigns(scenario);
    const paired = scenario.campaigns.map((spec, i) => ({ spec, definition: definitions[i] as CampaignDefinition }));
    this.byPriority = [...paired].sort((a, b) => b.definition.priority - a.definition.priority);
    this.instants = scenario.runs.map((t) => Date.parse(t));
  }

  /** Records the scenario's opt-outs (and opt-ins) due before run `index`, at `at`. */
  applyOptOuts(index: number, at: number): void {
    for (const o of this.scenario.optOuts) {
      if (o.beforeRun !== index) continue;
      const member = this.scenario.members[o.member] as MemberSpec;
      recordOptOut(this.db, { memberId: member.id, channel: o.channel, action: o.action, source: "inbound", at });
      this.optOutLog.push({ key: optKey(member.id, o.channel), action: o.action, afterPlannings: this.runs.length });
      if (o.action === "opt-out") this.optedOut.add(optKey(member.id, o.channel));
      else this.optedOut.delete(optKey(member.id, o.channel));
    }
  }

  /** An opt-out recorded between runs, while planned messages wait (the dispatcher must honour it). */
  optOut(memberId: string, channel: ChannelName, at: number): void {
    recordOptOut(this.db, { memberId, channel, action: "opt-out", source: "inbound", detail: "TD", at });
    this.optOutLog.push({ key: optKey(memberId, channel), action: "opt-out", afterPlannings: this.runs.length });
    this.optedOut.add(optKey(memberId, channel));
  }

  /** Plans every campaign at run instant `index`, in priority order. */
  plan(index: number): void {
    const asOf = this.instants[index] as number;
    this.applyOptOuts(index, asOf - 60_000);
    for (const { spec, definition } of this.byPriority) {
      const choice = spec.slotPerRun ? { run: true, slot: asOf } : chooseSlot(this.db, definition, asOf, this.config.timezone, false);
      if (!choice.run) throw new Error(`${spec.id} does not run at ${new Date(asOf).toISOString()}`);
      const input: PlanInput = {
        db: this.db,
        config: this.config,
        campaign: definition,
        audience: { env: { ...POLICY_ENV, timezone: this.config.timezone }, segments: new Map(), asOf },
        render,
        needsExpiring: false,
      };
      const result = planRun(input, choice.slot, `campaigns/${spec.id}.campaign`);
      this.runs.push({
        runId: result.run.id,
        index,
        campaign: spec,
        asOf,
        slot: choice.slot,
        alreadyPlanned: result.alreadyPlanned,
        funnel: result.funnel,
        optedOut: new Set(this.optedOut),
      });
    }
  }

  /** Every run instant in turn, then the opt-outs after the last. */
  playAll(): this {
    for (let i = 0; i < this.instants.length; i++) this.plan(i);
    this.applyOptOuts(this.instants.length, (this.instants[this.instants.length - 1] as number) + 60_000);
    return this;
  }

  /** Whether the member opted out of the channel after run `runId` planned. */
  optedOutSince(runId: number, key: string): boolean {
    const planning = this.runs.findIndex((r) => r.runId === runId && !r.alreadyPlanned);
    return this.optOutLog.some((e) => e.key === key && e.action === "opt-out" && e.afterPlannings > planning);
  }

  /** The run that planned a row (the first planning of its run id; a repeated slot adds nothing). */
  runOf(runId: number): PlayedRun {
    const run = this.runs.find((r) => r.runId === runId && !r.alreadyPlanned);
    if (!run) throw new Error(`no planning recorded for run ${runId}`);
    return run;
  }

  rows(where = "1 = 1", ...params: unknown[]): OutboxRecord[] {
    return this.db.prepare(`SELECT * FROM outbox WHERE ${where} ORDER BY id`).all(...params) as OutboxRecord[];
  }

  codes(): CodeRecord[] {
    return this.db.prepare("SELECT code, coupon, member_id, run_id FROM coupon_codes ORDER BY run_id, code").all() as CodeRecord[];
  }

  member(id: string): MemberSpec {
    const m = this.scenario.members.find((x) => x.id === id);
    if (!m) throw new Error(`no member ${id}`);
    return m;
  }
}

let template: Buffer | undefined;

/** An empty store with the current schema: a copy of one migrated once (migrating costs more than a whole scenario). */
function freshStore(): Db {
  if (template === undefined) {
    const db = memoryStore();
    template = db.serialize();
    db.close();
  }
  const db = new Database(template);
  db.pragma("temp_store = MEMORY");
  return db;
}

const checkedCache = new Map<string, readonly CampaignDefinition[]>();

function checkedCampaigns(s: Scenario): readonly CampaignDefinition[] {
  const texts = s.campaigns.map((c) => campaignText(c));
  const key = `${s.businessZone}\n${texts.join("\n")}`;
  let found = checkedCache.get(key);
  if (!found) {
    const program = checkProgram(Object.fromEntries(texts.map((t, i) => [`campaigns/${s.campaigns[i]?.id}.campaign`, t])), {
      env: { ...POLICY_ENV, timezone: s.businessZone },
    });
    found = s.campaigns.map((c) => {
      const d = program.campaigns.find((x) => x.id === c.id);
      if (!d) throw new Error(`campaign ${c.id} was not checked`);
      return d;
    });
    checkedCache.set(key, found);
  }
  return found;
}

function memberRow(m: MemberSpec): Parameters<typeof addMember>[1] {
  return {
    id: m.id,
    name: m.name,
    tier: m.tier,
    timezone: m.timezone,
    phone: m.phone,
    email: m.email,
    wechat_openid: m.wechat,
    consent_sms: m.consent.sms,
    consent_email: m.consent.email,
    consent_wechat: m.consent.wechat,
  };
}
