import { createProjectRoute, listProjectsRoute } from '@/server/api/projects';

// GET and POST /api/v1/projects: see src/server/api/operations.ts (and /api/v1/openapi.json).
export const GET = listProjectsRoute;
export const POST = createProjectRoute;
