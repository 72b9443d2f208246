import { z } from 'zod';

// Form schemas, shared by the server actions (which enforce them) and the forms (which show their messages).

/** Text typed in a textarea, whose lines a browser sends as CRLF: stored with LF, and counted as the user counts them. */
const lines = (value: string) => value.replace(/\r\n?/g, '\n');

const optionalText = (max: number, label: string) =>
  z
    .string()
    .transform(lines)
    .pipe(z.string().trim().max(max, `${label} must be at most ${max} characters`))
    .transform((value) => (value === '' ? null : value));

export const projectInput = z.object({
  name: z.string().trim().min(1, 'Give the project a name').max(200, 'The name must be at most 200 characters'),
  description: optionalText(2000, 'The description').prefault(''),
});

export const idInput = z.uuid('Unknown item');

/** YYYY-MM-DD naming a real day (2027-02-30 is not). */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

const isoDate = z
  .string()
  .trim()
  .transform((value) => (value === '' ? null : value))
  .refine((value) => value === null || isCalendarDate(value), 'Enter a valid date')
  .refine((value) => value === null || (value >= '2000-01-01' && value <= '2100-12-31'), 'Pick a date between 2000 and 2100');

const assignee = z
  .string()
  .trim()
  .transform((value) => (value === '' ? null : value))
  .refine((value) => value === null || z.uuid().safeParse(value).success, 'Pick a member');

export const taskStatus = z.enum(['todo', 'doing', 'done'], { error: 'Pick a status' });

export const newTaskInput = z.object({
  projectId: idInput,
  title: z.string().trim().min(1, 'Give the task a title').max(300, 'The title must be at most 300 characters'),
  assigneeId: assignee.prefault(''),
  dueDate: isoDate.prefault(''),
});

export const taskUpdateInput = z.object({
  projectId: idInput,
  taskId: idInput,
  title: z.string().trim().min(1, 'Give the task a title').max(300, 'The title must be at most 300 characters'),
  status: taskStatus,
  assigneeId: assignee.prefault(''),
  dueDate: isoDate.prefault(''),
});

export const taskStatusInput = z.object({ projectId: idInput, taskId: idInput, status: taskStatus });
export const taskAssigneeInput = z.object({ projectId: idInput, taskId: idInput, assigneeId: assignee });

export const commentInput = z.object({
  projectId: idInput,
  taskId: idInput,
  body: z.string().transform(lines).pipe(z.string().trim().min(1, 'Write something first').max(5000, 'A comment must be at most 5000 characters')),
});
