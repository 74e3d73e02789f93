/**
 * A submitted answer sheet, validated against the catalogue: every question
 * of the assessment answered exactly once, with one of its own choices, and
 * nothing else. Form fields are named `answer:<questionId>`; other fields (the
 * framework's own) are not part of the sheet.
 */

import { z } from 'zod';
import type { Assessment } from './catalogue';
import { ANSWER_FIELD_PREFIX } from './fields';

export { answerFieldName } from './fields';

/** Question id → chosen choice id. */
export type AnswerSheet = Record<string, string>;

export type SubmissionResult =
  { ok: true; answers: AnswerSheet } | { ok: false; message: string; issues: Record<string, string>; values: AnswerSheet };

function answerSheetSchema(assessment: Assessment) {
  const shape = Object.fromEntries(
    assessment.questions.map((question, index) => {
      const ids = question.choices.map((choice) => choice.id) as [string, ...string[]];
      return [question.id, z.enum(ids, { error: `Choose one answer for question ${index + 1}.` })];
    }),
  );
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? 'The form has answers to questions this assessment does not have.' : undefined),
  });
}

/** A field sent twice cannot be "one answer": it is kept as an empty (invalid) answer. */
const AMBIGUOUS = '';

function collectAnswers(entries: Iterable<[string, unknown]>): Record<string, unknown> {
  const answers: Record<string, unknown> = {};
  for (const [name, value] of entries) {
    if (!name.startsWith(ANSWER_FIELD_PREFIX)) continue;
    const questionId = name.slice(ANSWER_FIELD_PREFIX.length);
    answers[questionId] = Object.hasOwn(answers, questionId) ? AMBIGUOUS : value;
  }
  return answers;
}

/** Reads and validates form entries (e.g. a `FormData`) into an answer sheet, or says what is wrong. */
export function parseSubmission(assessment: Assessment, entries: Iterable<[string, unknown]>): SubmissionResult {
  const raw = collectAnswers(entries);
  const parsed = answerSheetSchema(assessment).safeParse(raw);
  if (parsed.success) return { ok: true, answers: parsed.data };

  const issues: Record<string, string> = {};
  const general: string[] = [];
  for (const issue of parsed.error.issues) {
    const questionId = issue.path[0];
    if (typeof questionId === 'string' && issue.path.length === 1) issues[questionId] ??= issue.message;
    else general.push(issue.message);
  }
  const unanswered = Object.keys(issues).length;
  const message = general[0] ?? `${unanswered} of ${assessment.questions.length} questions need an answer. Nothing was saved.`;
  // Echo back only valid choices, so the form can keep what the user already picked.
  const values = Object.fromEntries(Object.entries(raw).filter(([id, value]) => typeof value === 'string' && !issues[id])) as AnswerSheet;
  return { ok: false, message, issues, values };
}

export type ScoredAnswer = { questionId: string; choiceId: string; correctChoiceId: string };
export type Score = { answers: ScoredAnswer[]; score: number; maxScore: number };

/** One point per correct answer. Runs on the server only: it needs the answers. */
export function scoreAnswers(assessment: Assessment, sheet: AnswerSheet): Score {
  const answers = assessment.questions.map((question) => ({
    questionId: question.id,
    choiceId: sheet[question.id] ?? '',
    correctChoiceId: question.answer,
  }));
  const score = answers.filter((answer) => answer.choiceId === answer.correctChoiceId).length;
  return { answers, score, maxScore: assessment.questions.length };
}
