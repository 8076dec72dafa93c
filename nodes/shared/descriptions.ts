// Property blocks more than one node shows.
import type { INodeProperties } from 'n8n-workflow';

type Show = Record<string, Array<string | boolean | number>>;

/** Return All + Limit (the Limit only while Return All is off); read them with values.readLimit. */
export function returnAllLimitProperties(show: Show): INodeProperties[] {
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: { show },
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 50,
			description: 'Max number of results to return',
			displayOptions: { show: { ...show, returnAll: [false] } },
		},
	];
}

/** The Options collection of a node (`options`), shown where `show` says (everywhere without it). */
export function optionsCollection(options: INodeProperties[], show?: Show): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		...(show ? { displayOptions: { show } } : {}),
		options,
	};
}
