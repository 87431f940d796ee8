import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.health, async () => ({ status: 200, body: { status: 'ok' } }));
