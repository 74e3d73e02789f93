'use client';

import { useActionState } from 'react';
import { AccountState } from '@/components/account-state';
import { TeamState } from '@/components/teams/team-state';
import type { PublicAssessment } from '@/lib/assessments/catalogue';
import { answerFieldName } from '@/lib/assessments/fields';
import type { AssessmentFormState } from '@/lib/assessments/submit';
import styles from './assessments.module.css';

type Props = {
  /** Prompts and choices only: the correct answers never reach the browser. */
  assessment: PublicAssessment;
  /** The server action; it redirects to the result on success, else returns what to show. */
  action: (previous: AssessmentFormState, formData: FormData) => Promise<AssessmentFormState>;
};

const EDITING: AssessmentFormState = { kind: 'editing' };

/**
 * The answer sheet. Validation is the server's (the form sets no `required`,
 * so a forged or incomplete submission meets the same checks and message);
 * after an invalid submission the answers already given stay selected.
 */
export function AssessmentForm({ assessment, action }: Props) {
  const [state, formAction, pending] = useActionState(action, EDITING);
  const issues = state.kind === 'invalid' ? state.issues : {};
  const values = state.kind === 'invalid' ? state.values : {};

  return (
    <form action={formAction} noValidate>
      {state.kind === 'invalid' ? (
        <p className="card notice" role="alert" data-testid="assessment-error">
          {state.message}
        </p>
      ) : null}
      {state.kind === 'account' ? <AccountState state={state.state} /> : null}
      {state.kind === 'organization' ? <TeamState state={state.state} /> : null}
      <ol className={styles.questions}>
        {assessment.questions.map((question, index) => {
          const issue = issues[question.id];
          const errorId = `${question.id}-error`;
          return (
            <li key={question.id}>
              <fieldset
                className={`${styles.question} ${issue ? styles.invalid : ''}`}
                aria-invalid={issue ? true : undefined}
                aria-describedby={issue ? errorId : undefined}
              >
                <legend>
                  {index + 1}. {question.prompt}
                </legend>
                {question.choices.map((choice) => (
                  <label key={choice.id} className={styles.choice}>
                    <input
                      type="radio"
                      name={answerFieldName(question.id)}
                      value={choice.id}
                      defaultChecked={values[question.id] === choice.id}
                    />
                    {choice.label}
                  </label>
                ))}
                {issue ? (
                  <p id={errorId} className={styles.fieldError}>
                    {issue}
                  </p>
                ) : null}
              </fieldset>
            </li>
          );
        })}
      </ol>
      <button type="submit" className="button" disabled={pending}>
        {pending ? 'Scoring…' : 'Submit answers'}
      </button>
    </form>
  );
}
