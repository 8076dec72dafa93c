// Date arithmetic and formatting for the synthetic data, without the wall clock.

export const DAY = 86_400_000;
export const YEAR = 365.25 * DAY;

/** All generated dates lie before this instant (2025-06-01T00:00:00Z). */
export const REFERENCE_DATE = new Date(Date.UTC(2025, 5, 1));
export const REF = REFERENCE_DATE.getTime();

const TWO = Array.from({ length: 100 }, (_, i) => (i < 10 ? `0${i}` : String(i)));

// The allocation-free formatting below covers years 1000–9999 (four-digit years); other instants,
// and NaN, go through Date#toISOString (which throws a RangeError for invalid ones).
const FAST_FROM = Date.UTC(1000, 0, 1);
const FAST_TO = Date.UTC(10000, 0, 1);

/** y-m-d of a day number since 1970-01-01 (proleptic Gregorian; Hinnant's civil_from_days). */
function civil(days: number): string {
	const z = days + 719468;
	const era = Math.floor(z / 146097);
	const doe = z - era * 146097;
	const yoe = Math.floor(
		(doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
	);
	const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
	const mp = Math.floor((5 * doy + 2) / 153);
	const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
	const m = mp < 10 ? mp + 3 : mp - 9;
	const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
	return `${y}-${TWO[m]}-${TWO[d]}`;
}

/** `YYYY-MM-DDThh:mm:ssZ` of an epoch-ms instant, truncated to the second (no milliseconds). */
export function isoSeconds(ms: number): string {
	if (!(ms >= FAST_FROM && ms < FAST_TO))
		return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
	const days = Math.floor(ms / DAY);
	let sec = Math.floor((ms - days * DAY) / 1000);
	const h = Math.floor(sec / 3600);
	sec -= h * 3600;
	const mi = Math.floor(sec / 60);
	return `${civil(days)}T${TWO[h]}:${TWO[mi]}:${TWO[sec - mi * 60]}Z`;
}

/** `YYYY-MM-DD` (UTC) of an epoch-ms instant, as `new Date(ms).toISOString().slice(0, 10)`. */
export function isoDate(ms: number): string {
	const t = Math.trunc(ms);
	if (!(t >= FAST_FROM && t < FAST_TO)) return new Date(ms).toISOString().slice(0, 10);
	return civil(Math.floor(t / DAY));
}
