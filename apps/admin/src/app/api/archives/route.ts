import { operatorUpload } from '@/server/api';
import { receiveUpload, UPLOAD_CONTENT_TYPES } from '@/server/restore';

// POST: the body is a tenant archive (.tar.gz), streamed to ARCHIVE_DIR/uploads and checked whole. Answers
// { upload, manifest } for the restore page, or { error } (413 past the size cap, 422 for a damaged archive).
export const POST = operatorUpload(UPLOAD_CONTENT_TYPES, receiveUpload);
