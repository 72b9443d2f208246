import { createTaskRoute, listTasksRoute } from '@/server/api/tasks';

// GET and POST /api/v1/projects/{projectId}/tasks: see src/server/api/operations.ts (and /api/v1/openapi.json).
export const GET = listTasksRoute;
export const POST = createTaskRoute;
