import type { Metadata } from 'next';
import { SignIn } from '@clerk/nextjs';
import { authPage } from '@/components/auth-shell';

export const metadata: Metadata = { title: 'Sign in' };

export default authPage('sign-in', SignIn);
