// Zero-padded numbers and the patient ids shared by the FHIR data set and the MPP data.

/** `n` as a decimal string, left-padded with zeros to `width` digits. */
export function pad(n: number, width: number): string {
	return String(n).padStart(width, '0');
}

/** `pt-00001` style id for patient number n (1-based). */
export function patientId(n: number): string {
	return `pt-${pad(n, 5)}`;
}
