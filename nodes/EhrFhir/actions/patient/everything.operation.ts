// Patient Everything: `GET Patient/[id]/$everything`, every page, one item per resource (the
// patient and everything in their record), where the server declares the operation.
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { joinUrl } from '../../../shared/http';
import { assertSupports } from '../../helpers/capabilities';
import { readList } from '../../helpers/search';
import { patientIdParam, shownId } from '../../helpers/patient';
import { patientLocator } from '../../descriptions/patient';
import { simplifyProperty } from '../../descriptions/resource';
import type { OperationContext } from '../../helpers/context';

const show = { resource: ['patient'], operation: ['everything'] };

export const description: INodeProperties[] = [
	...patientLocator(show, 'The patient whose whole record to read'),
	simplifyProperty(show),
];

export async function execute(
	this: IExecuteFunctions,
	ctx: OperationContext,
	itemIndex: number,
): Promise<INodeExecutionData[]> {
	const { profile } = ctx;
	const id = patientIdParam.call(this, itemIndex, profile.fhirBaseUrl);
	await assertSupports.call(this, ctx.capabilities, 'Patient', '$everything', itemIndex);
	return await readList.call(
		this,
		ctx,
		{
			method: 'GET',
			url: `${joinUrl(profile.fhirBaseUrl, 'Patient', id)}/$everything`,
			qs: profile.pageSizeParam ? { [profile.pageSizeParam]: profile.pageSize } : undefined,
			headers: { Accept: profile.accept },
		},
		{
			limit: Infinity,
			simplify: this.getNodeParameter('simplify', itemIndex, false) as boolean,
			included: 'separate',
			what: `Patient Everything of ${shownId(id)}`,
			itemIndex,
		},
	);
}
