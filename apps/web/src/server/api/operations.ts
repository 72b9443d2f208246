import type { z } from 'zod';

import * as s from './schemas';

// Every operation of the JSON API, once: its method and path, what it takes and what it answers. The route handlers are
// built from these (handler.ts validates each request against them) and so is the OpenAPI document (openapi.ts); the e2e
// suite checks that every /api/v1 route of the built app is here, with each of its methods.

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface Operation {
  id: string;
  method: Method;
  /** OpenAPI form: /api/v1/projects/{projectId}. */
  path: string;
  summary: string;
  /** Whether it writes: a read key is refused it by the database (403). */
  writes: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  success: { status: 200 | 201 | 204; description: string; schema?: z.ZodType };
}

const op = <const O extends Operation>(operation: O): O => operation;

const PROJECTS = '/api/v1/projects';
const PROJECT = `${PROJECTS}/{projectId}`;
const TASKS = `${PROJECT}/tasks`;
const TASK = `${TASKS}/{taskId}`;

export const OPERATIONS = {
  listProjects: op({
    id: 'listProjects',
    method: 'GET',
    path: PROJECTS,
    summary: "The organisation's projects, a page at a time",
    writes: false,
    query: s.projectListQuery,
    success: { status: 200, description: 'One page of projects.', schema: s.projectPage },
  }),
  createProject: op({
    id: 'createProject',
    method: 'POST',
    path: PROJECTS,
    summary: 'Create a project',
    writes: true,
    body: s.projectCreate,
    success: { status: 201, description: 'The new project.', schema: s.project },
  }),
  getProject: op({
    id: 'getProject',
    method: 'GET',
    path: PROJECT,
    summary: 'One project',
    writes: false,
    params: s.projectIdParams,
    success: { status: 200, description: 'The project.', schema: s.project },
  }),
  updateProject: op({
    id: 'updateProject',
    method: 'PATCH',
    path: PROJECT,
    summary: "Change a project's name or description",
    writes: true,
    params: s.projectIdParams,
    body: s.projectUpdate,
    success: { status: 200, description: 'The changed project.', schema: s.project },
  }),
  deleteProject: op({
    id: 'deleteProject',
    method: 'DELETE',
    path: PROJECT,
    summary: 'Delete a project and its tasks',
    writes: true,
    params: s.projectIdParams,
    success: { status: 204, description: 'Deleted.' },
  }),
  listTasks: op({
    id: 'listTasks',
    method: 'GET',
    path: TASKS,
    summary: "A project's tasks, oldest first, a page at a time",
    writes: false,
    params: s.projectIdParams,
    query: s.taskListQuery,
    success: { status: 200, description: 'One page of tasks.', schema: s.taskPage },
  }),
  createTask: op({
    id: 'createTask',
    method: 'POST',
    path: TASKS,
    summary: 'Add a task to a project',
    writes: true,
    params: s.projectIdParams,
    body: s.taskCreate,
    success: { status: 201, description: 'The new task.', schema: s.task },
  }),
  getTask: op({
    id: 'getTask',
    method: 'GET',
    path: TASK,
    summary: 'One task',
    writes: false,
    params: s.taskIdParams,
    success: { status: 200, description: 'The task.', schema: s.task },
  }),
  updateTask: op({
    id: 'updateTask',
    method: 'PATCH',
    path: TASK,
    summary: "Change a task's title, status, assignee or due date",
    writes: true,
    params: s.taskIdParams,
    body: s.taskUpdate,
    success: { status: 200, description: 'The changed task.', schema: s.task },
  }),
  deleteTask: op({
    id: 'deleteTask',
    method: 'DELETE',
    path: TASK,
    summary: 'Delete a task',
    writes: true,
    params: s.taskIdParams,
    success: { status: 204, description: 'Deleted.' },
  }),
} as const;

/** The document itself: served without a key. */
export const OPENAPI_PATH = '/api/v1/openapi.json';
