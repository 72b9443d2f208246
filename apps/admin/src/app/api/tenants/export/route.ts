import { operatorFormPost } from '@/server/api';
import { exportDownload, exportTenantInput } from '@/server/export';

// POST (the tenant page's "Download export" form): the tenant's archive as an attachment, <slug>-<timestamp>.tar.gz.
// A refusal goes back to the tenant page with the reason (303).
export const POST = operatorFormPost(exportTenantInput, exportDownload);
