import { expect, test } from '@playwright/test';

import { adminQuery, addTask, createProject, signIn, skipWithoutChromium, uniqueName } from './support';

skipWithoutChromium(test);

// Issue #15, item 7: after a save the edit form showed the old status again (React resets a form after its action
// to the fields' defaults, and a <select>'s default did not follow the saved value), so the next save of only the
// title wrote the old status back.
test('the task form shows what was saved, and saving only the title keeps the saved status and assignee', async ({ page }, testInfo) => {
  await signIn(page, 'alice@acme.test');
  await createProject(page, uniqueName('Task edit', testInfo));
  const title = uniqueName('Draft the agenda', testInfo);
  await addTask(page, title);
  await page.getByRole('link', { name: title }).click();
  const form = page.getByRole('form', { name: 'Edit task' });
  const header = page.locator('.page-header');
  const save = async () => {
    await form.getByRole('button', { name: 'Save task' }).click();
    await expect(form.getByRole('status')).toHaveText('Task saved.');
  };

  await form.getByLabel('Status').selectOption('doing');
  await save();
  await expect(header.getByText('In progress')).toBeVisible();
  await expect(form.getByLabel('Status')).toHaveValue('doing');

  // The steps of the report: back to "To do"; the badge and the select agree.
  await form.getByLabel('Status').selectOption('todo');
  await form.getByLabel('Assignee').selectOption({ label: 'Bob Member' });
  await save();
  await expect(header.getByText('To do')).toBeVisible();
  await expect(form.getByLabel('Status')).toHaveValue('todo');
  await expect(form.getByLabel('Assignee')).not.toHaveValue('');

  // Only the title changes now: status and assignee stay what was saved.
  await form.getByLabel('Title').fill(`${title} (v2)`);
  await save();
  await expect(page.getByRole('heading', { level: 1, name: `${title} (v2)` })).toBeVisible();
  const [row] = await adminQuery<{ status: string; assignee: string | null }>(
    `SELECT t.status, u.name AS assignee FROM public.tasks t LEFT JOIN public.users u ON u.id = t.assignee_id WHERE t.title = $1`,
    [`${title} (v2)`],
  );
  expect(row).toEqual({ status: 'todo', assignee: 'Bob Member' });

  // A reload shows the same as the form did.
  await page.reload();
  await expect(form.getByLabel('Status')).toHaveValue('todo');
  await expect(form.getByLabel('Title')).toHaveValue(`${title} (v2)`);
});
