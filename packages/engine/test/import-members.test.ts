import { describe, expect, it } from "vitest";
import { counts, csv, workspace } from "./fixtures/import/helpers.js";

const HEADER =
  "id,name,phone,email,wechat_openid,tier,points,city,gender,birthday,joined_at,timezone,consent_sms,consent_email,consent_wechat,referred_by";

describe("importing members", () => {
  it("imports the canonical columns as typed values", async () => {
    const w = workspace();
    w.file(
      "members.csv",
      csv(
        HEADER,
        "m1,Ann Lee,+8613800000001,ann@example.com,oA1,gold,120.5,Shanghai,女,1990-05-04,2024-01-15T10:00:00+08:00,Asia/Shanghai,yes,no,1,",
        'm2,"Li, Wei",,,,SILVER,,Beijing,M,2000-02-29,2024-03-01,,,,,m1',
      ),
    );
    const s = await w.run("members", "members.csv");
    expect(counts(s)).toEqual({ read: 2, inserted: 2, updated: 0, unchanged: 0, merged: 0, rejected: 0 });
    expect(s.rejectsFile).toBeNull();
    expect(w.all("SELECT * FROM members ORDER BY id")).toEqual([
      {
        id: "m1",
        name: "Ann Lee",
        phone: "+8613800000001",
        email: "ann@example.com",
        wechat_openid: "oA1",
        tier: "Gold",
        points: 120.5,
        city: "Shanghai",
        gender: "female",
        birthday: "1990-05-04",
        birth_md: 504,
        joined_at: Date.parse("2024-01-15T02:00:00Z"),
        timezone: "Asia/Shanghai",
        consent_sms: 1,
        consent_email: 0,
        consent_wechat: 1,
        referred_by: null,
        attributes: "{}",
        extra: "{}",
      },
      {
        id: "m2",
        name: "Li, Wei",
        phone: null,
        email: null,
        wechat_openid: null,
        tier: "Silver",
        points: null,
        city: "Beijing",
        gender: "male",
        birthday: "2000-02-29",
        birth_md: 229,
        joined_at: Date.parse("2024-02-29T16:00:00Z"),
        timezone: null,
        consent_sms: null,
        consent_email: null,
        consent_wechat: null,
        referred_by: "m1",
        attributes: "{}",
        extra: "{}",
      },
    ]);
  });

  it("parses declared custom fields by type into attributes and keeps other columns in extra", async () => {
    const w = workspace();
    w.file(
      "members.csv",
      csv(
        "id,vip_store,newsletter,first_visit,skin_type,nickname,favourite_colour,Store Code",
        "m1,101,Y,2023-07-01,Oily,Annie,green,SH-01",
        "m2,,,,,,,",
      ),
    );
    const s = await w.run("members", "members.csv");
    expect(s.undeclaredColumns).toEqual(["favourite_colour", "Store Code"]);
    const rows = w.all<{ id: string; attributes: string; extra: string }>("SELECT id, attributes, extra FROM members ORDER BY id");
    expect(rows.map((r) => [r.id, JSON.parse(r.attributes), JSON.parse(r.extra)])).toEqual([
      [
        "m1",
        { vip_store: 101, newsletter: true, first_visit: "2023-07-01", skin_type: "oily", nickname: "Annie" },
        { favourite_colour: "green", "Store Code": "SH-01" },
      ],
      ["m2", {}, {}],
    ]);
  });

  it("rejects rows with bad values, naming the line, the column, the value and what was expected", async () => {
    const w = workspace();
    w.file(
      "members.csv",
      csv(
        "id,tier,consent_sms,gender,birthday,joined_at,timezone,email,points,vip_store,skin_type",
        "m1,gold,yes,f,1990-01-01,2024-01-01,UTC,a@b.co,1,1,dry",
        "m2,Golden,yes,f,,,,,,,",
        "m3,,maybe,,,,,,,,",
        "m4,,,robot,,,,,,,",
        "m5,,,,1990-02-30,,,,,,",
        "m6,,,,,2024-13-01,,,,,",
        "m7,,,,,,Mars/Base,,,,",
        "m8,,,,,,,not-an-email,,,",
        'm9,,,,,,,,"1,234",,',
        "m10,,,,,,,,,12 pcs,",
        "m11,,,,,,,,,,greasy",
        ",gold,,,,,,,,,",
        "m1,silver,,,,,,,,,",
        "m12,,,,,,,,,,,",
        "m13,,,",
        "m14,,,,,,,,,,,x",
      ),
    );
    const s = await w.run("members", "members.csv", { rejectsShown: 100 });
    expect(counts(s)).toEqual({ read: 16, inserted: 2, updated: 0, unchanged: 0, merged: 0, rejected: 14 });
    expect(s.rejects.map((r) => `line ${r.line}: ${r.reason}`)).toEqual([
      'line 3: tier "Golden": not a tier of patron.yaml; expected one of Silver, Gold, Platinum (did you mean "Gold"?)',
      'line 4: consent_sms "maybe": not a yes/no value; expected true or false (also yes/no, y/n, 1/0)',
      'line 5: gender "robot": not a gender; expected female, male or other (also f/m/o, 女/男), or unknown',
      'line 6: birthday "1990-02-30": not a date; expected a date like 1990-05-04 or use --date-format',
      'line 7: joined_at "2024-13-01": not a date; expected ISO 8601 like 2026-11-03T14:20:00+08:00 or use --date-format',
      'line 8: timezone "Mars/Base": not a time zone; expected an IANA name like Asia/Shanghai or Europe/London',
      'line 9: email "not-an-email": not an email address; expected one like name@example.com',
      'line 10: points "1,234": not a number; expected a plain number without thousands separators, like 1234.5',
      'line 11: vip_store "12 pcs": not a number; expected a number like 12 or 4.50',
      'line 12: skin_type "greasy": not a skin_type of patron.yaml; expected one of dry, oily, combination',
      "line 13: id is empty: no member id",
      'line 14: id "m1" is also on line 2 (the first row of a member is imported)',
      "line 16: the row has 4 cells but the header has 11 columns",
      "line 17: the row has 12 cells but the header has 11 columns",
    ]);
    expect(s.rejectedByReason).toEqual({
      "bad-tier": 1,
      "bad-boolean": 1,
      "bad-gender": 1,
      "bad-date": 2,
      "bad-timezone": 1,
      "bad-email": 1,
      "bad-number": 2,
      "column-count": 2,
      "bad-choice": 1,
      "no-member-id": 1,
      duplicate: 1,
    });
    expect(w.all("SELECT id, tier FROM members ORDER BY id")).toEqual([
      { id: "m1", tier: "Gold" },
      { id: "m12", tier: null },
    ]);
    // The rejects file: line, reason, then the row as it was.
    const rejects = w.read("members.rejects.csv").split("\n");
    expect(rejects[0]).toBe("line,reason,id,tier,consent_sms,gender,birthday,joined_at,timezone,email,points,vip_store,skin_type");
    expect(rejects[1]).toBe(
      '3,"tier ""Golden"": not a tier of patron.yaml; expected one of Silver, Gold, Platinum (did you mean ""Gold""?)",m2,Golden,yes,f,,,,,,,',
    );
    expect(rejects[13]).toBe("16,the row has 4 cells but the header has 11 columns,m13,,,");
    expect(rejects[14]).toBe("17,the row has 12 cells but the header has 11 columns,m14,,,,,,,,,,,x");
    expect(rejects).toHaveLength(16); // header, 14 rejects, and the empty string after the last line end
  });

  it("re-importing the same file changes nothing", async () => {
    const w = workspace();
    w.file(
      "members.csv",
      csv(HEADER + ",vip_store,hobby", "m1,Ann,,,,Gold,10,,f,1990-05-04,2024-01-01T09:00,,y,n,,,7,chess", "m2,Bo,,,,,,,,,,,,,,m1,,"),
    );
    const first = await w.run("members", "members.csv");
    expect(counts(first)).toEqual({ read: 2, inserted: 2, updated: 0, unchanged: 0, merged: 0, rejected: 0 });
    const before = w.all("SELECT * FROM members ORDER BY id");
    const second = await w.run("members", "members.csv");
    expect(counts(second)).toEqual({ read: 2, inserted: 0, updated: 0, unchanged: 2, merged: 0, rejected: 0 });
    expect(w.all("SELECT * FROM members ORDER BY id")).toEqual(before);
  });

  it("logs a consent withdrawn in the source system as an opt-out that came by import, once", async () => {
    const w = workspace();
    w.file("crm.csv", csv("id,consent_sms,consent_email", "m1,yes,yes", "m2,yes,no"));
    await w.run("members", "crm.csv");
    expect(w.all("SELECT * FROM opt_outs")).toEqual([]); // a first import withdraws nothing
    w.file("crm-later.csv", csv("id,consent_sms,consent_email", "m1,no,yes", "m2,yes,yes"));
    await w.run("members", "crm-later.csv");
    expect(w.all("SELECT member_id, channel, action, source, detail FROM opt_outs")).toEqual([
      { member_id: "m1", channel: "sms", action: "opt-out", source: "import", detail: "consent_sms withdrawn, line 2" },
    ]);
    // Consent given again (m2's email) is not an opt-in: only the member's own START lifts an opt-out.
    await w.run("members", "crm-later.csv");
    expect(w.all("SELECT count(*) AS n FROM opt_outs")).toEqual([{ n: 1 }]);
  });

  it("updates only the columns the file has; an empty cell clears a value", async () => {
    const w = workspace();
    w.file("all.csv", csv("id,name,phone,tier,vip_store,nickname,hobby", "m1,Ann,123,Gold,7,Annie,chess", "m2,Bo,456,Silver,,,"));
    await w.run("members", "all.csv");
    w.file("tiers.csv", csv("id,tier,nickname", "m1,Platinum,", "m2,Silver,"));
    const s = await w.run("members", "tiers.csv");
    expect(counts(s)).toEqual({ read: 2, inserted: 0, updated: 1, unchanged: 1, merged: 0, rejected: 0 });
    expect(w.all("SELECT id, name, phone, tier, attributes, extra FROM members ORDER BY id")).toEqual([
      { id: "m1", name: "Ann", phone: "123", tier: "Platinum", attributes: '{"vip_store":7}', extra: '{"hobby":"chess"}' },
      { id: "m2", name: "Bo", phone: "456", tier: "Silver", attributes: "{}", extra: "{}" },
    ]);
  });

  it("reads a foreign file through --map and --date-format", async () => {
    const w = workspace();
    w.file("crm.csv", csv("Member No,Full Name,Level,Signed Up,DOB", "A-1,Ann,gold,03.11.2024 14:20,04.05.1990"));
    const s = await w.run("members", "crm.csv", {
      map: { "Member No": "id", "Full Name": "name", Level: "tier", "Signed Up": "joined_at", DOB: "birthday" },
      dateFormat: "dd.MM.yyyy HH:mm",
      timezone: "Europe/Berlin",
    });
    expect(counts(s)).toEqual({ read: 1, inserted: 1, updated: 0, unchanged: 0, merged: 0, rejected: 0 });
    expect(w.all("SELECT id, name, tier, joined_at, birthday FROM members")).toEqual([
      { id: "A-1", name: "Ann", tier: "Gold", joined_at: Date.parse("2024-11-03T13:20:00Z"), birthday: "1990-05-04" },
    ]);
  });
});
