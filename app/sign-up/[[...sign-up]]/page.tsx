import type { Metadata } from 'next';
import { SignUp } from '@clerk/nextjs';
import { AuthShell } from '@/components/auth-shell';

export const metadata: Metadata = { title: 'Sign up' };

export default function SignUpPage() {
  return (
    <AuthShell form="sign-up">
      <SignUp />
    </AuthShell>
  );
}
