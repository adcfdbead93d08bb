// The campaigns the audience benchmark times, each beside the query an expert would write by hand
// for it against the store's schema and indexes (packages/engine/src/store/migrations), meaning
// exactly what packages/engine/src/audience/SEMANTICS.md says the campaign means. The benchmark
// checks that both return the same members.
//
// Where there were several ways to write a query, the fastest measured on the demo data was
// kept (e.g. a correlated subquery per member beats a GROUP BY over the time range for count and
// sum; the GROUP BY wins for points expiring). Every hand-written query is called with named
// parameters computed in JS from asOf (windows of days are fixed lengths: asOf − N × 24 h), and
// returns member ids in id order, as Patron does.

const DAY = 86_400_000;

/** Parameters shared by the hand-written queries. */
export function handParams(asOf) {
  return {
    asOf,
    d30: asOf - 30 * DAY,
    d45: asOf - 45 * DAY,
    d90: asOf - 90 * DAY,
    d180: asOf - 180 * DAY,
    next30: asOf + 30 * DAY,
  };
}

// A member exists for the run unless joined after asOf (SEMANTICS.md, "Existence").
const EXISTS = "(m.joined_at IS NULL OR m.joined_at <= @asOf)";

export const CAMPAIGNS = [
  {
    id: "window",
    kind: "window + tier",
    text: `when member bought brand 百雀羚 within 30 days and tier >= gold, send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      WHERE m.id IN (SELECT member_id FROM purchases
                     WHERE brand = '百雀羚' AND purchased_at > @d30 AND purchased_at <= @asOf AND quantity > 0)
        AND lower(m.tier) IN ('gold', 'platinum', 'diamond') AND ${EXISTS}
      ORDER BY m.id`,
  },
  {
    id: "count",
    kind: "count of orders",
    text: `when bought at least 3 times within 90 days and tier < platinum, send message "bench" via sms`,
    // per member through purchases_member_time: faster here than GROUP BY over the time range
    sql: `SELECT m.id FROM members m
      WHERE lower(m.tier) IN ('silver', 'gold') AND ${EXISTS}
        AND (SELECT count(DISTINCT order_id) FROM purchases p
             WHERE p.member_id = m.id AND p.purchased_at > @d90 AND p.purchased_at <= @asOf AND p.quantity > 0) >= 3
      ORDER BY m.id`,
  },
  {
    id: "sum",
    kind: "sum of amounts",
    text: `when spent on category skincare at least 1000 within 180 days, send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      WHERE ${EXISTS}
        AND (SELECT sum(amount) FROM purchases p
             WHERE p.member_id = m.id AND p.purchased_at > @d180 AND p.purchased_at <= @asOf AND p.category = 'skincare') >= 1000
      ORDER BY m.id`,
  },
  {
    id: "not-bought",
    kind: "not bought (lapsed VIP)",
    text: `when tier >= platinum and not bought anything within 90 days, send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      WHERE lower(m.tier) IN ('platinum', 'diamond') AND ${EXISTS}
        AND NOT EXISTS (SELECT 1 FROM purchases p
                        WHERE p.member_id = m.id AND p.purchased_at > @d90 AND p.purchased_at <= @asOf AND p.quantity > 0)
      ORDER BY m.id`,
  },
  {
    id: "points-expiring",
    kind: "points expiring",
    text: `when points expiring within 30 days >= 500, send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      JOIN (SELECT member_id FROM point_lots
            WHERE expires_at > @asOf AND expires_at <= @next30 AND earned_at <= @asOf
            GROUP BY member_id HAVING sum(points) >= 500) l ON l.member_id = m.id
      WHERE ${EXISTS}
      ORDER BY m.id`,
  },
  {
    id: "last-purchase",
    kind: "last purchase between",
    text: `when last purchase of category shampoo more than 45 days ago and last purchase of category shampoo less than 90 days ago, send message "bench" via sms`,
    // latest shampoo purchase in (asOf − 90 d, asOf − 45 d): one there, and none since
    sql: `SELECT m.id FROM members m
      WHERE m.id IN (SELECT member_id FROM purchases
                     WHERE category = 'shampoo' AND purchased_at > @d90 AND purchased_at < @d45 AND quantity > 0)
        AND NOT EXISTS (SELECT 1 FROM purchases p
                        WHERE p.member_id = m.id AND p.purchased_at >= @d45 AND p.purchased_at <= @asOf
                          AND p.category = 'shampoo' AND p.quantity > 0)
        AND ${EXISTS}
      ORDER BY m.id`,
  },
  {
    id: "referral",
    kind: "referred members",
    text: `when referred at least 1 member within 30 days, send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      WHERE m.id IN (SELECT referred_by FROM members
                     WHERE referred_by IS NOT NULL AND joined_at > @d30 AND joined_at <= @asOf)
        AND ${EXISTS}
      ORDER BY m.id`,
  },
  {
    id: "dandruff-care",
    kind: "attributes + bought + not bought",
    text: `when hair_concern = dandruff and app_user is true
      and bought category shampoo within 180 days
      and not bought brand "Head & Shoulders" within 180 days
      and not bought brand Pantene within 30 days,
    send message "bench" via sms`,
    sql: `SELECT m.id FROM members m
      WHERE json_extract(m.attributes, '$.hair_concern') = 'dandruff'
        AND json_type(m.attributes, '$.app_user') = 'true'
        AND ${EXISTS}
        AND EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = m.id AND p.purchased_at > @d180 AND p.purchased_at <= @asOf
                      AND p.category = 'shampoo' AND p.quantity > 0)
        AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = m.id AND p.purchased_at > @d180 AND p.purchased_at <= @asOf
                          AND p.brand = 'Head & Shoulders' AND p.quantity > 0)
        AND NOT EXISTS (SELECT 1 FROM purchases p WHERE p.member_id = m.id AND p.purchased_at > @d30 AND p.purchased_at <= @asOf
                          AND p.brand = 'Pantene' AND p.quantity > 0)
      ORDER BY m.id`,
  },
];
