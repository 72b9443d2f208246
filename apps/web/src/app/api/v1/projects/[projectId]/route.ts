import { deleteProjectRoute, getProjectRoute, updateProjectRoute } from '@/server/api/projects';

// GET, PATCH and DELETE /api/v1/projects/{projectId}: see src/server/api/operations.ts (and /api/v1/openapi.json).
export const GET = getProjectRoute;
export const PATCH = updateProjectRoute;
export const DELETE = deleteProjectRoute;
