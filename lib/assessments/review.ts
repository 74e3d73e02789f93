import { findAssessment } from './catalogue';
import type { AssessmentRecord } from './schema';

export type AnswerReview = { questionId: string; prompt: string; chosen: string; correct: string; isCorrect: boolean };

/**
 * Each answer of a result next to the correct one, in words. The record keeps
 * the choice ids it was scored with; the labels come from the catalogue (ids
 * stand in if the catalogue has since dropped a question).
 */
export function reviewAnswers(record: Pick<AssessmentRecord, 'slug' | 'answers'>): AnswerReview[] {
  const questions = findAssessment(record.slug)?.questions ?? [];
  return record.answers.map(({ questionId, choiceId, correctChoiceId }) => {
    const question = questions.find((candidate) => candidate.id === questionId);
    const label = (id: string) => question?.choices.find((choice) => choice.id === id)?.label ?? id;
    return {
      questionId,
      prompt: question?.prompt ?? questionId,
      chosen: label(choiceId),
      correct: label(correctChoiceId),
      isCorrect: choiceId === correctChoiceId,
    };
  });
}
