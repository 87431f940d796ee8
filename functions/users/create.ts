import { hashPassword } from '../../shared/auth/passwords.ts';
import { createUser, EmailTakenError } from '../../shared/db/users.ts';
import { ApiError } from '../../shared/http/errors.ts';
import { http } from '../../shared/http/handler.ts';
import { routes } from '../routes.ts';

export const handler = http(routes.createUser, async ({ body }) => {
  const passwordHash = await hashPassword(body.password);
  try {
    const user = await createUser({ email: body.email, passwordHash });
    return { status: 201, body: { userId: user.userId } };
  } catch (error) {
    if (error instanceof EmailTakenError) throw new ApiError('already_exists', { cause: error });
    throw error;
  }
});
