import { inject } from 'vitest';

// Handlers called in-process read the same settings as the runtime's HTTP server.
Object.assign(process.env, inject('runtime').env);
