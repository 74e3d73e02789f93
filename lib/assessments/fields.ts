/**
 * Form field names of an answer sheet: `answer:<questionId>`. Its own module
 * so the browser's form can import it without the catalogue (which holds the
 * correct answers) or zod.
 */
export const ANSWER_FIELD_PREFIX = 'answer:';

export function answerFieldName(questionId: string): string {
  return `${ANSWER_FIELD_PREFIX}${questionId}`;
}
