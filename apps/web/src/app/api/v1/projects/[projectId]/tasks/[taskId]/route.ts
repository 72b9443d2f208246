import { deleteTaskRoute, getTaskRoute, updateTaskRoute } from '@/server/api/tasks';

// GET, PATCH and DELETE /api/v1/projects/{projectId}/tasks/{taskId}: see src/server/api/operations.ts.
export const GET = getTaskRoute;
export const PATCH = updateTaskRoute;
export const DELETE = deleteTaskRoute;
