// Event numbers of topic-based notifications taken by this n8n process, per Subscription.
//
// The last event number delivered is kept in the workflow's static data, but n8n saves static
// data only after `webhook()` has returned, and every webhook call works on its own copy loaded
// before that save. So a notification that arrives while the previous one is still being handled
// (a server that sends the next one as soon as it has our 200, or sends them in parallel) sees an
// older number, takes the event in between for a gap and reads it back through `$events`: the
// event would start two executions. The numbers are therefore also claimed here, synchronously,
// before the first await of a webhook call: within one process no event is delivered twice.
// (n8n's webhook processes in queue mode are separate processes: there the static data is what
// they share.) Bounded: at most MAX_SUBSCRIPTIONS Subscriptions, the most recent MAX_NUMBERS
// numbers each; a number at or below a Subscription's floor counts as taken.

import { createHash } from 'node:crypto';

const MAX_SUBSCRIPTIONS = 256;
const MAX_NUMBERS = 4096;

interface Claims {
	/** every number at or below it is taken */
	floor: number;
	taken: Set<number>;
}

const bySubscription = new Map<string, Claims>();

function claimsOf(key: string): Claims {
	let c = bySubscription.get(key);
	if (c) bySubscription.delete(key);
	else c = { floor: 0, taken: new Set() };
	bySubscription.set(key, c); // most recently used last
	if (bySubscription.size > MAX_SUBSCRIPTIONS)
		bySubscription.delete(bySubscription.keys().next().value as string);
	return c;
}

/**
 * Claims `numbers` for the Subscription `key`; returns the ones this call may deliver (not
 * claimed before in this process, above `storedLast`, the number the static data holds).
 */
export function claimEvents(key: string, numbers: number[], storedLast = 0): number[] {
	const c = claimsOf(key);
	const floor = Math.max(c.floor, storedLast);
	const mine: number[] = [];
	for (const n of numbers) {
		if (n <= floor || c.taken.has(n)) continue;
		c.taken.add(n);
		mine.push(n);
	}
	if (c.taken.size > MAX_NUMBERS) {
		const sorted = [...c.taken].sort((a, b) => a - b);
		for (const n of sorted.slice(0, sorted.length - MAX_NUMBERS)) {
			c.taken.delete(n);
			c.floor = Math.max(c.floor, n);
		}
	}
	return mine;
}

/**
 * The key of one Subscription as this node created it: the server, its id, and the secret made
 * at creation (a server that hands out an id again, e.g. after a reset, gets a fresh record).
 */
export function claimKey(fhirBaseUrl: string, subscriptionId: string, secret: string): string {
	return `${fhirBaseUrl}\n${subscriptionId}\n${createHash('sha256').update(secret).digest('hex')}`;
}
