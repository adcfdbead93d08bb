import { describe, expect, it } from "vitest";
import { parseWechatXml } from "../../src/serve/wechat-xml.js";

describe("the WeChat push reader", () => {
  it("reads a template send result as WeChat documents it", () => {
    const xml = `<xml>
<ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>
<FromUserName><![CDATA[oia2TjuEGTNoeX76QEjQNrcURxG8]]></FromUserName>
<CreateTime>1395658920</CreateTime>
<MsgType><![CDATA[event]]></MsgType>
<Event><![CDATA[TEMPLATESENDJOBFINISH]]></Event>
<MsgID>200163836</MsgID>
<Status><![CDATA[failed:user block]]></Status>
</xml>`;
    expect(parseWechatXml(xml)).toEqual({
      fields: {
        ToUserName: "gh_7f083739789a",
        FromUserName: "oia2TjuEGTNoeX76QEjQNrcURxG8",
        CreateTime: "1395658920",
        MsgType: "event",
        Event: "TEMPLATESENDJOBFINISH",
        MsgID: "200163836",
        Status: "failed:user block",
      },
    });
  });

  it("keeps 64-bit ids as written", () => {
    expect(parseWechatXml("<xml><MsgID>9223372036854775807</MsgID></xml>")).toEqual({ fields: { MsgID: "9223372036854775807" } });
  });

  it("takes a declaration, a BOM, comments, entities, character references and empty elements", () => {
    const xml = `\uFEFF<?xml version="1.0" encoding="UTF-8"?>\n<xml><!-- c --><Content>a &lt;b&gt; &amp; &#36864;&#x8BA2;</Content><Empty/><Blank></Blank></xml>\n`;
    expect(parseWechatXml(xml)).toEqual({ fields: { Content: "a <b> & 退订", Empty: "", Blank: "" } });
  });

  it("leaves out elements with children of their own", () => {
    const xml =
      "<xml><Event><![CDATA[scancode_push]]></Event><ScanCodeInfo><ScanType>qrcode</ScanType><ScanResult>1</ScanResult></ScanCodeInfo></xml>";
    expect(parseWechatXml(xml)).toEqual({ fields: { Event: "scancode_push" } });
  });

  it("keeps a field named __proto__ as a field", () => {
    const parsed = parseWechatXml("<xml><__proto__>x</__proto__></xml>");
    expect("fields" in parsed && parsed.fields["__proto__"]).toBe("x");
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it.each([
    ["", 'expected "<" at offset 0'],
    ["not xml", 'expected "<" at offset 0'],
    ['<!DOCTYPE xml [<!ENTITY e "x">]><xml></xml>', "expected an element name at offset 1"],
    ["<xml><!DOCTYPE x><A>1</A></xml>", "markup Patron does not accept at offset 5 (DOCTYPE or processing instruction)"],
    ["<xml><?pi x?></xml>", "markup Patron does not accept at offset 5 (DOCTYPE or processing instruction)"],
    ["<root><A>1</A></root>", "the root element is <root>, not <xml>"],
    ['<xml><A id="1">1</A></xml>', 'expected ">" at offset 7'],
    ["<xml><A>1</A><A>2</A></xml>", "<A> appears twice"],
    ["<xml><A>1</B></xml>", "</B> closes <A>"],
    ["<xml><A>1</A>", "<xml> is not closed"],
    ["<xml><A><![CDATA[1</A></xml>", "unterminated CDATA section"],
    ["<xml></xml><xml></xml>", "text after </xml> at offset 11"],
    ["<xml><A>&e;</A></xml>", "unknown entity &e;"],
    ["<xml><A>a & b</A></xml>", "a bare & in text"],
    ["<xml><A>&#0;</A></xml>", "character reference &#0; is not a character"],
    ["<xml><A>&#xD800;</A></xml>", "character reference &#xD800; is not a character"],
    [`${"<a>".repeat(12)}`, "elements nested deeper than 8"],
  ])("refuses %j", (xml, reason) => {
    expect(parseWechatXml(xml)).toEqual({ error: `not a WeChat push: ${reason}` });
  });
});
