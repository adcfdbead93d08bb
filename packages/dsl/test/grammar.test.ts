import { describe, expect, it } from "vitest";
import { CampaignGrammar } from "../src/parser/grammar.js";
import { messageProvider } from "../src/parser/messages.js";

describe("the grammar", () => {
  // parse() builds the grammar without chevrotain's validations to start faster; this test is
  // where an ambiguous or left-recursive change to grammar.ts is caught.
  it("passes chevrotain's grammar validations", () => {
    expect(() => new CampaignGrammar(messageProvider, { validate: true })).not.toThrow();
  });
});
