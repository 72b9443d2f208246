'use server';

import { z } from 'zod';

import { validatedAction } from '@/server/action';
import { createProject, deleteProject, updateProject } from '@/server/queries/projects';

import { idInput, projectInput } from './schemas';

export const createProjectAction = validatedAction('projects.create', projectInput, async (input, tx) => {
  const id = await createProject(tx, input);
  return { revalidate: ['/projects'], redirectTo: `/projects/${id}` };
});

export const updateProjectAction = validatedAction('projects.update', projectInput.extend({ projectId: idInput }), async (input, tx) => {
  await updateProject(tx, input.projectId, input);
  return { message: 'Project saved.', revalidate: ['/projects', `/projects/${input.projectId}`] };
});

export const deleteProjectAction = validatedAction('projects.delete', z.object({ projectId: idInput }), async (input, tx) => {
  await deleteProject(tx, input.projectId);
  return { revalidate: ['/projects'], redirectTo: '/projects' };
});
