/*
 * WeChat pushes events as one flat XML element (plaintext mode):
 *   <xml><ToUserName><![CDATA[gh_…]]></ToUserName><CreateTime>1395658920</CreateTime>…</xml>
 * values as text or CDATA, and now and then an element with children of its own (ScanCodeInfo,
 * SendPicsInfo) that Patron does not read. This small reader accepts exactly that shape and
 * refuses the rest of XML — DOCTYPE, entities other than XML's five and character references,
 * processing instructions other than the XML declaration, attributes — so no document can make it
 * expand entities or reach anything; the request's signature is checked before it runs.
 */

export type WechatXml = { readonly fields: Readonly<Record<string, string>> } | { readonly error: string };

interface Element {
  readonly name: string;
  readonly text: string;
  readonly hasChildren: boolean;
}

const MAX_DEPTH = 8;
const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const ENTITIES: Readonly<Record<string, string>> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

class XmlError extends Error {}

/** The top-level fields of a push (name → text); elements with children are left out. */
export function parseWechatXml(text: string): WechatXml {
  const reader = new Reader(text);
  try {
    return { fields: reader.document() };
  } catch (error) {
    if (error instanceof XmlError) return { error: `not a WeChat push: ${error.message}` };
    throw error;
  }
}

class Reader {
  private pos = 0;

  constructor(private readonly src: string) {}

  document(): Record<string, string> {
    if (this.src.startsWith("\uFEFF")) this.pos = 1;
    this.space();
    if (this.src.startsWith("<?xml", this.pos)) {
      const end = this.src.indexOf("?>", this.pos);
      if (end < 0) this.fail("unterminated XML declaration");
      this.pos = end + 2;
      this.space();
    }
    // No prototype: a field named __proto__ is just a field.
    const fields = Object.create(null) as Record<string, string>;
    const root = this.element(0, (child) => {
      if (Object.hasOwn(fields, child.name)) this.fail(`<${child.name}> appears twice`);
      if (!child.hasChildren) fields[child.name] = child.text;
    });
    if (root.name !== "xml") this.fail(`the root element is <${root.name}>, not <xml>`);
    this.space();
    if (this.pos !== this.src.length) this.fail(`text after </xml> at offset ${this.pos}`);
    return fields;
  }

  /** One element at pos; its direct children go to onChild (only the root's are wanted). */
  private element(depth: number, onChild?: (child: Element) => void): Element {
    if (depth > MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
    this.expect("<");
    const name = this.name();
    if (this.src.startsWith("/>", this.pos)) {
      this.pos += 2;
      return { name, text: "", hasChildren: false };
    }
    this.expect(">");
    let text = "";
    let hasChildren = false;
    for (;;) {
      if (this.pos >= this.src.length) this.fail(`<${name}> is not closed`);
      if (this.src.startsWith("</", this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.space();
        this.expect(">");
        return { name, text, hasChildren };
      }
      if (this.src.startsWith("<![CDATA[", this.pos)) {
        const end = this.src.indexOf("]]>", this.pos);
        if (end < 0) this.fail("unterminated CDATA section");
        text += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
      } else if (this.src.startsWith("<!--", this.pos)) {
        const end = this.src.indexOf("-->", this.pos);
        if (end < 0) this.fail("unterminated comment");
        this.pos = end + 3;
      } else if (this.src.startsWith("<!", this.pos) || this.src.startsWith("<?", this.pos)) {
        this.fail(`markup Patron does not accept at offset ${this.pos} (DOCTYPE or processing instruction)`);
      } else if (this.src[this.pos] === "<") {
        const child = this.element(depth + 1);
        hasChildren = true;
        onChild?.(child);
      } else {
        const end = this.src.indexOf("<", this.pos);
        const raw = this.src.slice(this.pos, end < 0 ? this.src.length : end);
        text += this.decode(raw);
        this.pos += raw.length;
      }
    }
  }

  private decode(raw: string): string {
    return raw.replace(/&([^;&<]{0,10});?/g, (whole, body: string) => {
      if (!whole.endsWith(";")) this.fail(`a bare & in text`);
      const named = ENTITIES[body];
      if (named !== undefined) return named;
      const code = /^#x([0-9A-Fa-f]{1,6})$/.exec(body)?.[1] ?? /^#(\d{1,7})$/.exec(body)?.[1];
      if (code === undefined) this.fail(`unknown entity &${body};`);
      const n = body.startsWith("#x") ? parseInt(code, 16) : parseInt(code, 10);
      if (n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) this.fail(`character reference &${body}; is not a character`);
      return String.fromCodePoint(n);
    });
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const match = NAME.exec(this.src);
    if (!match) this.fail(`expected an element name at offset ${this.pos}`);
    this.pos += match[0].length;
    return match[0];
  }

  private expect(token: string): void {
    if (!this.src.startsWith(token, this.pos)) this.fail(`expected "${token}" at offset ${this.pos}`);
    this.pos += token.length;
  }

  private space(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos]!)) this.pos++;
  }

  private fail(message: string): never {
    throw new XmlError(message);
  }
}
