// FHIR Subscription Trigger, readNotification() on the topic-based shapes (no network): the R4
// backport's Parameters status (string event numbers, notification-event parts) and the R4B/R5
// SubscriptionStatus (integer fields); handshake / heartbeat as pings with their status;
// `query-event` ($events answers) read like event notifications; an entry's id from its fullUrl.
import { readNotification } from '../../nodes/FhirSubscriptionTrigger/helpers/notification';

const TOPIC = 'http://example.org/SubscriptionTopic/admission';

function r4(type: string, events: Array<[string, string, string?]>, since: string) {
	return {
		resourceType: 'Bundle',
		type: 'history',
		entry: [
			{
				fullUrl: 'urn:uuid:1',
				resource: {
					resourceType: 'Parameters',
					parameter: [
						{
							name: 'subscription',
							valueReference: { reference: 'https://s/fhir/Subscription/9' },
						},
						{ name: 'topic', valueCanonical: TOPIC },
						{ name: 'status', valueCode: 'active' },
						{ name: 'type', valueCode: type },
						{ name: 'events-since-subscription-start', valueString: since },
						...events.map(([n, t, focus]) => ({
							name: 'notification-event',
							part: [
								{ name: 'event-number', valueString: n },
								{ name: 'timestamp', valueInstant: t },
								...(focus ? [{ name: 'focus', valueReference: { reference: focus } }] : []),
							],
						})),
					],
				},
			},
			...events
				.filter((e) => e[2])
				.map(([, , focus]) => ({ fullUrl: focus, request: { method: 'PUT', url: 'Patient/p1' } })),
		],
	};
}

it('R4 backport Parameters: subscription, topic, events-since and each event (number, timestamp, focus); id-only entries', () => {
	const n = readNotification(
		r4('event-notification', [['7', '2026-01-01T00:00:00Z', 'https://s/fhir/Patient/p1']], '7'),
	);
	expect(n).toMatchObject({
		kind: 'event',
		resources: [],
		ids: [{ resourceType: 'Patient', id: 'p1', reference: 'https://s/fhir/Patient/p1' }],
		status: {
			type: 'event-notification',
			subscription: 'https://s/fhir/Subscription/9',
			topic: TOPIC,
			since: 7,
			events: [
				{ number: 7, timestamp: '2026-01-01T00:00:00Z', focus: 'https://s/fhir/Patient/p1' },
			],
		},
	});
	// $events answers carry events the same way; a handshake and a heartbeat are pings
	expect(readNotification(r4('query-event', [['3', 't']], '9')).kind).toBe('event');
	for (const type of ['handshake', 'heartbeat'])
		expect(readNotification(r4(type, [], '4'))).toMatchObject({
			kind: 'ping',
			type,
			status: { since: 4, events: [] },
		});
	// a number that is not a whole number is not taken as one
	const bad = readNotification(r4('event-notification', [['x', 't']], '1e3'));
	expect(bad).toMatchObject({ status: { since: undefined, events: [{ number: undefined }] } });
});

it('R4B / R5 SubscriptionStatus: integer eventsSinceSubscriptionStart and notificationEvent', () => {
	const n = readNotification({
		resourceType: 'Bundle',
		type: 'subscription-notification',
		entry: [
			{
				resource: {
					resourceType: 'SubscriptionStatus',
					status: 'active',
					type: 'event-notification',
					eventsSinceSubscriptionStart: 2,
					notificationEvent: [
						{
							eventNumber: 2,
							timestamp: '2020-05-29T11:44:13Z',
							focus: { reference: 'https://s/fhir/Encounter/e1' },
						},
					],
					subscription: { reference: 'https://s/fhir/Subscription/admission' },
					topic: TOPIC,
				},
			},
			{
				fullUrl: 'https://s/fhir/Encounter/e1',
				resource: { resourceType: 'Encounter', id: 'e1' },
			},
		],
	});
	expect(n).toMatchObject({
		kind: 'event',
		resources: [{ resourceType: 'Encounter', id: 'e1' }],
		status: {
			since: 2,
			topic: TOPIC,
			events: [{ number: 2, focus: 'https://s/fhir/Encounter/e1' }],
		},
		entries: [
			{ fullUrl: 'https://s/fhir/Encounter/e1', ref: { resourceType: 'Encounter', id: 'e1' } },
		],
	});
});
