// displayOptions of the FHIR Bulk Export properties: by operation only, as the operation values
// are unique across the two resources.
/** Shown for the given operations (their values are unique across resources). */
export const showFor = (operation: string[]) => ({ show: { operation } });
