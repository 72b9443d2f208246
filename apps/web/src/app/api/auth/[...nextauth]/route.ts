import NextAuth from 'next-auth';

import { authOptions } from '@/server/auth/options';

// next-auth's routes (sign-in callback, session, csrf, sign-out). The options live in src/server/auth/options.ts:
// a route file may only export handlers.
function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  return NextAuth(authOptions())(request, context);
}

export { handler as GET, handler as POST };
