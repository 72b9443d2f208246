import { z } from 'zod';

// In the browser (the sign-in form validates with this schema), zod must not probe for eval: its `new Function('')`
// check is refused by the apps' Content-Security-Policy, and Chromium reports the refusal as a violation even though
// zod catches it. Jitless parsing is what zod does without eval anyway.
if ('document' in globalThis) z.config({ jitless: true });

export const credentialsSchema = z.object({
  email: z.string().trim().toLowerCase().email('Enter a valid email address').max(320),
  password: z.string().min(1, 'Enter your password').max(1024),
});

export type Credentials = z.infer<typeof credentialsSchema>;
