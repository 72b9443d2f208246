import NextAuth from 'next-auth';

import { authOptions } from '@/server/auth/options';

// The options are built on the first request (they need the environment, which `next build` does not have).
type Context = { params: Promise<{ nextauth: string[] }> };

function handler(request: Request, context: Context): Promise<Response> {
  return NextAuth(request as never, context as never, authOptions());
}

export { handler as GET, handler as POST };
