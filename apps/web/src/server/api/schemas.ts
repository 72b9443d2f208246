import { z } from 'zod';

import { MAX_PAGE_SIZE, PROJECT_SORTS, type ProjectSort } from '@/lib/project-list-query';

// The JSON API's shapes: what each operation takes (validated, 400 with the issues otherwise) and answers. The OpenAPI
// document is generated from these (openapi.ts), so the description a client reads is the check the server runs. `id`
// in .meta() names a schema in the document's components.

const uuid = z.uuid().meta({ example: '4b0c6f1e-6d2a-4c52-9d76-2f1a3c9b7e10' });
const timestamp = z.iso.datetime({ offset: true }).meta({ example: '2026-12-07T10:00:00.000Z' });

/** YYYY-MM-DD naming a real day between 2000 and 2100 (2027-02-30 is not one). */
const calendarDate = z.iso
  .date()
  // zod runs a refinement even after the format check failed: a value that is no date at all must not throw here.
  .refine((value) => {
    const day = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === value;
  }, 'not a calendar day')
  .refine((value) => value >= '2000-01-01' && value <= '2100-12-31', 'must be between 2000-01-01 and 2100-12-31')
  .meta({ example: '2027-03-01' });

const limit = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_PAGE_SIZE)
  .default(50)
  .meta({ description: `Items per page, 1 to ${MAX_PAGE_SIZE} (default 50).` });
const cursor = z.string().min(1).max(1000).optional().meta({ description: 'The `nextCursor` of the previous page.' });

export const projectIdParams = z.object({ projectId: uuid });
export const taskIdParams = z.object({ projectId: uuid, taskId: uuid });

export const projectListQuery = z.object({
  q: z.string().trim().max(200).optional().meta({ description: 'Part of the name, any case.' }),
  sort: z
    .enum(Object.keys(PROJECT_SORTS) as [ProjectSort, ...ProjectSort[]])
    .default('newest')
    .meta({ description: 'newest (default), oldest or name.' }),
  cursor,
  limit,
});
export const taskListQuery = z.object({ cursor, limit });

const projectName = z.string().trim().min(1).max(200);
const projectDescription = z.string().trim().max(2000).nullable();
export const projectCreate = z.strictObject({ name: projectName, description: projectDescription.default(null) }).meta({ id: 'ProjectCreate' });
export const projectUpdate = z
  .strictObject({ name: projectName.optional(), description: projectDescription.optional() })
  .refine((value) => value.name !== undefined || value.description !== undefined, 'change at least one of name, description')
  .meta({ id: 'ProjectUpdate' });

const taskStatus = z.enum(['todo', 'doing', 'done']);
const taskTitle = z.string().trim().min(1).max(300);
export const taskCreate = z
  .strictObject({
    title: taskTitle,
    status: taskStatus.default('todo'),
    assigneeId: uuid.nullable().default(null),
    dueDate: calendarDate.nullable().default(null),
  })
  .meta({ id: 'TaskCreate' });
export const taskUpdate = z
  .strictObject({
    title: taskTitle.optional(),
    status: taskStatus.optional(),
    assigneeId: uuid.nullable().optional(),
    dueDate: calendarDate.nullable().optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'change at least one field')
  .meta({ id: 'TaskUpdate' });

export const project = z
  .object({ id: uuid, name: z.string(), description: z.string().nullable(), createdBy: uuid.nullable(), createdAt: timestamp, updatedAt: timestamp })
  .meta({ id: 'Project' });
export const task = z
  .object({
    id: uuid,
    projectId: uuid,
    title: z.string(),
    status: taskStatus,
    assigneeId: uuid.nullable(),
    dueDate: z.iso.date().nullable(),
    createdBy: uuid.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Task' });

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  });
export const projectPage = page(project)
  .extend({ total: z.number().int().meta({ description: 'Projects matching `q` (all of them without one).' }) })
  .meta({ id: 'ProjectPage' });
export const taskPage = page(task).meta({ id: 'TaskPage' });

export const apiError = z
  .object({
    error: z.object({
      code: z.enum(['unauthorized', 'forbidden', 'not_found', 'invalid_request', 'conflict', 'rate_limited', 'unavailable', 'internal']),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string(), code: z.string() }))
        .optional()
        .meta({ description: 'What is wrong with the request (400 only), as zod reports it.' }),
    }),
  })
  .meta({ id: 'Error' });

export type ProjectJson = z.input<typeof project>;
export type TaskJson = z.input<typeof task>;
export type ApiErrorCode = z.infer<typeof apiError>['error']['code'];
