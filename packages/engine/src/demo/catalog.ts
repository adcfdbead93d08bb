/*
 * What the demo business looks like: 丽美 Lumière Beauty, a Chinese beauty and personal-care
 * chain (the business of campaigns/patron.yaml). Names, places, products and prices, with the
 * weights the generator draws them by. Weights are relative frequencies, not percentages.
 */

/** Family names with their pinyin (for e-mail addresses), weighted roughly by how common they are. */
export const SURNAMES: readonly (readonly [string, string, number])[] = table(
  3,
  `
王 wang 72   李 li 70   张 zhang 66   刘 liu 53   陈 chen 45   杨 yang 31   黄 huang 24   赵 zhao 21
吴 wu 20   周 zhou 19   徐 xu 15   孙 sun 14   马 ma 13   朱 zhu 12   胡 hu 12   郭 guo 11   何 he 10
林 lin 10   高 gao 10   罗 luo 9   郑 zheng 9   梁 liang 8   谢 xie 7   宋 song 7   唐 tang 7   许 xu 6
韩 han 6   冯 feng 6   邓 deng 6   曹 cao 6   彭 peng 5   曾 zeng 5   肖 xiao 5   田 tian 5   董 dong 5
潘 pan 4   袁 yuan 4   蔡 cai 4   蒋 jiang 4   余 yu 4   于 yu 4   杜 du 4   叶 ye 4   程 cheng 4
魏 wei 4   苏 su 3   吕 lv 3   丁 ding 3   任 ren 3   卢 lu 3   姚 yao 3   沈 shen 3   钟 zhong 3
姜 jiang 3   崔 cui 3   谭 tan 3   陆 lu 3   范 fan 2   汪 wang 2   廖 liao 2   石 shi 2   金 jin 2
贾 jia 2   夏 xia 2   方 fang 2   欧阳 ouyang 1   司马 sima 0.3   上官 shangguan 0.3
`,
).map(([name = "", pinyin = "", weight = ""]) => [name, pinyin, Number(weight)] as const);

/** Characters of given names, with pinyin: one list leaning female, one leaning male. */
export const GIVEN_FEMALE: readonly (readonly [string, string])[] = table(
  2,
  `
丽 li   婷 ting   静 jing   敏 min   燕 yan   艳 yan   娟 juan   霞 xia   芳 fang   娜 na   玲 ling   雪 xue
慧 hui   颖 ying   琳 lin   欣 xin   怡 yi   佳 jia   悦 yue   萱 xuan   涵 han   晨 chen   梦 meng   雨 yu
诗 shi   思 si   彤 tong   瑶 yao   晓 xiao   琪 qi   倩 qian   薇 wei   嘉 jia   欢 huan   蕾 lei   妍 yan
`,
).map(([char = "", pinyin = ""]) => [char, pinyin] as const);
export const GIVEN_MALE: readonly (readonly [string, string])[] = table(
  2,
  `
伟 wei   强 qiang   磊 lei   军 jun   勇 yong   杰 jie   涛 tao   斌 bin   超 chao   明 ming   刚 gang
平 ping   辉 hui   鹏 peng   浩 hao   宇 yu   轩 xuan   博 bo   文 wen   俊 jun   凯 kai   航 hang   阳 yang
峰 feng
`,
).map(([char = "", pinyin = ""]) => [char, pinyin] as const);

/** A table written as text, `width` words to a row (several rows to a line, to keep it short). */
function table(width: number, text: string): string[][] {
  const words = text.trim().split(/\s+/);
  const rows: string[][] = [];
  for (let i = 0; i < words.length; i += width) rows.push(words.slice(i, i + width));
  return rows;
}

export interface ZoneInfo {
  readonly zone: string;
  /** Standard UTC offset in hours: used only to put purchases in shop hours (±1 h under DST). */
  readonly offsetHours: number;
  readonly weight: number;
  readonly cities: readonly (readonly [string, number])[];
  /** Makes a plausible E.164 mobile number. */
  readonly phone: (digits: (n: number) => string, pick: <T>(items: readonly T[]) => T) => string;
  /** Share of members with a WeChat openid. */
  readonly wechat: number;
}

/** Where members live: most in mainland China, some abroad (Chinese-speaking shoppers). */
export const ZONES: readonly ZoneInfo[] = [
  {
    zone: "Asia/Shanghai",
    offsetHours: 8,
    weight: 88,
    cities: [
      ["上海", 16],
      ["北京", 14],
      ["广州", 10],
      ["深圳", 10],
      ["杭州", 8],
      ["成都", 8],
      ["南京", 5],
      ["武汉", 5],
      ["重庆", 5],
      ["西安", 4],
      ["苏州", 4],
      ["天津", 3],
      ["长沙", 3],
      ["青岛", 3],
      ["厦门", 2],
    ],
    phone: (digits, pick) => `+861${pick(["3", "5", "7", "8", "9"])}${digits(9)}`,
    wechat: 0.88,
  },
  {
    zone: "Asia/Hong_Kong",
    offsetHours: 8,
    weight: 3.5,
    cities: [["香港", 1]],
    phone: (digits, pick) => `+852${pick(["5", "6", "9"])}${digits(7)}`,
    wechat: 0.6,
  },
  {
    zone: "Asia/Singapore",
    offsetHours: 8,
    weight: 2.5,
    cities: [["新加坡", 1]],
    phone: (digits, pick) => `+65${pick(["8", "9"])}${digits(7)}`,
    wechat: 0.5,
  },
  {
    zone: "America/Los_Angeles",
    offsetHours: -8,
    weight: 2.5,
    cities: [
      ["洛杉矶", 3],
      ["旧金山", 2],
      ["尔湾", 1],
    ],
    phone: (digits, pick) => `+1${pick(["213", "310", "323", "415", "626", "949"])}${digits(7)}`,
    wechat: 0.45,
  },
  {
    zone: "Europe/London",
    offsetHours: 0,
    weight: 2,
    cities: [
      ["伦敦", 3],
      ["曼彻斯特", 1],
    ],
    phone: (digits) => `+447${digits(9)}`,
    wechat: 0.4,
  },
  {
    zone: "Pacific/Auckland",
    offsetHours: 12,
    weight: 1.5,
    cities: [["奥克兰", 1]],
    phone: (digits) => `+642${digits(8)}`,
    wechat: 0.4,
  },
];

/** The chain's stores (patron.yaml vip_store), by city. */
export const STORES: Readonly<Record<string, readonly string[]>> = {
  北京: ["BJ01"],
  上海: ["SH01", "SH02"],
  广州: ["GZ01"],
  深圳: ["SZ01"],
  杭州: ["HZ01"],
  成都: ["CD01"],
};
export const ALL_STORES: readonly string[] = Object.values(STORES).flat();

export const EMAIL_DOMAINS_CN: readonly (readonly [string, number])[] = [
  ["qq.com", 40],
  ["163.com", 25],
  ["126.com", 10],
  ["sina.com", 5],
  ["outlook.com", 7],
  ["icloud.com", 6],
  ["gmail.com", 3],
];
export const EMAIL_DOMAINS_ABROAD: readonly (readonly [string, number])[] = [
  ["gmail.com", 40],
  ["outlook.com", 20],
  ["icloud.com", 15],
  ["qq.com", 15],
  ["163.com", 5],
  ["yahoo.com", 5],
];

export type Category = "shampoo" | "skincare" | "makeup" | "fragrance";

export interface Product {
  readonly sku: string;
  readonly brand: string;
  readonly category: Category;
  /** Shelf price, CNY. */
  readonly price: number;
  /** How often it sells within its brand. */
  readonly weight: number;
  /** Bought mostly by men (weighted up for male members, down for others). */
  readonly men?: true;
}

/**
 * The shelf. Brand and category spellings are the POS's (and the campaigns'): "Head & Shoulders",
 * "L'Oréal", 自然堂, 百雀羚. The SKUs the example campaigns name are here (LOR-RVL-SERUM-30,
 * FR-LUM-EDP-50, FR-LUM-SAMPLE-2ML).
 */
export const PRODUCTS: readonly Product[] = [
  { sku: "PAN-SHP-400", brand: "Pantene", category: "shampoo", price: 69, weight: 5 },
  { sku: "PAN-SHP-750", brand: "Pantene", category: "shampoo", price: 109, weight: 3 },
  { sku: "PAN-CND-400", brand: "Pantene", category: "shampoo", price: 69, weight: 2 },
  { sku: "HS-SHP-400", brand: "Head & Shoulders", category: "shampoo", price: 59, weight: 5 },
  { sku: "HS-SHP-750", brand: "Head & Shoulders", category: "shampoo", price: 99, weight: 3 },
  { sku: "HS-MEN-400", brand: "Head & Shoulders", category: "shampoo", price: 69, weight: 2, men: true },
  { sku: "LOR-ELV-SHP-400", brand: "L'Oréal", category: "shampoo", price: 79, weight: 3 },
  { sku: "LOR-RVL-SERUM-30", brand: "L'Oréal", category: "skincare", price: 329, weight: 3 },
  { sku: "LOR-RVL-CRM-50", brand: "L'Oréal", category: "skincare", price: 259, weight: 3 },
  { sku: "LOR-MEN-FACE-50", brand: "L'Oréal", category: "skincare", price: 139, weight: 2, men: true },
  { sku: "LOR-LIP-3", brand: "L'Oréal", category: "makeup", price: 149, weight: 3 },
  { sku: "LOR-FDN-30", brand: "L'Oréal", category: "makeup", price: 219, weight: 2 },
  { sku: "OLAY-SERUM-30", brand: "Olay", category: "skincare", price: 269, weight: 4 },
  { sku: "OLAY-RGN-CRM-50", brand: "Olay", category: "skincare", price: 319, weight: 3 },
  { sku: "OLAY-TONER-150", brand: "Olay", category: "skincare", price: 149, weight: 3 },
  { sku: "ZRT-WTR-160", brand: "自然堂", category: "skincare", price: 139, weight: 4 },
  { sku: "ZRT-CRM-50", brand: "自然堂", category: "skincare", price: 199, weight: 3 },
  { sku: "ZRT-MASK-5", brand: "自然堂", category: "skincare", price: 99, weight: 3 },
  { sku: "ZRT-BB-40", brand: "自然堂", category: "makeup", price: 109, weight: 2 },
  { sku: "BQL-WTR-100", brand: "百雀羚", category: "skincare", price: 119, weight: 4 },
  { sku: "BQL-CRM-50", brand: "百雀羚", category: "skincare", price: 89, weight: 4 },
  { sku: "MAY-MASC-8", brand: "Maybelline", category: "makeup", price: 99, weight: 3 },
  { sku: "MAY-LIP-3", brand: "Maybelline", category: "makeup", price: 79, weight: 3 },
  { sku: "SK2-FTE-230", brand: "SK-II", category: "skincare", price: 1540, weight: 2 },
  { sku: "SK2-CRM-80", brand: "SK-II", category: "skincare", price: 1390, weight: 1 },
  { sku: "FR-LUM-EDP-50", brand: "Lumière", category: "fragrance", price: 499, weight: 3 },
  { sku: "FR-LUM-EDT-30", brand: "Lumière", category: "fragrance", price: 299, weight: 3 },
  { sku: "FR-LUM-SAMPLE-2ML", brand: "Lumière", category: "fragrance", price: 0, weight: 2 },
  { sku: "JM-COL-30", brand: "Jo Malone", category: "fragrance", price: 590, weight: 2 },
];

/** How popular each brand is across the chain (a member's favourites are drawn by this). */
export const BRAND_POPULARITY: readonly (readonly [string, number])[] = [
  ["Pantene", 14],
  ["Head & Shoulders", 12],
  ["L'Oréal", 14],
  ["Olay", 12],
  ["自然堂", 12],
  ["百雀羚", 9],
  ["Maybelline", 8],
  ["SK-II", 3],
  ["Lumière", 5],
  ["Jo Malone", 2],
];

export const SKIN_TYPES: readonly (readonly [string, number])[] = [
  ["dry", 30],
  ["oily", 22],
  ["combination", 33],
  ["sensitive", 15],
];
export const HAIR_CONCERNS: readonly (readonly [string, number])[] = [
  ["dandruff", 18],
  ["oily-scalp", 20],
  ["dry-damaged", 25],
  ["hair-loss", 10],
  ["none", 27],
];
