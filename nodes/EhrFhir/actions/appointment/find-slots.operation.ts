// Find Free Slots: `Slot?status=free&start=ge…&start=lt…` for a Schedule, or for the Schedules of
// a practitioner (searched first), all pages up to the limit. eMedicalPractice has no slots: refused.
import type { INodeProperties } from 'n8n-workflow';
import { slotFilters } from '../../descriptions/appointment';
import { schedulingOperation } from '../../helpers/scheduling';

export const description: INodeProperties[] = slotFilters;

export const execute = schedulingOperation('findSlots');
