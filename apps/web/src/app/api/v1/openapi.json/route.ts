import { NextResponse } from 'next/server';

import { openApiDocument } from '@/server/api/openapi';

/** GET /api/v1/openapi.json: the API's OpenAPI 3.1 document, generated from the route schemas. Public: it holds no data. */
export function GET(): NextResponse {
  return NextResponse.json(openApiDocument(), { headers: { 'cache-control': 'public, max-age=300' } });
}
