import { http } from '../../shared/http/handler.ts';
import * as routes from '../routes/ops.ts';

export const handler = http(routes.health, async () => ({ status: 200, body: { status: 'ok' } }));
