import { authRoute } from '@/server/auth/route';

// next-auth's routes (sign-in callback, session, csrf, sign-out), with the sign-in limits in front of the credentials
// callback. Built in src/server/auth/route.ts: a route file may only export handlers.
export { authRoute as GET, authRoute as POST };
