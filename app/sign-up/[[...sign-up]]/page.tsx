import type { Metadata } from 'next';
import { SignUp } from '@clerk/nextjs';

export const metadata: Metadata = { title: 'Sign up' };

export default function SignUpPage() {
  return (
    <main className="auth-shell" data-testid="auth-shell">
      <SignUp />
    </main>
  );
}
