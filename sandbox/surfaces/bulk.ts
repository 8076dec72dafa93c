import type { SandboxApp } from '../app';

// Placeholder until this surface lands: registers no routes.
export function register(_app: SandboxApp): void {}
