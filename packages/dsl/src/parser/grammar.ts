import { CstParser, type IParserErrorMessageProvider } from "chevrotain";
import * as T from "../lexer/tokens.js";

/*
 * The grammar of campaign files. This class only says what sentences look like; meaning is
 * built from its concrete syntax tree by ast/build.ts. Recovery is on, so one run reports every
 * mistake in a file: chevrotain inserts or deletes single tokens and re-synchronises at the next
 * option or sentence.
 *
 *   file        := (segmentDecl | campaignBlock | campaignItem)*
 *   campaignItem:= description | schedule | active | holdout | limit | priority | goal | rule
 *   rule        := "when" condition "," action ("and" action)*
 *   condition   := conjunction ("or" conjunction)*
 *   conjunction := negation ("and" negation)*
 *   negation    := "not" negation | "(" condition ")" | atom
 */
export class CampaignGrammar extends CstParser {
  /**
   * `validate: false` skips chevrotain's grammar validations (ambiguities, left recursion) when
   * the grammar is built: they cost a good part of a short command's start-up and can only fail
   * when the grammar itself changes, which a unit test (grammar.test.ts) builds it with them on for.
   */
  constructor(errorMessageProvider: IParserErrorMessageProvider, options: { readonly validate?: boolean } = {}) {
    super(T.ALL_TOKENS, {
      recoveryEnabled: true,
      maxLookahead: 4,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider,
      skipValidations: options.validate === false,
    });
    this.performSelfAnalysis();
  }

  // The items sit in a rule of their own: chevrotain's in-repetition recovery for the top-most
  // repetition of a parse skips a stray word by calling itself again, so a file with thousands
  // of stray words would overflow the stack. One level down it does not; parse.ts resumes after
  // a stray word instead (linear).
  file = this.RULE("file", () => {
    this.SUBRULE(this.topItems);
  });

  topItems = this.RULE("topItems", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.segmentDecl) },
        { ALT: () => this.SUBRULE(this.campaignBlock) },
        { ALT: () => this.SUBRULE(this.campaignItem) },
      ]);
    });
  });

  segmentDecl = this.RULE("segmentDecl", () => {
    this.CONSUME(T.Segment);
    this.SUBRULE(this.name);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.condition);
  });

  campaignBlock = this.RULE("campaignBlock", () => {
    this.CONSUME(T.Campaign);
    this.SUBRULE(this.name);
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.campaignItem));
    this.CONSUME(T.RBrace);
  });

  campaignItem = this.RULE("campaignItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.descriptionOption) },
      { ALT: () => this.SUBRULE(this.scheduleOption) },
      { ALT: () => this.SUBRULE(this.activeOption) },
      { ALT: () => this.SUBRULE(this.holdoutOption) },
      { ALT: () => this.SUBRULE(this.limitOption) },
      { ALT: () => this.SUBRULE(this.priorityOption) },
      { ALT: () => this.SUBRULE(this.goalOption) },
      { ALT: () => this.SUBRULE(this.rule) },
    ]);
  });

  descriptionOption = this.RULE("descriptionOption", () => {
    this.CONSUME(T.Description);
    this.CONSUME(T.StringLiteral);
  });

  // schedule every day at 09:30 | every monday, thursday at 10:00 | every 2 hours | cron "0 9 * * *"
  scheduleOption = this.RULE("scheduleOption", () => {
    this.CONSUME(T.Schedule);
    this.OR([{ ALT: () => this.SUBRULE(this.cronSchedule) }, { ALT: () => this.SUBRULE(this.everySchedule) }]);
  });

  cronSchedule = this.RULE("cronSchedule", () => {
    this.CONSUME(T.Cron);
    this.CONSUME(T.StringLiteral);
  });

  everySchedule = this.RULE("everySchedule", () => {
    this.CONSUME(T.Every);
    this.OR([
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(T.NumberLiteral));
          this.SUBRULE(this.unit);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Identifier, { LABEL: "weekday" });
          this.MANY(() => {
            this.CONSUME(T.Comma);
            this.CONSUME2(T.Identifier, { LABEL: "weekday" });
          });
        },
      },
    ]);
    this.OPTION2(() => {
      this.CONSUME(T.On);
      this.CONSUME(T.Day, { LABEL: "monthDayKw" });
      this.CONSUME2(T.NumberLiteral, { LABEL: "monthDay" });
    });
    this.OPTION3(() => {
      this.CONSUME(T.At);
      this.CONSUME(T.TimeLiteral);
      this.MANY2(() => {
        this.OR2([{ ALT: () => this.CONSUME2(T.Comma) }, { ALT: () => this.CONSUME(T.And) }]);
        this.CONSUME2(T.TimeLiteral);
      });
    });
  });

  activeOption = this.RULE("activeOption", () => {
    this.CONSUME(T.Active);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.From);
          this.CONSUME(T.DateLiteral, { LABEL: "from" });
          this.OPTION(() => {
            this.CONSUME(T.Until);
            this.CONSUME2(T.DateLiteral, { LABEL: "until" });
          });
        },
      },
      {
        ALT: () => {
          this.CONSUME2(T.Until);
          this.CONSUME3(T.DateLiteral, { LABEL: "until" });
        },
      },
    ]);
  });

  holdoutOption = this.RULE("holdoutOption", () => {
    this.CONSUME(T.Holdout);
    this.SUBRULE(this.percentage);
  });

  // limit once per member every 30 days | limit 2 times per member every 7 days
  limitOption = this.RULE("limitOption", () => {
    this.CONSUME(T.Limit);
    this.OR([
      { ALT: () => this.CONSUME(T.Once) },
      { ALT: () => this.CONSUME(T.Twice) },
      {
        ALT: () => {
          this.CONSUME(T.NumberLiteral);
          this.CONSUME(T.Times);
        },
      },
    ]);
    this.CONSUME(T.Per);
    this.CONSUME(T.MemberKw);
    this.OPTION(() => {
      this.CONSUME(T.Every);
      this.SUBRULE(this.duration);
    });
  });

  priorityOption = this.RULE("priorityOption", () => {
    this.CONSUME(T.Priority);
    this.CONSUME(T.NumberLiteral);
  });

  goalOption = this.RULE("goalOption", () => {
    this.CONSUME(T.Goal);
    this.SUBRULE(this.condition);
  });

  rule = this.RULE("rule", () => {
    this.CONSUME(T.When);
    this.SUBRULE(this.condition);
    this.CONSUME(T.Comma);
    this.SUBRULE(this.action);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.action);
    });
  });

  // ---- conditions ----

  condition = this.RULE("condition", () => {
    this.SUBRULE(this.conjunction);
    this.MANY(() => {
      this.CONSUME(T.Or);
      this.SUBRULE2(this.conjunction);
    });
  });

  conjunction = this.RULE("conjunction", () => {
    this.SUBRULE(this.negation);
    this.MANY(() => {
      this.CONSUME(T.And);
      this.SUBRULE2(this.negation);
    });
  });

  negation = this.RULE("negation", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Not);
          this.SUBRULE(this.negation);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.LParen);
          this.SUBRULE(this.condition);
          this.CONSUME(T.RParen);
        },
      },
      { ALT: () => this.SUBRULE(this.atom) },
    ]);
  });

  atom = this.RULE("atom", () => {
    this.OPTION(() => this.CONSUME(T.MemberKw));
    this.OR([
      { ALT: () => this.SUBRULE(this.boughtCondition) },
      { ALT: () => this.SUBRULE(this.spentCondition) },
      { ALT: () => this.SUBRULE(this.lastPurchaseCondition) },
      { ALT: () => this.SUBRULE(this.pointsExpiringCondition) },
      { ALT: () => this.SUBRULE(this.joinedCondition) },
      { ALT: () => this.SUBRULE(this.birthdayCondition) },
      { ALT: () => this.SUBRULE(this.referredCondition) },
      { ALT: () => this.SUBRULE(this.segmentCondition) },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  // bought brand A at least 3 times within 90 days
  boughtCondition = this.RULE("boughtCondition", () => {
    this.CONSUME(T.Bought);
    this.OPTION(() => this.SUBRULE(this.itemFilter));
    this.OPTION2(() => {
      this.SUBRULE(this.quantity);
      this.CONSUME(T.Times);
    });
    this.OPTION3(() => this.SUBRULE(this.window));
  });

  // spent on brand A at least 200 within 90 days
  spentCondition = this.RULE("spentCondition", () => {
    this.CONSUME(T.Spent);
    this.OPTION(() => {
      this.CONSUME(T.On);
      this.SUBRULE(this.itemFilter);
    });
    this.SUBRULE(this.quantity);
    this.OPTION2(() => this.SUBRULE(this.window));
  });

  // last purchase [of brand A] more than 60 days ago
  lastPurchaseCondition = this.RULE("lastPurchaseCondition", () => {
    this.CONSUME(T.Last);
    this.CONSUME(T.Purchase);
    this.OPTION(() => {
      this.CONSUME(T.Of);
      this.SUBRULE(this.itemFilter);
    });
    this.SUBRULE(this.quantifier);
    this.SUBRULE(this.duration);
    this.CONSUME(T.Ago);
  });

  // points expiring within 30 days >= 500
  pointsExpiringCondition = this.RULE("pointsExpiringCondition", () => {
    this.CONSUME(T.Points);
    this.CONSUME(T.Expiring);
    this.SUBRULE(this.window);
    this.SUBRULE(this.quantity);
  });

  joinedCondition = this.RULE("joinedCondition", () => {
    this.CONSUME(T.Joined);
    this.SUBRULE(this.window);
  });

  birthdayCondition = this.RULE("birthdayCondition", () => {
    this.CONSUME(T.Birthday);
    this.SUBRULE(this.window);
  });

  // referred at least 1 member within 30 days
  referredCondition = this.RULE("referredCondition", () => {
    this.CONSUME(T.Referred);
    this.SUBRULE(this.quantity);
    this.CONSUME(T.MemberKw);
    this.OPTION(() => this.SUBRULE(this.window));
  });

  segmentCondition = this.RULE("segmentCondition", () => {
    this.CONSUME(T.In);
    this.CONSUME(T.Segment);
    this.SUBRULE(this.name);
  });

  // tier >= gold | city in ("北京", "上海") | age between 25 and 35 | gender is female
  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.name, { LABEL: "field" });
    this.OR([
      {
        ALT: () => {
          this.SUBRULE(this.compareOperator);
          this.SUBRULE(this.value);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Is);
          this.OPTION(() => this.CONSUME(T.Not));
          this.SUBRULE2(this.value);
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => this.CONSUME2(T.Not));
          this.CONSUME(T.In);
          this.SUBRULE(this.valueList);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Between);
          this.SUBRULE3(this.value, { LABEL: "low" });
          this.CONSUME(T.And);
          this.SUBRULE4(this.value, { LABEL: "high" });
        },
      },
    ]);
  });

  itemFilter = this.RULE("itemFilter", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Anything) },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(T.Brand) }, { ALT: () => this.CONSUME(T.Category) }, { ALT: () => this.CONSUME(T.Sku) }]);
          this.OR3([
            {
              ALT: () => {
                this.CONSUME(T.In);
                this.SUBRULE(this.valueList);
              },
            },
            { ALT: () => this.SUBRULE(this.name) },
          ]);
        },
      },
    ]);
  });

  // at least 3 | at most 3 | more than 3 | less than 3 | exactly 3 | >= 3
  quantity = this.RULE("quantity", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.quantifier) }, { ALT: () => this.SUBRULE(this.compareOperator) }]);
    this.CONSUME(T.NumberLiteral);
  });

  quantifier = this.RULE("quantifier", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.At);
          this.OR2([{ ALT: () => this.CONSUME(T.Least) }, { ALT: () => this.CONSUME(T.Most) }]);
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(T.More) }, { ALT: () => this.CONSUME(T.Less_) }]);
          this.CONSUME(T.Than);
        },
      },
      { ALT: () => this.CONSUME(T.Exactly) },
    ]);
  });

  compareOperator = this.RULE("compareOperator", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.GreaterEqual) },
      { ALT: () => this.CONSUME(T.LessEqual) },
      { ALT: () => this.CONSUME(T.NotEqual) },
      { ALT: () => this.CONSUME(T.Greater) },
      { ALT: () => this.CONSUME(T.Less) },
      { ALT: () => this.CONSUME(T.Equals) },
    ]);
  });

  window = this.RULE("window", () => {
    this.CONSUME(T.Within);
    this.SUBRULE(this.duration);
  });

  duration = this.RULE("duration", () => {
    this.CONSUME(T.NumberLiteral);
    this.SUBRULE(this.unit);
  });

  unit = this.RULE("unit", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Hour) },
      { ALT: () => this.CONSUME(T.Day) },
      { ALT: () => this.CONSUME(T.Week) },
      { ALT: () => this.CONSUME(T.MonthKw) },
      { ALT: () => this.CONSUME(T.Year) },
    ]);
  });

  percentage = this.RULE("percentage", () => {
    this.CONSUME(T.NumberLiteral);
    this.CONSUME(T.Percent);
  });

  value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.DateLiteral) },
      { ALT: () => this.CONSUME(T.True) },
      { ALT: () => this.CONSUME(T.False) },
      { ALT: () => this.SUBRULE(this.name) },
    ]);
  });

  valueList = this.RULE("valueList", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.value);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.value);
    });
    this.CONSUME(T.RParen);
  });

  name = this.RULE("name", () => {
    this.OR([{ ALT: () => this.CONSUME(T.StringLiteral) }, { ALT: () => this.CONSUME(T.Name) }]);
  });

  // ---- actions ----

  action = this.RULE("action", () => {
    this.OR([{ ALT: () => this.SUBRULE(this.sendAction) }, { ALT: () => this.SUBRULE(this.awardAction) }]);
  });

  // send message "x" via sms or email | send message ("a" 50%, "b" 50%) via sms
  // send coupon "HS-20" via sms | send coupon for brand B via sms
  sendAction = this.RULE("sendAction", () => {
    this.CONSUME(T.Send);
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Message);
          this.OR2([{ ALT: () => this.SUBRULE(this.variants) }, { ALT: () => this.SUBRULE(this.name, { LABEL: "message" }) }]);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Coupon);
          this.OR3([
            {
              ALT: () => {
                this.CONSUME(T.For);
                this.CONSUME(T.Brand);
                this.SUBRULE2(this.name, { LABEL: "brand" });
              },
            },
            { ALT: () => this.SUBRULE3(this.name, { LABEL: "coupon" }) },
          ]);
        },
      },
    ]);
    this.OPTION(() => {
      this.CONSUME(T.Via);
      this.SUBRULE4(this.name, { LABEL: "channel" });
      this.MANY(() => {
        this.CONSUME(T.Or);
        this.SUBRULE5(this.name, { LABEL: "channel" });
      });
    });
  });

  variants = this.RULE("variants", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.variant);
    this.MANY(() => {
      this.CONSUME(T.Comma);
      this.SUBRULE2(this.variant);
    });
    this.CONSUME(T.RParen);
  });

  variant = this.RULE("variant", () => {
    this.SUBRULE(this.name);
    this.SUBRULE(this.percentage);
  });

  awardAction = this.RULE("awardAction", () => {
    this.CONSUME(T.Award);
    this.CONSUME(T.NumberLiteral);
    this.CONSUME(T.Points);
  });
}
