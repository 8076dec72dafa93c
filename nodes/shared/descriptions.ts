// Property blocks more than one node shows.
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

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

/**
 * A node's subtitle expression: the human name of the chosen action, looked up by `key` (an
 * expression over `$parameter` giving the map's key), plus `suffix` (an expression, or nothing).
 */
export function subtitleExpression(
	names: Record<string, string>,
	key: string,
	suffix?: string,
): string {
	const lookup = `(${JSON.stringify(names)})[${key}]`;
	return `={{ ${lookup}${suffix ? ` + ${suffix}` : ''} }}`;
}

/** An options parameter's option names by value (`prefix` + value). */
export function optionNames(property: INodeProperties, prefix = ''): Record<string, string> {
	const options = (property.options ?? []) as INodePropertyOptions[];
	return Object.fromEntries(options.map((o) => [`${prefix}${String(o.value)}`, o.name]));
}
