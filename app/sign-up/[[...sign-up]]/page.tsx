import type { Metadata } from 'next';
import { SignUp } from '@clerk/nextjs';
import { authPage } from '@/components/auth-shell';

export const metadata: Metadata = { title: 'Sign up' };

export default authPage('sign-up', SignUp);
