// Deterministic synthetic FHIR data: patients and their immunizations, generated from a seed.
//
// Every patient (and that patient's immunizations) is generated on its own from
// (seed, patient index) with a small PRNG, so any patient can be produced without generating the
// others, and `iterate()` can stream a million resources in flat memory. Nothing depends on the
// wall clock: all dates are relative to REFERENCE_DATE.
//
//   const ds = createDataset({ seed: 42, patients: 50, heavyPatients: { 'pt-00001': 10000 } });
//   ds.patient('pt-00001')            // R4 Patient | undefined
//   ds.immunizations('pt-00001')      // R4 Immunization[] sorted by occurrenceDateTime, id
//   for (const r of ds.iterate('Immunization', { since })) ...   // lazy
//   toVersion(resource, 'stu3')       // STU3 / DSTU2 rendering
//
// Returned resources are shared (a small cache): treat them as read-only, copy before changing.
//
// Modules: types (resource and option types, code systems), rng (mulberry32, per-patient
// streams), dates (REFERENCE_DATE, ISO formatting), ids (zero padding, patient ids), patient and
// immunization (one patient's resources), dataset (createDataset), versions (toVersion),
// registry (datasetFor), tables (names, places, vaccines), mpp (MyPatientPortal data).
export * from './types';
export { REFERENCE_DATE } from './dates';
export { createDataset } from './dataset';
export { toVersion } from './versions';
export { datasetFor } from './registry';
