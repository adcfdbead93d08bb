const DAY = 86_400_000;
const CHINA_OFFSET = 8 * 3_600_000; // promotions and sales peaks follow China's calendar

/**
 * Per-day facts the generator asks for millions of times, computed once per day of the data's
 * span instead of through a Date per purchase: the sales weight of a China-local date and the
 * length of the year that starts on a UTC date (for lots expiring 12 months after they were
 * earned). Instants outside the span fall back to the same computation with a Date.
 */
export class Calendar {
  private readonly firstDay: number;
  private readonly season: Float64Array;
  private readonly yearLength: Float64Array;

  constructor(from: number, until: number) {
    this.firstDay = Math.floor(from / DAY) - 1;
    const days = Math.floor(until / DAY) + 2 - this.firstDay;
    this.season = new Float64Array(days);
    this.yearLength = new Float64Array(days);
    for (let i = 0; i < days; i++) {
      const start = (this.firstDay + i) * DAY;
      this.season[i] = seasonWeightOf(start);
      this.yearLength[i] = addYearTo(start) - start;
    }
  }

  /** Relative sales on the China-local date of `at`: Singles' Day and 618 peaks, December gifts. */
  seasonWeight(at: number): number {
    const i = Math.floor((at + CHINA_OFFSET) / DAY) - this.firstDay;
    return this.season[i] ?? seasonWeightOf(at + CHINA_OFFSET);
  }

  /** Price factor of the chain's promotions on the date of `at`. */
  promotion(at: number): number {
    return this.seasonWeight(at) > 1.5 ? 0.85 : 1;
  }

  /** `at` + 12 months (UTC calendar; 29 February rolls to 1 March). */
  addYear(at: number): number {
    const length = this.yearLength[Math.floor(at / DAY) - this.firstDay];
    return length === undefined ? addYearTo(at) : at + length;
  }
}

/** `local` is an instant shifted so that its UTC date is the China-local date. */
function seasonWeightOf(local: number): number {
  const d = new Date(local);
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  if (month === 11 && day <= 11) return 3;
  if (month === 6 && day <= 18) return 2;
  if (month === 12 && day >= 15) return 1.5;
  return 1;
}

function addYearTo(at: number): number {
  const d = new Date(at);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.getTime();
}
