// The transport: every HTTP call of every node goes through `apiRequest` (request.ts). The other
// files hold its parts: URL rules (url.ts), failure classification (failures.ts), token renewal
// before expiry (renewal.ts), body reading (body.ts) and headers (headers.ts).
export { apiRequest } from './request';
export type { ApiRequest, ApiResponse } from './types';
export { encodePathSegment, hasDotSegment, joinUrl } from './url';
export { parseRetryAfter } from './headers';
export { EXPIRING_CREDENTIALS } from './renewal';
