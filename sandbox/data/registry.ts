// datasetFor: the one data set of a running sandbox app, created on first use.
import { createDataset } from './dataset';
import type { Dataset } from './types';

/** The minimal view of the sandbox app that `datasetFor` needs (avoids an import cycle). */
interface AppLike {
	options: { seed?: number; patients?: number; [key: string]: unknown };
	state: Record<string, unknown>;
}

/**
 * The sandbox's one shared data set, created on first use from the SandboxOptions
 * `seed`, `patients`, `heavyPatients` and `immunizationsPerPatient`. Every surface (FHIR reads,
 * bulk export) calls this, so they all serve the same resources.
 */
export function datasetFor(app: AppLike): Dataset {
	let ds = app.state.dataset as Dataset | undefined;
	if (!ds) {
		ds = createDataset({
			seed: app.options.seed,
			patients: app.options.patients,
			heavyPatients: app.options.heavyPatients as Record<string, number> | undefined,
			immunizationsPerPatient: app.options.immunizationsPerPatient as [number, number] | undefined,
		});
		app.state.dataset = ds;
	}
	return ds;
}
