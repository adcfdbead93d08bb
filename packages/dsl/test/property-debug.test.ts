import { it } from "vitest";
import { campaignCorpus } from "./helpers/corpus.js";
import { errorsOf, parseText } from "./helpers/parse.js";
it("debug", () => {
  const corpus = campaignCorpus().map((f) => f.text);
  const valid = corpus.filter((t) => errorsOf(parseText(t)).length === 0);
  const one = valid.join("\n");
  console.log("corpus", corpus.length, "valid", valid.length, "one", one.length);
  for (const k of [1, 5, 10, 30]) {
    const long = Array.from({ length: k }, () => one).join("\n");
    for (const [label, t] of [["long", long], ["broken", long.replace(/,/g, "")], ["all", Array.from({ length: k }, () => corpus.join("\n")).join("\n")]] as const) {
      const s = performance.now(); const r = parseText(t); console.log(label, k, t.length, Math.round(performance.now() - s), "ms", r.diagnostics.length);
    }
  }
});
